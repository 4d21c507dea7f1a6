"""Field-level diffs of talent profiles, recorded as ``Revision`` rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.models import Output, Revision, Talent, utcnow
from kb.talents.freshness import is_substantive

# What a revision records about a talent and about each output. Contact data is
# recorded too (who changed a phone number matters), but shown only to roles
# allowed to see contact data.
TALENT_FIELDS = (
    "name", "name_en", "category", "certification_status", "certified_on", "title", "organization",
    "fields", "research_directions", "bio", "languages", "available_for_consultation",
    "accepts_event_invitations", "email", "phone",
)
OUTPUT_FIELDS = ("type", "title", "year", "venue", "abstract", "url", "doi", "number", "authors", "keywords")
CONTACT_FIELDS = ("email", "phone")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)  # a copy: a snapshot must not change with the JSON list it was taken from
    return value


def snapshot_talent(t: Talent) -> dict[str, Any]:
    return {f: _jsonable(getattr(t, f)) for f in TALENT_FIELDS}


def snapshot_output(o: Output) -> dict[str, Any]:
    return {f: _jsonable(getattr(o, f)) for f in OUTPUT_FIELDS}


def diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    return [
        {"field": f"{prefix}{k}", "old": before.get(k), "new": after.get(k)}
        for k in after
        if before.get(k) != after.get(k)
    ]


def diff_outputs(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes between two {output id: snapshot} maps, one entry per changed field."""
    changes: list[dict[str, Any]] = []
    for oid, snap in after.items():
        if oid not in before:
            changes.append({"field": f"outputs[{oid}]", "old": None, "new": snap})
        else:
            changes.extend(diff(before[oid], snap, prefix=f"outputs[{oid}]."))
    for oid, snap in before.items():
        if oid not in after:
            changes.append({"field": f"outputs[{oid}]", "old": snap, "new": None})
    return changes


def record(
    session: Session, talent: Talent, actor: Actor, action: str, changes: list[dict[str, Any]],
    status: str = "applied",
) -> Revision | None:
    """Add a revision row; nothing is written when nothing changed.

    Every write path ends here, which is why this is where a talent's last
    substantive change is kept current (an applied change to its directions or
    outputs) and where an edit by someone other than the talent is marked
    ``delegated``.
    """
    if not changes and action not in ("create", "delete"):
        return None
    at = utcnow()
    rev = Revision(
        talent_id=talent.id,
        talent_external_id=talent.external_id,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        at=at,
        changes=changes,
        status=status,
        delegated=is_delegated(actor, talent, action),
    )
    session.add(rev)
    if status == "applied" and is_substantive(changes):
        talent.last_changed_at = at
    return rev


#: Revision actions that are the staff's own acts on the registry, not edits of a talent's content.
REGISTRY_ACTIONS = ("create", "delete", "review")


def is_delegated(actor: Actor, talent: Talent, action: str) -> bool:
    """A person other than the talent changed its content (a commissioner on its behalf).

    Commands (``kb import``, the demo) act as the system, which is nobody's delegate.
    """
    if actor.is_system or action in REGISTRY_ACTIONS:
        return False
    return actor.talent_id is None or actor.talent_id != talent.id


def history(session: Session, talent: Talent, limit: int = 200) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.talent_external_id == talent.external_id)
            .order_by(Revision.at.desc(), Revision.id.desc())
            .limit(limit)
        )
    )


def redact_contact(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same changes with contact values hidden, for roles that may not see them."""
    out = []
    for c in changes:
        if c["field"] in CONTACT_FIELDS:
            c = {**c, "old": "•••" if c["old"] else c["old"], "new": "•••" if c["new"] else c["new"]}
        out.append(c)
    return out
