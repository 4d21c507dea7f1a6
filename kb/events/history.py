"""A talent's event history: what it was invited to, registered for, attended.

Visible to the talent itself and to organizers and admins (``event.history``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.events.registration import waitlist_position
from kb.models import Event, EventRegistration, Talent
from kb.models.event import EventFeedback
from kb.permissions import require


@dataclass(frozen=True)
class HistoryEntry:
    event: Event
    registration: EventRegistration
    attended: bool
    feedback: EventFeedback | None
    waitlist_position: int | None


def talent_history(session: Session, actor: Actor, talent: Talent) -> list[HistoryEntry]:
    """Newest event first. Drafts never appear (nobody is invited to a draft)."""
    require(actor, "event.history", talent)
    rows = session.execute(
        select(EventRegistration, Event).join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.talent_id == talent.id, Event.status != "draft")
        .order_by(Event.start_at.desc())
    ).all()
    feedback = {f.event_id: f for f in session.scalars(
        select(EventFeedback).where(EventFeedback.talent_id == talent.id))}
    return [
        HistoryEntry(event, reg, reg.checked_in_at is not None, feedback.get(event.id),
                     waitlist_position(session, reg))
        for reg, event in rows
    ]
