"""Who may do what: the one permission model, decided in the domain.

``ROLE_MATRIX`` is the matrix written in docs/permissions.md. Actions whose
answer depends on the object (a talent editing *its own* profile, contact data
of a talent *available for consultation*) are decided by the rules below it.
Views and the API call ``require``; they never decide by themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from kb.actors import Actor
from kb.errors import PermissionDenied
from kb.events.enums import EventStatus
from kb.roles import ALL_ROLES, STAFF, Role


class Permission(StrEnum):
    """Every action ``allowed``/``require`` know; a string not listed here is a programming error."""

    SEARCH = "search"
    TALENT_VIEW = "talent.view"
    TALENT_VIEW_CONTACT = "talent.view_contact"
    TALENT_EDIT = "talent.edit"
    TALENT_HARVEST = "talent.harvest"
    TALENT_HISTORY = "talent.history"
    TALENT_AFFILIATIONS_REMOVE = "talent.affiliations.remove"
    TALENT_CERTIFY = "talent.certify"
    TALENT_REVIEW = "talent.review"
    TALENT_CREATE = "talent.create"
    TALENT_DELETE = "talent.delete"
    TALENT_IMPORT = "talent.import"
    TALENT_EXPORT = "talent.export"
    FRESHNESS_VIEW = "freshness.view"
    FRESHNESS_REMIND = "freshness.remind"
    COMMISSIONER_ASSIGN = "commissioner.assign"
    USERS_MANAGE = "users.manage"
    USERS_INVITE = "users.invite"
    AUDIT_VIEW = "audit.view"
    DASHBOARD_VIEW = "dashboard.view"
    CAPABILITY_BUILD = "capability.build"
    CONSULTATION_CREATE = "consultation.create"
    CONSULTATION_LIST = "consultation.list"
    CONSULTATION_VIEW = "consultation.view"
    CONSULTATION_MANAGE = "consultation.manage"
    CONSULTATION_RESPOND = "consultation.respond"
    CONSULTATION_RECORD = "consultation.record"
    CONSULTATION_STATS = "consultation.stats"
    CONSULTATION_LEDGER_VIEW = "consultation.ledger.view"
    CONSULTATION_LEDGER_RECORD = "consultation.ledger.record"
    CONSULTATION_REPORT = "consultation.report"
    EVENT_MANAGE = "event.manage"
    EVENT_VIEW = "event.view"
    EVENT_REGISTER = "event.register"
    EVENT_HISTORY = "event.history"
    EVENT_FEEDBACK = "event.feedback"
    EVENT_PROPOSE = "event.propose"


P, R = Permission, Role
ROLE_MATRIX: dict[Permission, frozenset[Role]] = {
    P.SEARCH: ALL_ROLES,
    P.TALENT_VIEW: ALL_ROLES,
    P.TALENT_VIEW_CONTACT: frozenset({R.TALENT, R.RESEARCHER, R.COMMISSIONER, R.ADMIN}),
    P.TALENT_EDIT: frozenset({R.TALENT, R.COMMISSIONER, R.ADMIN}),
    P.TALENT_HISTORY: frozenset({R.TALENT, R.COMMISSIONER, R.ADMIN}),
    # Importing outputs from a file: a talent into its own profile, staff into any
    # (recorded as delegated editing).
    P.TALENT_HARVEST: frozenset({R.TALENT, R.COMMISSIONER, R.ADMIN}),
    # Conflict-of-interest screening reads the employment history: a talent adds
    # employers, only staff take one off (audited), so no one can hide a conflict.
    P.TALENT_AFFILIATIONS_REMOVE: STAFF,
    P.TALENT_CERTIFY: STAFF,
    P.TALENT_REVIEW: STAFF,
    P.TALENT_CREATE: STAFF,
    P.TALENT_DELETE: STAFF,
    P.TALENT_IMPORT: STAFF,
    P.TALENT_EXPORT: STAFF,
    # Living profiles (docs/permissions.md): staff see every talent's freshness and
    # tasks; a commissioner reminds only the talents assigned to it; admins assign.
    P.FRESHNESS_VIEW: STAFF,
    P.FRESHNESS_REMIND: STAFF,
    P.COMMISSIONER_ASSIGN: frozenset({R.ADMIN}),
    P.USERS_MANAGE: frozenset({R.ADMIN}),
    P.USERS_INVITE: STAFF,
    P.AUDIT_VIEW: STAFF,
    P.DASHBOARD_VIEW: frozenset({R.RESEARCHER, R.ORGANIZER, R.COMMISSIONER, R.ADMIN}),
    # Rebuilding the capability map (kb.capability) costs a scan of every passage vector: staff ask for it.
    P.CAPABILITY_BUILD: STAFF,
    P.CONSULTATION_CREATE: frozenset({R.RESEARCHER, R.ADMIN}),
    P.CONSULTATION_LIST: frozenset({R.TALENT, R.RESEARCHER, R.COMMISSIONER, R.ADMIN}),
    P.CONSULTATION_VIEW: ALL_ROLES,
    P.CONSULTATION_MANAGE: frozenset({R.RESEARCHER, R.ADMIN}),
    P.CONSULTATION_RESPOND: frozenset({R.TALENT}),
    P.CONSULTATION_RECORD: frozenset({R.TALENT, R.RESEARCHER, R.COMMISSIONER, R.ADMIN}),
    P.CONSULTATION_STATS: frozenset({R.RESEARCHER, R.COMMISSIONER, R.ADMIN}),
    # The adoption ledger: the requesting unit records what became of the advice;
    # commissioners read it (talents read that of their own advice, kb.visibility).
    P.CONSULTATION_LEDGER_VIEW: frozenset({R.TALENT, R.RESEARCHER, R.COMMISSIONER, R.ADMIN}),
    P.CONSULTATION_LEDGER_RECORD: frozenset({R.RESEARCHER, R.ADMIN}),
    P.CONSULTATION_REPORT: frozenset({R.RESEARCHER, R.ADMIN}),
    P.EVENT_MANAGE: frozenset({R.ORGANIZER, R.ADMIN}),
    P.EVENT_VIEW: ALL_ROLES,
    P.EVENT_REGISTER: frozenset({R.TALENT, R.ORGANIZER, R.ADMIN}),
    P.EVENT_HISTORY: frozenset({R.TALENT, R.ORGANIZER, R.ADMIN}),
    P.EVENT_FEEDBACK: frozenset({R.TALENT}),
    P.EVENT_PROPOSE: frozenset({R.TALENT}),
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
    return actor.role == R.RESEARCHER and talent is not None and bool(talent.available_for_consultation)


def _consultation_owner(actor: Actor, request: Any) -> bool:
    """A request belongs to its policy unit: that unit's researchers run it (admins any)."""
    if actor.role == R.ADMIN:
        return True
    return request is not None and bool(actor.unit) and actor.unit == request.unit


def _consultation_visible(actor: Actor, request: Any) -> bool:
    """Public requests are open to every account; the others only to the owning
    unit's researchers, the talents invited to them, and admins."""
    if request is None:
        return False
    if request.confidentiality == "public" or actor.role == R.ADMIN:
        return True
    if actor.role == R.RESEARCHER and _consultation_owner(actor, request):
        return True
    return actor.talent_id is not None and any(i.talent_id == actor.talent_id for i in request.invitations)


def _own_invitation(actor: Actor, invitation: Any) -> bool:
    return invitation is not None and actor.talent_id is not None and invitation.talent_id == actor.talent_id


def _consultation_record(actor: Actor, talent: Any) -> bool:
    """A talent sees its own consultation record; researchers and staff anyone's."""
    return actor.role != R.TALENT or _own_talent(actor, talent)


def _event_visible(actor: Actor, event: Any) -> bool:
    """Drafts are the organizers' working copies; every other state is public to accounts."""
    return event is None or event.status != EventStatus.DRAFT or actor.role in ROLE_MATRIX[P.EVENT_MANAGE]


def _self_or_event_manager(actor: Actor, talent: Any) -> bool:
    """A talent signs up (and sees its history) for itself; organizers and admins for anyone."""
    return actor.role in ROLE_MATRIX[P.EVENT_MANAGE] or _own_talent(actor, talent)


def _assigned_commissioner(actor: Actor, talent: Any) -> bool:
    """Admins remind anyone; a commissioner the talents currently assigned to it."""
    if actor.role == R.ADMIN:
        return True
    assignment = getattr(talent, "current_assignment", None)
    return assignment is not None and actor.user_id is not None and assignment.commissioner_user_id == actor.user_id


OBJECT_RULES: dict[Permission, Callable[[Actor, Any], bool]] = {
    P.FRESHNESS_REMIND: _assigned_commissioner,
    P.TALENT_EDIT: _talent_scoped,
    P.TALENT_HISTORY: _talent_scoped,
    P.TALENT_HARVEST: _talent_scoped,
    P.TALENT_VIEW_CONTACT: _contact,
    P.CONSULTATION_VIEW: _consultation_visible,
    P.CONSULTATION_MANAGE: _consultation_owner,
    P.CONSULTATION_RESPOND: _own_invitation,
    P.CONSULTATION_RECORD: _consultation_record,
    P.CONSULTATION_LEDGER_VIEW: _consultation_visible,
    P.CONSULTATION_LEDGER_RECORD: _consultation_owner,
    P.EVENT_VIEW: _event_visible,
    P.EVENT_REGISTER: _self_or_event_manager,
    P.EVENT_HISTORY: _self_or_event_manager,
    P.EVENT_FEEDBACK: _own_talent,
    P.EVENT_PROPOSE: _own_talent,
}


def permission(action: Permission | str) -> Permission:
    """The permission named ``action``; an unknown name raises ``ValueError``.

    A misspelt action (``"talent.edti"``) used to be denied silently, which
    looks exactly like a correct refusal; it is a bug in the caller, so it fails loudly.
    """
    return action if isinstance(action, Permission) else Permission(action)


def allowed(actor: Actor | None, action: Permission | str, obj: Any = None) -> bool:
    action = permission(action)
    if actor is None:
        return False
    if actor.is_system:
        return True
    if actor.role not in ROLE_MATRIX[action]:
        return False
    rule = OBJECT_RULES.get(action)
    return rule(actor, obj) if rule else True


def require(actor: Actor | None, action: Permission | str, obj: Any = None) -> None:
    if not allowed(actor, action, obj):
        who = actor.label if actor else "anonymous"
        action = permission(action)
        raise PermissionDenied(f"{who} may not {action}", code="permission.denied", params={
            "action": action.value, "roles": sorted(ROLE_MATRIX[action]),
            # The role may do this in general; this object is someone else's (its unit, its profile).
            "not_yours": actor is not None and actor.role in ROLE_MATRIX[action],
        })
