"""Attendees' feedback: a rating from 1 to 5 and a comment, once per attendee.

"Attendee" means checked in: someone who registered and did not come has
nothing to rate. The unique constraint makes "once" hold under a double submit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, Message, ValidationError
from kb.events.registration import find_registration
from kb.models import Event, Talent
from kb.models.event import EventFeedback
from kb.permissions import require

MAX_COMMENT = 2000


def feedback_of(session: Session, event: Event, talent: Talent) -> EventFeedback | None:
    return session.scalar(select(EventFeedback).where(
        EventFeedback.event_id == event.id, EventFeedback.talent_id == talent.id))


def can_give_feedback(session: Session, event: Event, talent: Talent) -> bool:
    reg = find_registration(session, event.id, talent.id)
    return reg is not None and reg.checked_in_at is not None and feedback_of(session, event, talent) is None


def give_feedback(session: Session, actor: Actor, event: Event, talent: Talent, rating: int | str,
                  comment: str = "") -> EventFeedback:
    require(actor, "event.feedback", talent)
    reg = find_registration(session, event.id, talent.id)
    if reg is None or reg.checked_in_at is None:
        raise Conflict("only attendees (checked in) can give feedback on this event", code="feedback.not_attended")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    errors: dict[str, str] = {}
    if not 1 <= rating <= 5:
        errors["rating"] = Message("a whole number from 1 to 5", "rating.range")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = Message(f"at most {MAX_COMMENT} characters", "record.max_length", n=MAX_COMMENT)
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="feedback.invalid")
    if feedback_of(session, event, talent) is not None:
        raise Conflict("you have already given feedback on this event", code="feedback.already")
    row = EventFeedback(event_id=event.id, talent_id=talent.id, rating=rating, comment=comment)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("you have already given feedback on this event", code="feedback.already") from exc
    audit(session, actor, "event.feedback", "event", event.id, {"rating": rating})
    return row


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    distribution: dict[int, int]
    comments: list[tuple[Talent, EventFeedback]]


def feedback_summary(session: Session, actor: Actor, event: Event) -> FeedbackSummary:
    require(actor, "event.manage", event)
    rows = session.execute(
        select(EventFeedback, Talent).join(Talent, Talent.id == EventFeedback.talent_id)
        .where(EventFeedback.event_id == event.id).order_by(EventFeedback.id)
    ).all()
    ratings = [f.rating for f, _t in rows]
    dist = Counter(ratings)
    return FeedbackSummary(
        count=len(rows),
        average=round(sum(ratings) / len(ratings), 2) if ratings else None,
        distribution={r: dist.get(r, 0) for r in range(1, 6)},
        comments=[(t, f) for f, t in rows if f.comment],
    )
