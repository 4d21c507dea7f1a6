"""Talents' ideas for events: a topic worth a salon, or an offer to lecture.

Talents propose for themselves; organizers and admins see the list, answer
each proposal, and may link it to the event it became. The talent is told of
the answer; organizers are told of new proposals.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, Message, NotFound, ValidationError
from kb.models import Event, Talent, User, utcnow
from kb.models.event import EventProposal
from kb.notifications import notify
from kb.notifications.reach import accounts_of
from kb.permissions import ROLE_MATRIX, Permission, require

PROPOSAL_KINDS = ("topic", "lecture")
PROPOSAL_STATUSES = ("open", "accepted", "declined")


def propose(session: Session, actor: Actor, talent: Talent, kind: str, title: str,
            description: str = "") -> EventProposal:
    require(actor, "event.propose", talent)
    title, description = (title or "").strip(), (description or "").strip()
    errors: dict[str, str] = {}
    if kind not in PROPOSAL_KINDS:
        errors["kind"] = Message(f"one of {', '.join(PROPOSAL_KINDS)}", "record.enum")
    if not title or len(title) > 300:
        errors["title"] = Message("1 to 300 characters", "proposal.title")
    if len(description) > 5000:
        errors["description"] = Message("at most 5000 characters", "record.max_length", n=5000)
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="proposal.invalid")
    proposal = EventProposal(talent_id=talent.id, kind=kind, title=title, description=description)
    session.add(proposal)
    session.flush()
    audit(session, actor, "event.propose", "event_proposal", proposal.id, {"kind": kind, "title": title})
    organizers = session.scalars(select(User).where(
        User.role.in_(sorted(r.value for r in ROLE_MATRIX[Permission.EVENT_MANAGE])), User.active.is_(True)))
    label = "讲座申请" if kind == "lecture" else "活动选题建议"
    notify(session, organizers, "event.proposal", f"新的{label}：{title}", f"{talent.name}：{description[:500]}",
           "/events/proposals", email=False)
    return proposal


def list_proposals(session: Session, actor: Actor, status: str | None = None) -> list[tuple[EventProposal, Talent]]:
    require(actor, "event.manage")
    stmt = select(EventProposal, Talent).join(Talent, Talent.id == EventProposal.talent_id)
    if status:
        stmt = stmt.where(EventProposal.status == status)
    return [(p, t) for p, t in session.execute(stmt.order_by(EventProposal.id.desc())).all()]


def own_proposals(session: Session, actor: Actor, talent: Talent) -> list[EventProposal]:
    require(actor, "event.history", talent)
    return list(session.scalars(
        select(EventProposal).where(EventProposal.talent_id == talent.id).order_by(EventProposal.id.desc())))


def review_proposal(session: Session, actor: Actor, proposal_id: int, accept: bool, response: str = "",
                    event: Event | None = None) -> EventProposal:
    require(actor, "event.manage")
    proposal = session.get(EventProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}", code="proposal.not_found")
    if proposal.status != "open":
        raise Conflict(f"this proposal was already answered ({proposal.status})", code="proposal.answered")
    proposal.status = "accepted" if accept else "declined"
    proposal.response = (response or "").strip()[:2000]
    proposal.reviewed_by_id = actor.user_id
    proposal.reviewed_at = utcnow()
    proposal.event_id = event.id if event is not None else None
    session.flush()
    audit(session, actor, "event.proposal_review", "event_proposal", proposal.id, {"status": proposal.status})
    user = accounts_of(session, [proposal.talent_id]).get(proposal.talent_id)
    if user is not None:
        verdict = "已采纳" if accept else "未采纳"
        body = proposal.response or ""
        link = f"/events/{event.id}" if event is not None else "/events/mine"
        notify(session, [user], "event.proposal_reviewed", f"您的建议{verdict}：{proposal.title}", body, link)
    return proposal
