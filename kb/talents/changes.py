"""The write side of talent profiles: every change goes through a function
here, which checks permission, validates, records a revision and queues the
search-index sync in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb.actors import Actor
from kb.errors import Conflict, NotFound, ValidationError
from kb.models import Output, Revision, Talent, utcnow
from kb.permissions import allowed, require
from kb.queue import enqueue
from kb.roles import STAFF
from kb.talents import revisions
from kb.talents.records import RecordError, validate_record

SEARCH_TOPIC = "search.sync"

# Facts a commissioner certified: only staff change them.
CERTIFIED_FACTS = ("category", "certification_status", "certified_on")
# Facts a talent may change, but only after a commissioner's review.
REVIEWED_FACTS = ("name", "name_en", "title", "organization", "fields")
# What a talent keeps current by itself.
SELF_SERVICE = (
    "bio", "research_directions", "languages", "available_for_consultation",
    "accepts_event_invitations", "email", "phone",
)
EDITABLE = CERTIFIED_FACTS + REVIEWED_FACTS + SELF_SERVICE
CERTIFICATION_STATUSES = ("certified", "pending", "expired", "revoked")
# Output fields harvesting added (migration 0006). An edit that does not name one
# leaves it as it is, so the output form (which has no such inputs) keeps them.
BIBLIOGRAPHIC = ("doi", "number", "authors", "keywords")
BIBLIOGRAPHIC_LISTS = ("authors", "keywords")


def get_talent(session: Session, external_id: str) -> Talent:
    t = session.scalar(select(Talent).where(Talent.external_id == external_id))
    if t is None:
        raise NotFound(f"no talent with id {external_id!r}", code="talent.not_found", params={"id": external_id})
    return t


def get_talent_by_pk(session: Session, pk: int) -> Talent:
    t = session.get(Talent, pk)
    if t is None:
        raise NotFound(f"no talent #{pk}", code="talent.not_found", params={"id": pk})
    return t


# --- records (import/export format) ---------------------------------------------------------------

def talent_to_record(t: Talent, include_contact: bool = False) -> dict[str, Any]:
    """The import/export record of a talent; ``kb import`` of it changes nothing."""
    rec: dict[str, Any] = {"id": t.external_id, "name": t.name}
    if t.name_en:
        rec["name_en"] = t.name_en
    rec["category"] = t.category
    for key in ("title", "organization"):
        if getattr(t, key):
            rec[key] = getattr(t, key)
    rec["fields"] = list(t.fields)
    rec["research_directions"] = list(t.research_directions)
    if t.bio:
        rec["bio"] = t.bio
    if t.languages:
        rec["languages"] = list(t.languages)
    rec["available_for_consultation"] = bool(t.available_for_consultation)
    if t.certification_status != "pending" or t.certified_on:  # pending, undated: what an import assumes
        rec["certification_status"] = t.certification_status
    if t.certified_on:
        rec["certified_on"] = t.certified_on.isoformat()
    if include_contact and (t.email or t.phone):
        rec["contact"] = {k: getattr(t, k) for k in ("email", "phone") if getattr(t, k)}
    if t.outputs:
        rec["outputs"] = [output_to_record(o) for o in sorted(t.outputs, key=lambda o: o.id)]
    return rec


def output_to_record(o: Output) -> dict[str, Any]:
    out: dict[str, Any] = {"type": o.type, "title": o.title}
    if o.year is not None:
        out["year"] = o.year
    for key in ("venue", "abstract", "url", *BIBLIOGRAPHIC):
        if getattr(o, key):
            out[key] = list(getattr(o, key)) if key in BIBLIOGRAPHIC_LISTS else getattr(o, key)
    return out


def _record_values(rec: dict[str, Any]) -> dict[str, Any]:
    contact = rec.get("contact") or {}
    return {
        "name": rec["name"],
        "name_en": rec.get("name_en", ""),
        "category": rec["category"],
        "title": rec.get("title", ""),
        "organization": rec.get("organization", ""),
        "fields": list(rec["fields"]),
        "research_directions": list(rec["research_directions"]),
        "bio": rec.get("bio", ""),
        "languages": list(rec.get("languages", [])),
        "available_for_consultation": bool(rec.get("available_for_consultation", True)),
        "email": contact.get("email", ""),
        "phone": contact.get("phone", ""),
    }


def _certification(rec: dict[str, Any], actor: Actor, talent: Talent | None) -> dict[str, Any]:
    """The certified facts an import may set: only those the file states, only by someone who may
    certify. A new talent the file says nothing about is ``pending`` with no date (an import is
    not a certification, and its day is not the certification's); an existing one keeps its own."""
    stated = {k: rec[k] for k in ("certification_status", "certified_on") if k in rec}
    if stated and not allowed(actor, "talent.certify", talent):
        raise ValidationError("only a commissioner may import certification data",
                              dict.fromkeys(stated, "not allowed to certify"), code="certify.not_allowed")
    out: dict[str, Any] = {}
    if "certification_status" in stated:
        out["certification_status"] = stated["certification_status"]
    elif talent is None:
        out["certification_status"] = "pending"
    if "certified_on" in stated:
        try:
            out["certified_on"] = date.fromisoformat(stated["certified_on"])
        except (TypeError, ValueError):
            raise ValidationError(f"certified_on: no such date {stated['certified_on']!r}",
                                  {"certified_on": "not a date (YYYY-MM-DD)"}, code="date.format") from None
    elif talent is None:
        out["certified_on"] = None
    return out


def apply_record(session: Session, rec: dict[str, Any], actor: Actor) -> tuple[Talent, str]:
    """Create or update the talent a record describes (matched by its stable id).

    Returns the talent and what happened: ``created``, ``updated`` or ``unchanged``.
    Outputs are matched by (type, title) so unchanged ones keep their identity
    and history. Contact data is left alone when the record carries none, so an
    export without contact data re-imports without erasing it.
    """
    require(actor, "talent.import")
    errors = validate_record(rec)
    if errors:
        raise ValidationError("; ".join(map(str, errors)), {e.field: e.message for e in errors}, code="profile.invalid")
    values = _record_values(rec)
    if "contact" not in rec:
        values.pop("email")
        values.pop("phone")
    talent = session.scalar(select(Talent).where(Talent.external_id == rec["id"]))
    values.update(_certification(rec, actor, talent))
    created = talent is None
    if talent is None:
        talent = Talent(external_id=rec["id"], **values)
        session.add(talent)
        session.flush()
        before, before_outputs = {}, {}
    else:
        before = revisions.snapshot_talent(talent)
        before_outputs = {o.id: revisions.snapshot_output(o) for o in talent.outputs}
        for key, value in values.items():
            if getattr(talent, key) != value:
                setattr(talent, key, value)
    _replace_outputs(session, talent, rec.get("outputs", []))
    session.flush()
    after_outputs = {o.id: revisions.snapshot_output(o) for o in talent.outputs}
    changes = revisions.diff(before, revisions.snapshot_talent(talent)) if not created else []
    changes += revisions.diff_outputs(before_outputs, after_outputs)
    if created:
        revisions.record(session, talent, actor, "create", [
            {"field": k, "old": None, "new": v} for k, v in revisions.snapshot_talent(talent).items()
        ] + changes)
    elif changes:
        talent.updated_at = utcnow()
        revisions.record(session, talent, actor, "import", changes)
    else:
        return talent, "unchanged"
    queue_sync(session, talent.external_id)
    return talent, "created" if created else "updated"


def _replace_outputs(session: Session, talent: Talent, records: list[dict[str, Any]]) -> None:
    existing: dict[tuple[str, str], list[Output]] = {}
    for o in sorted(talent.outputs, key=lambda o: o.id):
        existing.setdefault((o.type, o.title), []).append(o)
    keep: list[Output] = []
    for r in records:
        candidates = existing.get((r["type"], r["title"]))
        o = candidates.pop(0) if candidates else Output(type=r["type"], title=r["title"])
        o.year = r.get("year")
        o.venue = r.get("venue", "")
        o.abstract = r.get("abstract", "")
        o.url = r.get("url", "")
        for key in BIBLIOGRAPHIC:
            setattr(o, key, list(r.get(key, [])) if key in BIBLIOGRAPHIC_LISTS else r.get(key, ""))
        keep.append(o)
    talent.outputs[:] = keep


# --- self-service and staff edits ---------------------------------------------------------------

def _check_version(talent: Talent, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != talent.version:
        raise Conflict(
            "this profile was changed by someone else after you opened it; reload to see their changes",
            code="conflict.changed")


def _validated(talent: Talent, changes: dict[str, Any]) -> None:
    """Validate the profile as it would be after ``changes``, with the import schema."""
    merged = talent_to_record(talent, include_contact=True)
    for key, value in changes.items():
        if key in ("email", "phone"):
            merged.setdefault("contact", {})[key] = value
            if not value:
                merged["contact"].pop(key)
        elif key in ("certification_status", "certified_on", "accepts_event_invitations"):
            continue
        elif value in ("", None) and key in ("name_en", "title", "organization", "bio"):
            merged.pop(key, None)
        else:
            merged[key] = value
    errors = validate_record(merged)
    status = changes.get("certification_status")
    if status is not None and status not in CERTIFICATION_STATUSES:
        errors.append(RecordError("certification_status", f"unknown status {status!r}"))
    certified_on = changes.get("certified_on")
    if certified_on is not None and not isinstance(certified_on, date):
        errors.append(RecordError("certified_on", "must be a date"))
    if errors:
        raise ValidationError("; ".join(map(str, errors)), {e.field: e.message for e in errors}, code="profile.invalid")


def update_profile(
    session: Session, actor: Actor, talent: Talent, changes: dict[str, Any], expected_version: int | None
) -> Revision | None:
    """Apply an edit of profile fields.

    A talent's changes to reviewed facts wait as a pending revision for a
    commissioner; certified facts are refused outright unless the actor is staff.
    """
    require(actor, "talent.edit", talent)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"not editable: {', '.join(sorted(unknown))}",
                              code="edit.unknown_fields", params={"fields": ", ".join(sorted(unknown))})
    changes = {k: v for k, v in changes.items() if getattr(talent, k) != v}
    if any(k in CERTIFIED_FACTS for k in changes):
        require(actor, "talent.certify", talent)
    _check_version(talent, expected_version)
    _validated(talent, changes)
    staff = actor.is_system or actor.role in STAFF
    pending = {k: v for k, v in changes.items() if k in REVIEWED_FACTS and not staff}
    direct = {k: v for k, v in changes.items() if k not in pending}
    before = revisions.snapshot_talent(talent)
    for key, value in direct.items():
        setattr(talent, key, value)
    rev = None
    if direct:
        talent.updated_at = utcnow()
        rev = revisions.record(session, talent, actor, "edit", revisions.diff(before, revisions.snapshot_talent(talent)))
        queue_sync(session, talent.external_id)
    if pending:
        rev = revisions.record(
            session, talent, actor, "proposal",
            [{"field": k, "old": before[k], "new": v} for k, v in pending.items()], status="pending",
        )
    _flush(session)
    return rev


def review_proposal(session: Session, actor: Actor, revision: Revision, approve: bool) -> None:
    """A commissioner accepts or rejects a talent's proposed change to reviewed facts."""
    require(actor, "talent.review")
    if revision.status != "pending":
        raise Conflict("this proposal was already reviewed", code="review.already")
    talent = get_talent(session, revision.talent_external_id)
    revision.status = "approved" if approve else "rejected"
    if approve:
        update_profile(session, actor, talent, {c["field"]: c["new"] for c in revision.changes}, None)
    revisions.record(session, talent, actor, "review", [
        {"field": "proposal", "old": revision.id, "new": revision.status}
    ])
    _flush(session)


def pending_proposals(session: Session) -> list[Revision]:
    return list(session.scalars(select(Revision).where(Revision.status == "pending").order_by(Revision.at)))


def _output_values(values: dict[str, Any]) -> dict[str, Any]:
    rec = {k: v for k, v in values.items() if k in revisions.OUTPUT_FIELDS and v not in (None, "")}
    probe = {"id": "x", "name": "x", "category": "A", "fields": ["banking"], "research_directions": ["x"],
             "outputs": [rec]}
    errors = [e for e in validate_record(probe) if e.field.startswith("outputs")]
    if errors:
        raise ValidationError(
            "; ".join(str(e).replace("outputs[0].", "") for e in errors),
            {e.field.replace("outputs[0].", ""): e.message for e in errors}, code="profile.invalid")
    out = {
        "type": rec["type"], "title": rec["title"], "year": rec.get("year"),
        "venue": rec.get("venue", ""), "abstract": rec.get("abstract", ""), "url": rec.get("url", ""),
    }
    for key in BIBLIOGRAPHIC:
        if key in values:
            out[key] = list(rec.get(key, [])) if key in BIBLIOGRAPHIC_LISTS else rec.get(key, "")
    return out


def add_output(
    session: Session, actor: Actor, talent: Talent, values: dict[str, Any], expected_version: int | None
) -> Output:
    return add_outputs(session, actor, talent, [values], expected_version)[0]


def add_outputs(
    session: Session, actor: Actor, talent: Talent, values: list[dict[str, Any]], expected_version: int | None,
    action: str = "edit",
) -> list[Output]:
    """Add several outputs as one change: one revision (``action`` names how, e.g. a harvest), one sync."""
    require(actor, "talent.edit", talent)
    _check_version(talent, expected_version)
    outputs = [Output(**_output_values(v)) for v in values]
    talent.outputs.extend(outputs)
    talent.updated_at = utcnow()  # bumps the version: output edits conflict like profile edits
    session.flush()
    revisions.record(session, talent, actor, action,
                     revisions.diff_outputs({}, {o.id: revisions.snapshot_output(o) for o in outputs}))
    queue_sync(session, talent.external_id)
    _flush(session)
    return outputs


def _own_output(talent: Talent, output_id: int) -> Output:
    for o in talent.outputs:
        if o.id == output_id:
            return o
    raise NotFound(f"talent {talent.external_id} has no output #{output_id}", code="output.not_found")


def update_output(
    session: Session, actor: Actor, talent: Talent, output_id: int, values: dict[str, Any],
    expected_version: int | None,
) -> Output:
    require(actor, "talent.edit", talent)
    _check_version(talent, expected_version)
    output = _own_output(talent, output_id)
    before = revisions.snapshot_output(output)
    for key, value in _output_values(values).items():
        setattr(output, key, value)
    after = revisions.snapshot_output(output)
    if before != after:
        talent.updated_at = utcnow()
        revisions.record(session, talent, actor, "edit", revisions.diff_outputs({output.id: before}, {output.id: after}))
        queue_sync(session, talent.external_id)
    _flush(session)
    return output


def delete_output(
    session: Session, actor: Actor, talent: Talent, output_id: int, expected_version: int | None
) -> None:
    require(actor, "talent.edit", talent)
    _check_version(talent, expected_version)
    output = _own_output(talent, output_id)
    snap = revisions.snapshot_output(output)
    talent.outputs.remove(output)
    talent.updated_at = utcnow()
    revisions.record(session, talent, actor, "edit", revisions.diff_outputs({output_id: snap}, {}))
    queue_sync(session, talent.external_id)
    _flush(session)


def delete_talent(session: Session, actor: Actor, talent: Talent) -> None:
    require(actor, "talent.delete", talent)
    revisions.record(session, talent, actor, "delete", [
        {"field": k, "old": v, "new": None} for k, v in revisions.snapshot_talent(talent).items()
    ])
    queue_sync(session, talent.external_id)
    session.delete(talent)
    _flush(session)


def queue_sync(session: Session, external_id: str) -> None:
    """Ask the index to catch up with this talent; the worker reads its state then."""
    enqueue(session, SEARCH_TOPIC, {"talent": external_id})


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(
            "this profile was changed by someone else at the same moment; reload to see their changes",
            code="conflict.changed") from exc
