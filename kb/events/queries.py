"""What an actor may see of events: lists, one event, the replies to it.

Organizers and admins see everything, drafts included. Everyone else sees
published and finished events (and a cancelled one they follow a link to),
and only their own registrations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.errors import NotFound
from kb.events.enums import EventStatus
from kb.events.registration import waitlist
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.permissions import allowed, require

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED)


def get_event(session: Session, actor: Actor, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event #{event_id}", code="event.not_found")
    if not allowed(actor, "event.view", event):
        # A draft is not there for those who may not see it.
        require(actor, "event.view")
        raise NotFound(f"no event #{event_id}", code="event.not_found")
    return event


def list_events(
    session: Session, actor: Actor, *, status: str | None = None, upcoming: bool | None = None,
    query: str = "", now: datetime | None = None, limit: int = 200,
) -> list[Event]:
    """Events newest first (upcoming ones soonest first)."""
    require(actor, "event.view")
    now = now or utcnow()
    stmt = select(Event)
    if not allowed(actor, "event.manage"):
        stmt = stmt.where(Event.status.in_([s.value for s in PUBLIC_STATUSES]))
    if status:
        stmt = stmt.where(Event.status == status)
    if upcoming is True:
        stmt = stmt.where(Event.end_at >= now).order_by(Event.start_at)
    elif upcoming is False:
        stmt = stmt.where(Event.end_at < now).order_by(Event.start_at.desc())
    else:
        stmt = stmt.order_by(Event.start_at.desc())
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Event.title.ilike(like), Event.description.ilike(like)))
    return list(session.scalars(stmt.limit(limit)))


def own_registration(session: Session, actor: Actor, event: Event) -> EventRegistration | None:
    if actor.talent_id is None:
        return None
    return session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.talent_id == actor.talent_id))


@dataclass
class Replies:
    """Who was asked and who answered what: the organizer's view of an event."""

    counts: Counter[str]
    by_status: dict[str, list[tuple[EventRegistration, Talent]]] = field(default_factory=dict)
    waitlist: list[tuple[EventRegistration, Talent]] = field(default_factory=list)

    def of(self, status: str) -> list[tuple[EventRegistration, Talent]]:
        return self.by_status.get(status, [])


def replies(session: Session, actor: Actor, event: Event) -> Replies:
    require(actor, "event.manage", event)
    rows = session.execute(
        select(EventRegistration, Talent).join(Talent, Talent.id == EventRegistration.talent_id)
        .where(EventRegistration.event_id == event.id)
        .order_by(EventRegistration.id)
    ).all()
    result = Replies(counts=Counter())
    talents = {}
    for reg, talent in rows:
        result.counts[reg.status] += 1
        result.by_status.setdefault(reg.status, []).append((reg, talent))
        talents[reg.id] = talent
    result.counts["checked_in"] = sum(1 for reg, _t in rows if reg.checked_in_at is not None)
    result.waitlist = [(reg, talents[reg.id]) for reg in waitlist(session, event) if reg.id in talents]
    return result


def registration_counts(session: Session, event_ids: list[int]) -> dict[int, Counter[str]]:
    """Status counts for several events at once (for lists)."""
    out: dict[int, Counter[str]] = {i: Counter() for i in event_ids}
    if not event_ids:
        return out
    rows = session.execute(
        select(EventRegistration.event_id, EventRegistration.status, func.count())
        .where(EventRegistration.event_id.in_(event_ids))
        .group_by(EventRegistration.event_id, EventRegistration.status)
    )
    for event_id, status, n in rows:
        out[event_id][status] = n
    return out
