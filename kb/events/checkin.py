"""On the day: the organizer ticks names off a list, or takes a talent's code.

A check-in is one conditional UPDATE (still registered, not yet checked in),
so a code used twice, or a name ticked on two phones at once, records one
attendance and tells the second attempt it was already used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import Conflict, NotFound
from kb.events.codes import normalize
from kb.events.enums import EventStatus
from kb.events.times import local_label
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.permissions import require

CHECKIN_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED)


@dataclass(frozen=True)
class Arrival:
    registration: EventRegistration
    talent: Talent


def checkin_list(session: Session, actor: Actor, event: Event, query: str = "") -> list[Arrival]:
    """Everyone holding a seat, by name; ``query`` matches name, English name or organization."""
    require(actor, "event.manage", event)
    stmt = (
        select(EventRegistration, Talent).join(Talent, Talent.id == EventRegistration.talent_id)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == "registered")
        .order_by(Talent.name)
    )
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Talent.name.ilike(like), Talent.name_en.ilike(like), Talent.organization.ilike(like)))
    return [Arrival(reg, talent) for reg, talent in session.execute(stmt).all()]


def _mark(session: Session, actor: Actor, event: Event, reg: EventRegistration, method: str,
          now: datetime) -> EventRegistration:
    if event.status not in CHECKIN_STATUSES:
        raise Conflict(f"check-in is closed: the event is {event.status}", code="checkin.closed",
                       params={"status": str(event.status)})
    result = session.execute(
        update(EventRegistration)
        .where(EventRegistration.id == reg.id, EventRegistration.status == "registered",
               EventRegistration.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.user_id, checkin_method=method, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(reg)
    if rows_matched(result) != 1:
        if reg.checked_in_at is not None:
            at = local_label(reg.checked_in_at, event.timezone, "%H:%M")
            raise Conflict(f"already checked in at {at}", code="checkin.already", params={"time": at})
        raise Conflict(f"not registered (status: {reg.status})", code="checkin.not_registered",
                       params={"status": reg.status})
    talent = session.get(Talent, reg.talent_id)
    audit(session, actor, "event.checkin", "event", event.id,
          {"talent": talent.external_id if talent else None, "method": method})
    return reg


def check_in(session: Session, actor: Actor, event: Event, registration_id: int,
             *, now: datetime | None = None) -> EventRegistration:
    """The organizer ticks a name on the list."""
    require(actor, "event.manage", event)
    reg = session.get(EventRegistration, registration_id)
    if reg is None or reg.event_id != event.id:
        raise NotFound(f"no registration #{registration_id} for this event", code="registration.not_found")
    return _mark(session, actor, event, reg, "list", now or utcnow())


def check_in_by_code(session: Session, actor: Actor, event: Event, code: str,
                     *, now: datetime | None = None) -> EventRegistration:
    """The talent shows its code; each code checks in once."""
    require(actor, "event.manage", event)
    reg = session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.checkin_code == normalize(code)))
    if reg is None:
        raise NotFound("unknown check-in code for this event", code="checkin.code.unknown",
                       params={"code": normalize(code)})
    return _mark(session, actor, event, reg, "code", now or utcnow())


def undo_check_in(session: Session, actor: Actor, event: Event, registration_id: int) -> EventRegistration:
    """Correct a mistaken check-in. A code that was used stays used (it is
    cleared), so "usable once" holds; the organizer can still tick the name."""
    require(actor, "event.manage", event)
    reg = session.get(EventRegistration, registration_id)
    if reg is None or reg.event_id != event.id:
        raise NotFound(f"no registration #{registration_id} for this event", code="registration.not_found")
    if reg.checked_in_at is None:
        raise Conflict("not checked in", code="checkin.undo.not_checked_in")
    if reg.checkin_method == "code":
        reg.checkin_code = None
    reg.checked_in_at, reg.checked_in_by_id, reg.checkin_method = None, None, ""
    session.flush()
    audit(session, actor, "event.checkin_undo", "event", event.id, {"registration": reg.id})
    return reg
