"""Who hears about each step, and what the message says.

Everything goes through ``kb.notifications.notify`` (inbox row + queued mail in
the caller's transaction). For confidential requests the message carries no
title or content: mail leaves the platform, so it only says that something
happened and links back to the page behind the login. Recipients pass the same
rule as the pages (``kb.visibility``): news of an invitation reaches only those
who may read it there.

A subject says in plain words what happened and to which request, in the
recipient's language (``kb.notifications.subjects``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.labels import Words
from kb.models import Talent, User
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.notifications import notify
from kb.notifications.subjects import subject_line
from kb.roles import Role
from kb.visibility import invitation_visible, request_managed


def request_link(request: ConsultationRequest) -> str:
    return f"/consultations/{request.id}"


def invitation_link(invitation: ConsultationInvitation) -> str:
    return f"/consultations/invitations/{invitation.id}"


def talent_accounts(session: Session, talent: Talent) -> list[User]:
    return list(session.scalars(select(User).where(User.talent_id == talent.id, User.active.is_(True))))


def request_owners(session: Session, request: ConsultationRequest) -> list[User]:
    """The requester, or (when that account is gone or no longer runs the request, e.g. it changed
    unit) the unit's researchers: only accounts that may manage the request."""
    requester = request.requester
    if requester is not None and requester.active and request_managed(Actor.of(requester), request):
        return [requester]
    return [u for u in session.scalars(select(User).where(
        User.role == Role.RESEARCHER.value, User.unit == request.unit, User.active.is_(True)))
        if request_managed(Actor.of(u), request)]


#: What happened, by notice kind: the start of the subject, in Chinese and English.
WHAT: dict[str, Words] = {
    "invited": ("咨询邀请", "Invitation to advise"),
    "reminder": ("咨询答复即将截止", "The answer deadline is near"),
    "cancelled": ("咨询已取消", "Consultation cancelled"),
    "rated": ("您的咨询意见已获评价", "Your advice was rated"),
    "adopted": ("您的咨询意见有了采纳进展", "News on the adoption of your advice"),
    "accepted": ("专家已接受邀请", "An expert accepted"),
    "declined": ("专家婉拒了邀请", "An expert declined"),
    "conflict": ("专家申报利益冲突并回避", "An expert declared a conflict of interest"),
    "advice": ("收到专家意见", "Advice received"),
    "evaluation": ("采纳意见一年期效果评估", "One year on: assess the adopted advice"),
}
def subject(request: ConsultationRequest, kind: str, language: str = "zh") -> str:
    """What happened and to which request, in ``language``; a confidential request's title stays out."""
    zh, en = WHAT[kind]
    if request.confidentiality == "confidential":
        return f"{en} (a confidential consultation: details after logging in)" if language == "en" \
            else f"{zh}（保密咨询，详情请登录查看）"
    return subject_line(WHAT[kind], request.title, language)


def _body(request: ConsultationRequest, text: str) -> str:
    if request.confidentiality == "confidential":
        return f"{text}\n（保密事项：详情请登录平台查看。）"
    return text


def tell(
    session: Session, users: Iterable[User], kind: str, request: ConsultationRequest, text: str, link: str,
) -> None:
    """Notify each user with the subject of ``kind`` in that user's language."""
    for user in users:
        notify(session, [user], f"consultation.{kind}", subject(request, kind, user.preferred_language),
               _body(request, text), link)


def tell_talent(session: Session, invitation: ConsultationInvitation, kind: str, text: str) -> None:
    users = [u for u in talent_accounts(session, invitation.talent) if invitation_visible(Actor.of(u), invitation)]
    tell(session, users, kind, invitation.request, text, invitation_link(invitation))


def tell_owners(session: Session, request: ConsultationRequest, kind: str, text: str) -> None:
    tell(session, request_owners(session, request), kind, request, text, request_link(request))
