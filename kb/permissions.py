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
    "event.manage": frozenset({"organizer", "admin"}),
    "event.view": ALL_ROLES,
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


OBJECT_RULES: dict[str, Callable[[Actor, Any], bool]] = {
    "talent.edit": _talent_scoped,
    "talent.history": _talent_scoped,
    "talent.view_contact": _contact,
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
