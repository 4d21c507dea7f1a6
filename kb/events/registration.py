"""Seats and the waitlist: register, reply to an invitation, cancel, promote.

No overbooking, on SQLite and PostgreSQL, with any number of web workers:

- a seat is taken by ONE conditional statement,
  ``UPDATE events SET registered_count = registered_count + 1
  WHERE id = :id AND registered_count < capacity``; its rowcount says whether
  this transaction got the seat. PostgreSQL re-checks the WHERE clause on the
  row it waited for; SQLite runs one writer at a time. A CHECK constraint
  (``registered_count <= capacity``) backs it up in the schema;
- a registration changes state with a conditional UPDATE on its old state,
  so two requests for the same talent (a double click, two tabs) cannot both
  take a seat, and two cancellations cannot promote the same waitlisted person;
- the counter and the registration change in the caller's transaction: if
  anything fails, both roll back together.

Every act that can move a seat first locks the event row (``SELECT ... FOR
UPDATE`` on PostgreSQL), so the acts on one event run one after another and
always lock in the same order (event, then registrations): a cancellation
cannot miss a talent who joined the waitlist at the same moment, and two acts
cannot deadlock. On SQLite the first write takes the database's write lock
(waiting on ``busy_timeout``) before anything is read inside the transaction,
which gives the same serial order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import Conflict
from kb.events.codes import new_code
from kb.events.notices import format_code, notify_talents, when_where
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.permissions import require

HOLDING = ("registered", "waitlisted")


class RegistrationClosed(Conflict):
    """The event takes no sign-ups now (not published, past the deadline, started)."""


def find_registration(session: Session, event_id: int, talent_id: int) -> EventRegistration | None:
    return session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.talent_id == talent_id
        )
    )


def check_open(event: Event, now: datetime) -> None:
    if event.status != "published":
        raise RegistrationClosed("registration is open only while the event is published", code="registration.not_open")
    if now >= event.start_at:
        raise RegistrationClosed("the event has already started", code="registration.started")
    if event.registration_deadline is not None and now > event.registration_deadline:
        raise RegistrationClosed("the registration deadline has passed", code="registration.deadline")


def waitlist(session: Session, event: Event) -> list[EventRegistration]:
    """Waiting registrations, first come first served."""
    return list(session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event.id, EventRegistration.status == "waitlisted")
        .order_by(EventRegistration.waitlisted_at, EventRegistration.id)
    ))


def waitlist_position(session: Session, registration: EventRegistration) -> int | None:
    if registration.status != "waitlisted":
        return None
    event = session.get(Event, registration.event_id)
    ids = [r.id for r in waitlist(session, event)] if event else []
    return ids.index(registration.id) + 1 if registration.id in ids else None


# --- the lock and the conditional statements --------------------------------------------------------------

def lock_event(session: Session, event: Event) -> None:
    """Serialize seat changes of one event (a no-op on SQLite, which has one writer anyway)."""
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def take_seat(session: Session, event: Event) -> bool:
    result = session.execute(
        update(Event)
        .where(Event.id == event.id, Event.registered_count < Event.capacity)
        .values(registered_count=Event.registered_count + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(event, ["registered_count"])
    return rows_matched(result) == 1


def give_back_seat(session: Session, event: Event) -> None:
    session.execute(
        update(Event)
        .where(Event.id == event.id, Event.registered_count > 0)
        .values(registered_count=Event.registered_count - 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(event, ["registered_count"])


def move(session: Session, registration: EventRegistration, from_status: str, **values: Any) -> bool:
    """Change a registration only if it is still in ``from_status``; say whether it was."""
    result = session.execute(
        update(EventRegistration)
        .where(EventRegistration.id == registration.id, EventRegistration.status == from_status)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(registration)
    return rows_matched(result) == 1


def _raced(session: Session) -> None:
    session.rollback()
    raise Conflict("this registration was changed at the same moment; reload and try again", code="conflict.changed")


def _seat_values(now: datetime) -> dict[str, Any]:
    return {"status": "registered", "registered_at": now, "waitlisted_at": None, "cancelled_at": None,
            "checkin_code": new_code(), "checked_in_at": None, "checkin_method": "", "reminded_at": None}


def _wait_values(now: datetime) -> dict[str, Any]:
    return {"status": "waitlisted", "waitlisted_at": now, "cancelled_at": None, "checkin_code": None}


# --- acts ------------------------------------------------------------------------------------------

def register(
    session: Session, actor: Actor, event: Event, talent: Talent, *, now: datetime | None = None
) -> EventRegistration:
    """Sign ``talent`` up: a seat if one is free, else a place on the waitlist.

    Signing up again while holding a seat or a waitlist place changes nothing.
    An invited talent accepting its invitation comes through here too.
    """
    require(actor, "event.register", talent)
    require(actor, "event.view", event)
    now = now or utcnow()
    check_open(event, now)
    lock_event(session, event)
    reg = find_registration(session, event.id, talent.id)
    if reg is not None and reg.status in HOLDING:
        return reg
    seat = take_seat(session, event)
    values = _seat_values(now) if seat else _wait_values(now)
    values["replied_at"] = now
    if reg is None:
        reg = EventRegistration(event_id=event.id, talent_id=talent.id, source="self", **values)
        session.add(reg)
        try:
            session.flush()
        except IntegrityError:
            _raced(session)
    elif not move(session, reg, reg.status, **values):
        _raced(session)
    audit(session, actor, "event.register", "event", event.id, {"talent": talent.external_id, "status": reg.status})
    _tell(session, event, talent, reg)
    return reg


def _tell(session: Session, event: Event, talent: Talent, reg: EventRegistration) -> None:
    if reg.status == "registered":
        body = f"{when_where(event)}\n签到码：{format_code(reg.checkin_code)}（到场时出示，仅可使用一次）"
        notify_talents(session, [talent], "event.registered", body, event, registrations={talent.id: reg})
    else:
        position = waitlist_position(session, reg)
        body = f"名额已满，您在候补名单第 {position} 位。有人取消时将按先后顺序自动递补并通知您。"
        notify_talents(session, [talent], "event.waitlisted", body, event, with_ics=False)


def reply(
    session: Session, actor: Actor, event: Event, talent: Talent, accept: bool, *, now: datetime | None = None
) -> EventRegistration:
    """A talent answers an invitation: accepting registers (or waitlists), declining records no."""
    require(actor, "event.register", talent)
    reg = find_registration(session, event.id, talent.id)
    if reg is None:
        raise Conflict("there is no invitation to answer; register instead", code="registration.no_invitation")
    if accept:
        return register(session, actor, event, talent, now=now)
    now = now or utcnow()
    if reg.status != "invited":
        raise Conflict(f"the invitation was already answered ({reg.status}); cancel the registration instead",
                       code="registration.answered")
    if not move(session, reg, "invited", status="declined", replied_at=now):
        _raced(session)
    audit(session, actor, "event.decline", "event", event.id, {"talent": talent.external_id})
    return reg


def cancel(
    session: Session, actor: Actor, event: Event, talent: Talent, *, now: datetime | None = None
) -> EventRegistration | None:
    """Give up a seat or a waitlist place; a freed seat goes to the first waitlisted talent.

    Returns the registration that was promoted, if any.
    """
    require(actor, "event.register", talent)
    now = now or utcnow()
    lock_event(session, event)
    reg = find_registration(session, event.id, talent.id)
    if reg is None or reg.status not in HOLDING:
        raise Conflict("there is no registration to cancel", code="registration.none")
    if now >= event.start_at and event.status == "published":
        raise RegistrationClosed("the event has already started", code="registration.started")
    old = reg.status
    if not move(session, reg, old, status="cancelled", cancelled_at=now, checkin_code=None):
        _raced(session)
    audit(session, actor, "event.cancel_registration", "event", event.id,
          {"talent": talent.external_id, "was": old})
    notify_talents(session, [talent], "event.registration_cancelled", "您的报名已取消。", event,
                   with_ics=False)
    if old == "registered":
        return release_seat(session, event, now)
    return None


def release_seat(session: Session, event: Event, now: datetime) -> EventRegistration | None:
    """Hand a freed seat to the first waitlisted talent, or give it back to the pool."""
    if event.status == "published" and now < event.start_at:
        for candidate in waitlist(session, event):
            if move(session, candidate, "waitlisted", **_seat_values(now)):
                _promoted(session, event, candidate)
                return candidate
    give_back_seat(session, event)
    return None


def fill_from_waitlist(session: Session, event: Event, now: datetime | None = None) -> list[EventRegistration]:
    """After capacity grew: promote waitlisted talents while seats are free."""
    now = now or utcnow()
    promoted: list[EventRegistration] = []
    if event.status != "published" or now >= event.start_at:
        return promoted
    lock_event(session, event)
    for candidate in waitlist(session, event):
        if not take_seat(session, event):
            break
        if move(session, candidate, "waitlisted", **_seat_values(now)):
            _promoted(session, event, candidate)
            promoted.append(candidate)
        else:
            give_back_seat(session, event)
    return promoted


def _promoted(session: Session, event: Event, reg: EventRegistration) -> None:
    talent = session.get(Talent, reg.talent_id)
    if talent is None:
        return
    audit(session, Actor.system("waitlist"), "event.promote", "event", event.id, {"talent": talent.external_id})
    body = f"有名额空出，您已从候补转为正式报名。\n{when_where(event)}\n签到码：{format_code(reg.checkin_code)}"
    notify_talents(session, [talent], "event.promoted", body, event, registrations={talent.id: reg})
