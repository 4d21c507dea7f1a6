"""The read side of talent profiles, with the permission rules applied.

Views never read contact data off the model themselves: they ask ``profile_view``,
which leaves contact data out for roles that may not see it and writes an audit
entry whenever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.models import Revision, Talent
from kb.permissions import allowed, require
from kb.talents import revisions
from kb.visibility import contact_visible


@dataclass(frozen=True)
class ProfileView:
    talent: Talent
    contact: dict[str, str] | None  # None: not shown to this actor
    can_edit: bool
    can_certify: bool
    can_see_history: bool


def profile_view(session: Session, actor: Actor, talent: Talent) -> ProfileView:
    require(actor, "talent.view", talent)
    contact = None
    if contact_visible(actor, talent):
        contact = {"email": talent.email, "phone": talent.phone}
        if not actor.is_system and actor.talent_id != talent.id and (talent.email or talent.phone):
            audit(session, actor, "contact.view", "talent", talent.external_id, {})
    return ProfileView(
        talent=talent,
        contact=contact,
        can_edit=allowed(actor, "talent.edit", talent),
        can_certify=allowed(actor, "talent.certify", talent),
        can_see_history=allowed(actor, "talent.history", talent),
    )


def profile_history(session: Session, actor: Actor, talent: Talent) -> list[dict[str, Any]]:
    """Revisions of a profile, with contact values hidden from those who may not see them."""
    require(actor, "talent.history", talent)
    show_contact = contact_visible(actor, talent)
    out = []
    for rev in revisions.history(session, talent):
        out.append({
            "id": rev.id,
            "at": rev.at,
            "actor": rev.actor_label,
            "action": rev.action,
            "status": rev.status,
            "delegated": rev.delegated,
            "changes": rev.changes if show_contact else revisions.redact_contact(rev.changes),
        })
    return out


def public_dict(talent: Talent, contact: dict[str, str] | None = None) -> dict[str, Any]:
    """A talent for the JSON API; contact appears only when the caller was allowed it."""
    data: dict[str, Any] = {
        "id": talent.external_id,
        "name": talent.name,
        "name_en": talent.name_en,
        "category": talent.category,
        "certification_status": talent.certification_status,
        "certified_on": talent.certified_on.isoformat() if talent.certified_on else None,
        "title": talent.title,
        "organization": talent.organization,
        "fields": list(talent.fields),
        "research_directions": list(talent.research_directions),
        "bio": talent.bio,
        "languages": list(talent.languages),
        "available_for_consultation": talent.available_for_consultation,
        "updated_at": talent.updated_at.isoformat() + "Z",
        "version": talent.version,
        "outputs": [
            {"id": o.id, "type": o.type, "title": o.title, "year": o.year, "venue": o.venue,
             "abstract": o.abstract, "url": o.url}
            for o in talent.outputs
        ],
    }
    if contact is not None:
        data["contact"] = contact
    return data


def pending_for(session: Session, talent: Talent) -> list[Revision]:
    from sqlalchemy import select

    return list(session.scalars(
        select(Revision).where(Revision.talent_id == talent.id, Revision.status == "pending")
    ))
