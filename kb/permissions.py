"""Who may do what: the one permission model, decided in the domain.

``ROLE_MATRIX`` is the matrix written in docs/permissions.md. Actions whose
answer depends on the object (a talent editing *its own* profile, contact data
of a talent *available for consultation*) are decided by the rules below it.
Views and the API call ``require``; they never decide by themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.actors import Actor
from kb.errors import PermissionDenied

ALL_ROLES = frozenset({"talent", "researcher", "organizer", "commissioner", "admin"})
STAFF = frozenset({"commissioner", "admin"})

ROLE_MATRIX: dict[str, frozenset[str]] = {
    "search": ALL_ROLES,
    "talent.view": ALL_ROLES,
    "talent.view_contact": frozenset({"talent", "researcher", "commissioner", "admin"}),
    "talent.edit": frozenset({"talent", "commissioner", "admin"}),
    "talent.history": frozenset({"talent", "commissioner", "admin"}),
    # Conflict-of-interest screening reads the employment history: a talent adds
    # employers, only staff take one off (audited), so no one can hide a conflict.
    "talent.affiliations.remove": STAFF,
    "talent.certify": STAFF,
    "talent.review": STAFF,
    "talent.create": STAFF,
    "talent.delete": STAFF,
    "talent.import": STAFF,
    "talent.export": STAFF,
    "users.manage": frozenset({"admin"}),
    "users.invite": STAFF,
    "audit.view": STAFF,
    "dashboard.view": frozenset({"researcher", "organizer", "commissioner", "admin"}),
    "consultation.create": frozenset({"researcher", "admin"}),
    "consultation.list": frozenset({"talent", "researcher", "commissioner", "admin"}),
    "consultation.view": ALL_ROLES,
    "consultation.manage": frozenset({"researcher", "admin"}),
    "consultation.respond": frozenset({"talent"}),
    "consultation.record": frozenset({"talent", "researcher", "commissioner", "admin"}),
    "consultation.stats": frozenset({"researcher", "commissioner", "admin"}),
    "event.manage": frozenset({"organizer", "admin"}),
    "event.view": ALL_ROLES,
    "event.register": frozenset({"talent", "organizer", "admin"}),
    "event.history": frozenset({"talent", "organizer", "admin"}),
    "event.feedback": frozenset({"talent"}),
    "event.propose": frozenset({"talent"}),
}


def _own_talent(actor: Actor, talent: Any) -> bool:
    return talent is not None and actor.talent_id is not None and actor.talent_id == talent.id


def _talent_scoped(actor: Actor, talent: Any) -> bool:
    """Talents act only on their own profile; staff on any."""
    return actor.role in STAFF or _own_talent(actor, talent)


def _contact(actor: Actor, talent: Any) -> bool:
    if actor.role in STAFF or _own_talent(actor, talent):
        return True
    # Researchers see contact data of talents who offer themselves for consultation.
    return actor.role == "researcher" and talent is not None and bool(talent.available_for_consultation)


def _consultation_owner(actor: Actor, request: Any) -> bool:
    """A request belongs to its policy unit: that unit's researchers run it (admins any)."""
    if actor.role == "admin":
        return True
    return request is not None and bool(actor.unit) and actor.unit == request.unit


def _consultation_visible(actor: Actor, request: Any) -> bool:
    """Public requests are open to every account; the others only to the owning
    unit's researchers, the talents invited to them, and admins."""
    if request is None:
        return False
    if request.confidentiality == "public" or actor.role == "admin":
        return True
    if actor.role == "researcher" and _consultation_owner(actor, request):
        return True
    return actor.talent_id is not None and any(i.talent_id == actor.talent_id for i in request.invitations)


def _own_invitation(actor: Actor, invitation: Any) -> bool:
    return invitation is not None and actor.talent_id is not None and invitation.talent_id == actor.talent_id


def _consultation_record(actor: Actor, talent: Any) -> bool:
    """A talent sees its own consultation record; researchers and staff anyone's."""
    return actor.role != "talent" or _own_talent(actor, talent)


def _event_visible(actor: Actor, event: Any) -> bool:
    """Drafts are the organizers' working copies; every other state is public to accounts."""
    return event is None or event.status != "draft" or actor.role in ROLE_MATRIX["event.manage"]


def _self_or_event_manager(actor: Actor, talent: Any) -> bool:
    """A talent signs up (and sees its history) for itself; organizers and admins for anyone."""
    return actor.role in ROLE_MATRIX["event.manage"] or _own_talent(actor, talent)


OBJECT_RULES: dict[str, Callable[[Actor, Any], bool]] = {
    "talent.edit": _talent_scoped,
    "talent.history": _talent_scoped,
    "talent.view_contact": _contact,
    "consultation.view": _consultation_visible,
    "consultation.manage": _consultation_owner,
    "consultation.respond": _own_invitation,
    "consultation.record": _consultation_record,
    "event.view": _event_visible,
    "event.register": _self_or_event_manager,
    "event.history": _self_or_event_manager,
    "event.feedback": _own_talent,
    "event.propose": _own_talent,
}


def allowed(actor: Actor | None, action: str, obj: Any = None) -> bool:
    if actor is None:
        return False
    if actor.is_system:
        return True
    if actor.role not in ROLE_MATRIX.get(action, frozenset()):
        return False
    rule = OBJECT_RULES.get(action)
    return rule(actor, obj) if rule else True


def require(actor: Actor | None, action: str, obj: Any = None) -> None:
    if not allowed(actor, action, obj):
        who = actor.label if actor else "anonymous"
        raise PermissionDenied(f"{who} may not {action}")
