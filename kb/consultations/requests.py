"""Filing, editing, finding and moving consultation requests.

A request belongs to the unit of the researcher who filed it; visibility and
management rights follow from that (``kb.permissions``). Every change here is
audited under object type ``consultation`` with the request id, which is what
``request_trail`` reads back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb.actors import Actor
from kb.audit import audit
from kb.audit_view import ShownEntry, shown
from kb.consultations import notices, states
from kb.consultations.enums import InvitationState, RequestState
from kb.errors import Conflict, Message, NotFound, PermissionDenied, ValidationError
from kb.models import AuditEvent, User, utcnow
from kb.models.consultation import (
    CONFIDENTIALITY,
    FORMS,
    ConsultationAdvice,
    ConsultationInvitation,
    ConsultationRequest,
)
from kb.permissions import allowed, require
from kb.roles import Role
from kb.taxonomy import load_taxonomy
from kb.visibility import invitation_visible

EDITABLE = ("title", "background", "questions", "fields", "deadline", "experts_wanted", "form",
            "confidentiality", "parties", "org_cap")
EDITABLE_STATES = frozenset({RequestState.DRAFT, RequestState.OPEN})
SCOPES = ("mine", "unit", "invited", "visible")


def _clean_parties(value: Any, errors: dict[str, str]) -> list[str]:
    if isinstance(value, str):
        value = value.replace("；", "\n").replace(";", "\n").replace("，", "\n").splitlines()
    if not isinstance(value, list | tuple):
        errors["parties"] = Message("a list of organization names", "request.parties")
        return []
    out: list[str] = []
    for name in value:
        name = str(name).strip()
        if name and name not in out:
            if len(name) > 200:
                errors["parties"] = Message("organization names are at most 200 characters", "record.max_length", n=200)
            out.append(name)
    if len(out) > 50:
        errors["parties"] = Message("at most 50 parties", "record.max_items", n=50)
    return out


def validate(values: dict[str, Any], today: date, *, deadline_may_be_past: bool = False) -> dict[str, Any]:
    """Normalise and check request fields; raises ValidationError with one message per field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    title = str(values.get("title", "")).strip()
    if not title or len(title) > 300:
        errors["title"] = Message("a title of 1 to 300 characters is required", "request.title", max=300)
    out["title"] = title
    out["background"] = str(values.get("background", "") or "").strip()
    out["questions"] = str(values.get("questions", "") or "").strip()
    if not out["background"] and not out["questions"]:
        errors["questions"] = Message("describe the need: the background or the questions to answer",
                                      "request.need")
    fields = values.get("fields") or []
    fields = [fields] if isinstance(fields, str) else list(fields)
    known = load_taxonomy().fields
    bad = [f for f in fields if f not in known]
    if bad:
        errors["fields"] = Message(f"unknown field code(s): {', '.join(map(str, bad))}", "record.unknown_field")
    out["fields"] = list(dict.fromkeys(fields))
    deadline = values.get("deadline")
    if isinstance(deadline, str) and deadline:
        try:
            deadline = date.fromisoformat(deadline)
        except ValueError:
            errors["deadline"] = Message("a date as YYYY-MM-DD", "request.deadline.format")
    if isinstance(deadline, datetime):
        deadline = deadline.date()
    if not isinstance(deadline, date):
        errors.setdefault("deadline", Message("a deadline is required", "request.deadline.required"))
    elif deadline < today and not deadline_may_be_past:
        errors["deadline"] = Message("the deadline is in the past", "request.deadline.past")
    out["deadline"] = deadline if isinstance(deadline, date) else None
    for key, low, high, default in (("experts_wanted", 1, 30, 3), ("org_cap", 1, 30, None)):
        raw = values.get(key, default)
        if raw in (None, ""):
            out[key] = None
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = low - 1
        if not low <= number <= high:
            errors[key] = Message(f"a whole number from {low} to {high}", "number.range", low=low, high=high)
        out[key] = number
    if out["experts_wanted"] is None:
        errors["experts_wanted"] = Message("a whole number from 1 to 30", "number.range", low=1, high=30)
    out["form"] = values.get("form") or "written"
    if out["form"] not in FORMS:
        errors["form"] = Message(f"one of {', '.join(FORMS)}", "record.enum")
    out["confidentiality"] = values.get("confidentiality") or "unit"
    if out["confidentiality"] not in CONFIDENTIALITY:
        errors["confidentiality"] = Message(f"one of {', '.join(CONFIDENTIALITY)}", "record.enum")
    out["parties"] = _clean_parties(values.get("parties") or [], errors)
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="request.invalid")
    return out


def create_request(session: Session, actor: Actor, values: dict[str, Any], *, unit: str = "") -> ConsultationRequest:
    """File a request as a draft for the actor's unit (an admin may name the unit)."""
    require(actor, "consultation.create")
    clean = validate(values, utcnow().date())
    unit = (unit if actor.role == Role.ADMIN or actor.is_system else "") or actor.unit
    if not unit:
        raise ValidationError("a request belongs to a policy unit: this account has none",
                              {"unit": "the account has no unit"}, code="request.no_unit")
    request = ConsultationRequest(unit=unit, requester_id=actor.user_id, state=RequestState.DRAFT.value, **clean)
    session.add(request)
    session.flush()
    states.record(session, actor, request, "", RequestState.DRAFT.value, "filed")
    audit(session, actor, "consultation.create", "consultation", request.id, _jsonable(clean))
    session.flush()
    return request


def update_request(
    session: Session, actor: Actor, request: ConsultationRequest, changes: dict[str, Any],
    expected_version: int | None = None,
) -> ConsultationRequest:
    require(actor, "consultation.manage", request)
    if request.state not in EDITABLE_STATES:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: only draft or open requests can be edited",
                       code="request.not_editable")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"not editable: {', '.join(sorted(unknown))}",
                              code="edit.unknown_fields", params={"fields": ", ".join(sorted(unknown))})
    if expected_version is not None and int(expected_version) != request.version:
        raise Conflict("this request was changed by someone else after you opened it; reload to see the changes",
                       code="conflict.changed")
    current = {k: getattr(request, k) for k in EDITABLE}
    clean = validate({**current, **changes}, utcnow().date(), deadline_may_be_past="deadline" not in changes)
    diff = {k: {"old": current[k], "new": v} for k, v in clean.items() if current[k] != v}
    for key in diff:
        setattr(request, key, clean[key])
    if diff:
        audit(session, actor, "consultation.edit", "consultation", request.id, _jsonable(diff))
    _flush(session)
    return request


def get_request(session: Session, actor: Actor, request_id: int) -> ConsultationRequest:
    """The request if ``actor`` may see it: NotFound or PermissionDenied otherwise."""
    request = session.get(ConsultationRequest, request_id)
    if request is None:
        raise NotFound(f"no consultation #{request_id}", code="consultation.not_found")
    require(actor, "consultation.view", request)
    return request


def get_invitation(session: Session, actor: Actor, invitation_id: int) -> ConsultationInvitation:
    invitation = session.get(ConsultationInvitation, invitation_id)
    if invitation is None:
        raise NotFound(f"no consultation invitation #{invitation_id}", code="consultation.invitation.not_found")
    require(actor, "consultation.view", invitation.request)
    if not invitation_visible(actor, invitation):
        raise PermissionDenied(f"{actor.label} may not see consultation invitation #{invitation_id}",
                               code="permission.invitation")
    return invitation


def get_advice(session: Session, actor: Actor, advice_id: int) -> ConsultationAdvice:
    """A piece of advice, if ``actor`` may see its request (rating and adoption then check their own rights)."""
    advice = session.get(ConsultationAdvice, advice_id)
    if advice is None:
        raise NotFound(f"no advice #{advice_id}", code="advice.not_found")
    get_request(session, actor, advice.invitation.request_id)
    return advice


def list_requests(session: Session, actor: Actor, scope: str = "visible", limit: int = 500) -> list[ConsultationRequest]:
    """Requests for a list page: ``mine`` (filed by me), ``unit`` (my unit's),
    ``invited`` (I am invited to) or ``visible`` (everything I may see)."""
    require(actor, "consultation.list")
    if scope not in SCOPES:
        raise ValidationError(f"scope must be one of {', '.join(SCOPES)}", code="record.enum")
    stmt = select(ConsultationRequest).order_by(ConsultationRequest.id.desc()).limit(limit)
    if scope == "mine":
        stmt = stmt.where(ConsultationRequest.requester_id == actor.user_id)
    elif scope == "unit":
        stmt = stmt.where(ConsultationRequest.unit == actor.unit)
    elif scope == "invited":
        stmt = stmt.where(ConsultationRequest.invitations.any(ConsultationInvitation.talent_id == actor.talent_id))
    elif actor.role != Role.ADMIN:
        visible = [ConsultationRequest.confidentiality == "public"]
        if actor.role == Role.RESEARCHER and actor.unit:
            visible.append(ConsultationRequest.unit == actor.unit)
        if actor.talent_id is not None:
            visible.append(ConsultationRequest.invitations.any(ConsultationInvitation.talent_id == actor.talent_id))
        stmt = stmt.where(or_(*visible))
    return [r for r in session.scalars(stmt) if allowed(actor, "consultation.view", r)]


def open_request(session: Session, actor: Actor, request: ConsultationRequest, note: str = "") -> None:
    """Publish a draft: from now on experts can be recommended and invited."""
    require(actor, "consultation.manage", request)
    states.move(session, actor, request, RequestState.OPEN, note)
    _flush(session)


def cancel_request(session: Session, actor: Actor, request: ConsultationRequest, reason: str) -> None:
    require(actor, "consultation.manage", request)
    if not reason.strip():
        raise ValidationError("say why the request is cancelled", {"reason": "required"}, code="reason.required")
    states.move(session, actor, request, RequestState.CANCELLED, reason.strip())
    for inv in request.invitations:
        if inv.state in (InvitationState.INVITED, InvitationState.ACCEPTED):
            notices.tell_talent(session, inv, "cancelled", f"该咨询已取消。原因：{reason.strip()}")
    _flush(session)


def mark_answered(session: Session, actor: Actor, request: ConsultationRequest, note: str = "") -> None:
    """End the answering phase by hand (e.g. at the deadline), once some advice is in."""
    require(actor, "consultation.manage", request)
    if not any(i.advice is not None for i in request.invitations):
        raise Conflict("no advice has been submitted yet", code="request.no_advice")
    states.move(session, actor, request, RequestState.ANSWERED, note or "marked answered by hand")
    _flush(session)


def close_request(session: Session, actor: Actor, request: ConsultationRequest, note: str = "") -> None:
    require(actor, "consultation.manage", request)
    states.move(session, actor, request, RequestState.CLOSED, note)
    _flush(session)


# The moves a person makes by hand; ``invited`` and ``in_progress`` follow from
# inviting experts and from their acceptance, never directly.
#: The moves a manager makes by hand: (session, actor, request, note or reason).
MANUAL_MOVES: dict[RequestState, Callable[[Session, Actor, ConsultationRequest, str], None]] = {
    RequestState.OPEN: open_request, RequestState.ANSWERED: mark_answered,
    RequestState.CLOSED: close_request, RequestState.CANCELLED: cancel_request,
}


def moves_now(actor: Actor | None, request: ConsultationRequest) -> list[RequestState]:
    """The hand moves ``actor`` may make on ``request`` now, in life-cycle order.

    What the page's flow box offers: a move of ``MANUAL_MOVES`` that the state
    table allows from the current state, and "answered" only once some advice
    is in (``mark_answered`` refuses it before). Nothing for someone who does
    not manage the request.
    """
    if actor is None or not allowed(actor, "consultation.manage", request):
        return []
    allowed_next = states.TRANSITIONS.get(RequestState(request.state), frozenset())
    has_advice = any(i.advice is not None for i in request.invitations)
    return [to for to in RequestState
            if to in MANUAL_MOVES and to in allowed_next and (to != RequestState.ANSWERED or has_advice)]


def open_for_experts(session: Session, actor: Actor) -> list[ConsultationRequest]:
    """``actor``'s requests whose expert list may still change (draft, open, invited, in progress):
    the choices of "加入咨询" on a profile or a search result."""
    if not allowed(actor, "consultation.list"):
        return []
    return [r for r in list_requests(session, actor, "visible")
            if r.state in states.SELECTING and allowed(actor, "consultation.manage", r)]


def transition(session: Session, actor: Actor, request: ConsultationRequest, to: RequestState, note: str = "") -> None:
    """Move ``request`` to ``to`` by hand: the one entry point the page and the API both call."""
    move = MANUAL_MOVES.get(to)
    if move is None:
        names = ", ".join(MANUAL_MOVES)
        raise ValidationError(f"a request is moved by hand only to {names}", {"to": f"one of {names}"},
                              code="record.enum")
    move(session, actor, request, note)


def request_trail(session: Session, actor: Actor, request: ConsultationRequest) -> list[ShownEntry]:
    """Every audited step of one request, oldest first, each shown as far as ``actor`` may see it
    (an auditor who does not manage the request reads its facts, not its invitees)."""
    if not allowed(actor, "audit.view"):
        require(actor, "consultation.manage", request)
    require(actor, "consultation.view", request)
    return shown(session, actor, session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "consultation", AuditEvent.object_id == str(request.id))
        .order_by(AuditEvent.id)
    ))


def requester_name(session: Session, request: ConsultationRequest) -> str:
    user = session.get(User, request.requester_id) if request.requester_id else None
    return (user.display_name or user.username) if user else ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict("this request was changed by someone else at the same moment; reload and try again",
                       code="conflict.changed") from exc
