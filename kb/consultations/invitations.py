"""Inviting experts and their answers: accept, decline, declare a conflict, advise.

The request's state follows the invitations: the first invitation makes it
``invited``, the first acceptance ``in_progress``, and it becomes ``answered``
as soon as advice is in and nobody is still expected to answer. Those automatic
moves are recorded with the person whose act caused them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations import notices, states
from kb.consultations.attachments import Upload, check_upload, store
from kb.consultations.enums import InvitationResponse, InvitationState, RequestState
from kb.consultations.ledger import open_ledger
from kb.consultations.screening import screen
from kb.consultations.settings import ConsultationSettings
from kb.errors import Conflict, ValidationError
from kb.filenames import display_name
from kb.models import Talent, utcnow
from kb.models.consultation import (
    ConsultationAdvice,
    ConsultationAttachment,
    ConsultationInvitation,
    ConsultationRequest,
)
from kb.permissions import require

MAX_ATTACHMENTS = 10
WAITING = (InvitationState.INVITED, InvitationState.ACCEPTED)  # still expected to answer


def invite(
    session: Session, actor: Actor, request: ConsultationRequest, talents: Iterable[Talent], *,
    settings: ConsultationSettings | None = None, now: datetime | None = None, message: str = "",
) -> list[ConsultationInvitation]:
    """Invite experts who pass screening; refuses the whole batch if any does not."""
    require(actor, "consultation.manage", request)
    settings = settings or ConsultationSettings()
    now = now or utcnow()
    talents = list(dict.fromkeys(talents))
    if not talents:
        raise ValidationError("choose at least one expert to invite", {"talents": "required"},
                              code="invite.none_chosen")
    if request.state not in states.INVITING:
        raise states.IllegalTransition(
            f"consultation #{request.id} is {request.state!r}: experts can be invited only when it is open or running",
            code="consultation.state.inviting")
    already = {i.talent_id for i in request.invitations}
    twice = [t.external_id for t in talents if t.id in already]
    if twice:
        raise Conflict(f"already invited: {', '.join(twice)}",
                       code="invite.already", params={"names": ", ".join(t.name for t in talents if t.id in already)})
    refused = {t.external_id: r for t in talents if (r := screen(session, request, [t], settings, now)[t.id])}
    if refused:
        raise ValidationError(
            "cannot invite: " + "; ".join(f"{tid} ({', '.join(r.text for r in rs)})" for tid, rs in refused.items()),
            {tid: ", ".join(r.code for r in rs) for tid, rs in refused.items()},
            code="invite.screened", params={"names": ", ".join(t.name for t in talents if t.external_id in refused)})
    if request.state == RequestState.OPEN:
        states.move(session, actor, request, RequestState.INVITED, f"{len(talents)} expert(s) invited")
    created = []
    for t in talents:
        inv = ConsultationInvitation(talent=t, state=InvitationState.INVITED.value, invited_at=now, invited_by=actor.label,
                                     message=message.strip())
        request.invitations.append(inv)
        session.flush()
        accounts = notices.talent_accounts(session, t)
        audit(session, actor, "consultation.invite", "consultation", request.id,
              {"talent": t.external_id, "invitation": inv.id, "notified": len(accounts)})
        deadline = request.deadline.isoformat() if request.deadline else "—"
        notices.tell_talent(session, inv, "invited",
                            f"{request.unit} 邀请您参与专家咨询，答复截止日期：{deadline}。{message}".strip())
        created.append(inv)
    session.flush()
    return created


def _respond_check(actor: Actor, invitation: ConsultationInvitation, states_from: tuple[InvitationState, ...]) -> None:
    require(actor, "consultation.respond", invitation)
    request = invitation.request
    if request.state not in states.RESPONDING:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: answers are no longer taken",
                       code="invitation.closed")
    if invitation.state not in states_from:
        raise Conflict(f"this invitation is {invitation.state!r} already", code="invitation.answered")


def accept(session: Session, actor: Actor, invitation: ConsultationInvitation, *, now: datetime | None = None) -> None:
    _respond_check(actor, invitation, (InvitationState.INVITED,))
    _accept(session, actor, invitation, now or utcnow())
    session.flush()


def _accept(session: Session, actor: Actor, invitation: ConsultationInvitation, now: datetime) -> None:
    invitation.state = InvitationState.ACCEPTED.value
    invitation.responded_at = invitation.responded_at or now
    invitation.accepted_at = now
    request = invitation.request
    audit(session, actor, "consultation.accept", "consultation", request.id,
          {"talent": invitation.talent.external_id, "invitation": invitation.id})
    if request.state == RequestState.INVITED:
        states.move(session, actor, request, RequestState.IN_PROGRESS, f"{invitation.talent.external_id} accepted")
    notices.tell_owners(session, request, "accepted", f"{invitation.talent.name} 已接受咨询邀请。")


def decline(session: Session, actor: Actor, invitation: ConsultationInvitation, reason: str, *,
            now: datetime | None = None) -> None:
    _respond_check(actor, invitation, (InvitationState.INVITED,))
    reason = _required(reason)
    invitation.state = InvitationState.DECLINED.value
    invitation.responded_at = now or utcnow()
    invitation.reason = reason
    request = invitation.request
    audit(session, actor, "consultation.decline", "consultation", request.id,
          {"talent": invitation.talent.external_id, "invitation": invitation.id, "reason": reason})
    notices.tell_owners(session, request, "declined",
                        f"{invitation.talent.name} 婉拒了咨询邀请。原因：{reason}")
    _maybe_answered(session, actor, request)
    session.flush()


def declare_conflict(session: Session, actor: Actor, invitation: ConsultationInvitation, reason: str, *,
                     now: datetime | None = None) -> None:
    """The talent's own 回避: it is excluded from this request from now on."""
    _respond_check(actor, invitation, WAITING)
    reason = _required(reason)
    invitation.state = InvitationState.CONFLICT.value
    invitation.responded_at = invitation.responded_at or now or utcnow()
    invitation.reason = reason
    request = invitation.request
    audit(session, actor, "consultation.conflict", "consultation", request.id,
          {"talent": invitation.talent.external_id, "invitation": invitation.id, "reason": reason})
    notices.tell_owners(session, request, "conflict",
                        f"{invitation.talent.name} 申报了利益冲突并回避本次咨询。说明：{reason}")
    _maybe_answered(session, actor, request)
    session.flush()


def respond(session: Session, actor: Actor, invitation: ConsultationInvitation, action: InvitationResponse,
            reason: str = "", *, now: datetime | None = None) -> None:
    """The invited talent's answer: the one entry point the page and the API both call.

    Declining and declaring a conflict need a reason; accepting ignores it.
    """
    if action is InvitationResponse.ACCEPT:
        accept(session, actor, invitation, now=now)
    elif action is InvitationResponse.DECLINE:
        decline(session, actor, invitation, reason, now=now)
    else:
        declare_conflict(session, actor, invitation, reason, now=now)


def submit_advice(
    session: Session, actor: Actor, invitation: ConsultationInvitation, text: str,
    uploads: Iterable[Upload] = (), *, data_dir: Path, settings: ConsultationSettings | None = None,
    now: datetime | None = None,
) -> ConsultationAdvice:
    """Written advice with attachments; submitting implies accepting if not done yet.

    Files are checked before anything is written; they are written before the
    transaction commits, so a failed commit can leave an unreferenced file but
    never a record pointing at a missing one.
    """
    _respond_check(actor, invitation, WAITING)
    settings = settings or ConsultationSettings()
    now = now or utcnow()
    text = (text or "").strip()
    if not text:
        raise ValidationError("the advice text is required", field="text", code="advice.text.required")
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(f"at most {MAX_ATTACHMENTS} attachments", field="attachments",
                              code="attachment.too_many", params={"max": MAX_ATTACHMENTS})
    types = [check_upload(u, settings.attachment_max_bytes) for u in uploads]
    if invitation.state == InvitationState.INVITED:
        _accept(session, actor, invitation, now)
    advice = ConsultationAdvice(text=text, submitted_at=now)
    open_ledger(advice, actor, now)
    for upload, content_type in zip(uploads, types, strict=True):
        stored, digest = store(data_dir, upload)
        advice.attachments.append(ConsultationAttachment(
            filename=display_name(upload.filename, "attachment"), stored_name=stored, content_type=content_type,
            size=len(upload.data), sha256=digest, uploaded_at=now,
        ))
    invitation.advice = advice
    invitation.state = InvitationState.ANSWERED.value
    request = invitation.request
    session.flush()
    audit(session, actor, "consultation.advice", "consultation", request.id, {
        "talent": invitation.talent.external_id, "invitation": invitation.id, "advice": advice.id,
        "attachments": [a.filename for a in advice.attachments],
    })
    notices.tell_owners(session, request, "advice", f"{invitation.talent.name} 提交了书面意见。")
    _maybe_answered(session, actor, request)
    session.flush()
    return advice


def _maybe_answered(session: Session, actor: Actor, request: ConsultationRequest) -> None:
    """Answered once some advice is in and no invited expert is still to answer."""
    if request.state != RequestState.IN_PROGRESS:
        return
    if any(i.state in WAITING for i in request.invitations):
        return
    if any(i.state == InvitationState.ANSWERED for i in request.invitations):
        states.move(session, actor, request, RequestState.ANSWERED, "every invited expert has answered or withdrawn")


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a reason is required", field="reason", code="reason.required")
    return reason
