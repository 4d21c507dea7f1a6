"""Who hears about each step, and what the message says.

Everything goes through ``kb.notifications.notify`` (inbox row + queued mail in
the caller's transaction). For confidential requests the message carries no
title or content: mail leaves the platform, so it only says that something
happened and links back to the page behind the login. Recipients pass the same
rule as the pages (``kb.visibility``): news of an invitation reaches only those
who may read it there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.models import Talent, User
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.notifications import notify
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


def _subject(request: ConsultationRequest, what: str) -> str:
    if request.confidentiality == "confidential":
        return f"[咨询 #{request.id}] {what}"
    return f"[咨询 #{request.id}] {what}：{request.title}"


def _body(request: ConsultationRequest, text: str) -> str:
    if request.confidentiality == "confidential":
        return f"{text}\n（保密事项：详情请登录平台查看。）"
    return text


def tell(
    session: Session, users: Iterable[User], kind: str, request: ConsultationRequest, what: str, text: str,
    link: str,
) -> None:
    notify(session, users, f"consultation.{kind}", _subject(request, what), _body(request, text), link)


def tell_talent(
    session: Session, invitation: ConsultationInvitation, kind: str, what: str, text: str
) -> None:
    users = [u for u in talent_accounts(session, invitation.talent) if invitation_visible(Actor.of(u), invitation)]
    tell(session, users, kind, invitation.request, what, text, invitation_link(invitation))


def tell_owners(session: Session, request: ConsultationRequest, kind: str, what: str, text: str) -> None:
    tell(session, request_owners(session, request), kind, request, what, text, request_link(request))
