"""Organizers' acts on an event: create, edit, publish, cancel, finish.

Only ``event.manage`` (organizers and admins) passes. An edit of the time or
place of a published event bumps its calendar SEQUENCE and sends everyone who
holds a seat or a waitlist place an updated .ics; a new start time also
re-arms their reminders. Capacity cannot drop below the seats already taken
(the schema's CHECK would refuse it anyway); raising it promotes the waitlist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import Conflict, Message, ValidationError
from kb.events.enums import EventStatus
from kb.events.notices import notify_talents, when_where
from kb.events.registration import HOLDING, fill_from_waitlist, lock_event
from kb.events.validation import clean_event_values
from kb.models import Event, EventRegistration, EventSpeaker, Talent, utcnow
from kb.permissions import allowed, require

COLUMNS = ("kind", "title", "description", "topics", "start_at", "end_at", "timezone", "place", "online_url",
           "capacity", "registration_deadline", "audience_categories", "audience_fields")
RESCHEDULING = ("start_at", "end_at", "timezone", "place", "online_url")


def _columns(event: Event) -> dict[str, Any]:
    return {c: getattr(event, c) for c in COLUMNS}


def _speakers(session: Session, items: list[dict[str, Any]]) -> list[EventSpeaker]:
    """Speakers are talents (by external id) or outside guests (by name)."""
    out = []
    for position, item in enumerate(items):
        external_id = str(item.get("talent") or "").strip()
        talent = None
        if external_id:
            talent = session.scalar(select(Talent).where(Talent.external_id == external_id))
            if talent is None:
                raise ValidationError(f"speaker: no talent {external_id!r}", {"speakers": "unknown talent"},
                                      code="event.speaker.unknown", params={"id": external_id})
        name = str(item.get("name") or (talent.name if talent else "")).strip()
        if not name:
            raise ValidationError("speaker: a guest needs a name", {"speakers": "name required"},
                                  code="event.speaker.name")
        out.append(EventSpeaker(
            talent_id=talent.id if talent else None, name=name[:200],
            affiliation=str(item.get("affiliation") or (talent.organization if talent else ""))[:300],
            topic=str(item.get("topic") or "")[:300], position=position,
        ))
    return out


def create_event(session: Session, actor: Actor, values: dict[str, Any]) -> Event:
    """A new draft; ``values`` are the event fields plus optional ``speakers``."""
    require(actor, "event.manage")
    values = dict(values)
    speakers = values.pop("speakers", [])
    values.setdefault("kind", "salon")
    missing = [k for k in ("title", "start_at", "end_at", "capacity") if values.get(k) in (None, "")]
    if missing:
        raise ValidationError(f"required: {', '.join(missing)}",
                              {k: Message("required", "record.required") for k in missing}, code="event.required")
    clean = clean_event_values(values)
    event = Event(uid=uuid.uuid4().hex, status=EventStatus.DRAFT.value, registered_count=0, sequence=0,
                  created_by_id=actor.user_id, **clean)
    event.speakers = _speakers(session, speakers)
    session.add(event)
    session.flush()
    audit(session, actor, "event.create", "event", event.id, {"title": event.title})
    return event


def update_event(session: Session, actor: Actor, event: Event, values: dict[str, Any],
                 *, now: datetime | None = None) -> Event:
    require(actor, "event.manage", event)
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        raise Conflict(f"a {event.status} event cannot be edited", code="event.not_editable")
    values = dict(values)
    speakers = values.pop("speakers", None)
    clean = clean_event_values(values, _columns(event))
    changed = {k: v for k, v in clean.items() if getattr(event, k) != v}
    capacity = changed.pop("capacity", None)
    for key, value in changed.items():
        setattr(event, key, value)
    if speakers is not None:
        event.speakers = _speakers(session, speakers)
    if capacity is not None:
        _set_capacity(session, event, capacity)
    rescheduled = [k for k in RESCHEDULING if k in changed]
    if rescheduled and event.status == EventStatus.PUBLISHED:
        event.sequence += 1
        if "start_at" in changed:
            session.execute(update(EventRegistration).where(EventRegistration.event_id == event.id)
                            .values(reminded_at=None).execution_options(synchronize_session=False))
        _tell_holders(session, event, "event.updated",
                      f"活动时间或地点已更新，请以附件日历为准。\n{when_where(event)}")
    session.flush()
    if capacity is not None:
        fill_from_waitlist(session, event, now)
    if changed or speakers is not None or capacity is not None:
        audit(session, actor, "event.update", "event", event.id,
              {"fields": sorted([*changed, *(["capacity"] if capacity is not None else []),
                                 *(["speakers"] if speakers is not None else [])])})
    return event


def _set_capacity(session: Session, event: Event, capacity: int) -> None:
    lock_event(session, event)
    result = session.execute(
        update(Event).where(Event.id == event.id, Event.registered_count <= capacity)
        .values(capacity=capacity).execution_options(synchronize_session=False)
    )
    session.expire(event, ["capacity", "registered_count"])
    if rows_matched(result) != 1:
        raise ValidationError(f"capacity: {event.registered_count} seats are already taken", field="capacity",
                              code="event.capacity_taken", params={"n": event.registered_count})


def publish_event(session: Session, actor: Actor, event: Event, *, now: datetime | None = None) -> Event:
    require(actor, "event.manage", event)
    if event.status != EventStatus.DRAFT:
        raise Conflict(f"only a draft can be published (this event is {event.status})", code="event.publish_state")
    now = now or utcnow()
    if event.start_at <= now:
        raise ValidationError("the event starts in the past", field="start_at", code="event.start_past")
    if not (event.place or event.online_url):
        raise ValidationError("a place or an online link is needed", field="place", code="event.place")
    event.status = EventStatus.PUBLISHED.value
    event.published_at = now
    audit(session, actor, "event.publish", "event", event.id, {})
    return event


def cancel_event(session: Session, actor: Actor, event: Event, reason: str = "") -> Event:
    """Call an event off; everyone invited, registered or waitlisted hears of it."""
    require(actor, "event.manage", event)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict(f"a {event.status} event cannot be cancelled", code="event.cancel_state")
    was_published = event.status == EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED.value
    event.sequence += 1
    session.flush()
    if was_published:
        body = "很抱歉，本次活动已取消。" + (f"\n原因：{reason.strip()}" if reason.strip() else "")
        _tell_holders(session, event, "event.cancelled", body,
                      statuses=(*HOLDING, "invited"))
    audit(session, actor, "event.cancel", "event", event.id, {"reason": reason.strip()[:500]})
    return event


def finish_event(session: Session, actor: Actor, event: Event, *, now: datetime | None = None) -> Event:
    require(actor, "event.manage", event)
    if event.status != EventStatus.PUBLISHED:
        raise Conflict(f"only a published event can be finished (this one is {event.status})",
                       code="event.finish_state")
    if (now or utcnow()) < event.start_at:
        raise Conflict("the event has not started yet", code="event.not_started")
    event.status = EventStatus.FINISHED.value
    audit(session, actor, "event.finish", "event", event.id, {})
    return event


# The moves an organizer makes; ``draft`` is where an event starts, never a move.
MANUAL_MOVES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.FINISHED)


def moves_now(actor: Actor | None, event: Event, now: datetime | None = None) -> list[EventStatus]:
    """The moves the organizer's page offers now: exactly those ``transition`` would accept.

    Publish a draft; cancel a draft or a published event; finish a published
    event only once it has started (``finish_event`` refuses it before).
    """
    if actor is None or not allowed(actor, "event.manage", event):
        return []
    now = now or utcnow()
    status = EventStatus(event.status)
    moves = []
    if status is EventStatus.DRAFT:
        moves.append(EventStatus.PUBLISHED)
    if status is EventStatus.PUBLISHED and now >= event.start_at:
        moves.append(EventStatus.FINISHED)
    if status in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        moves.append(EventStatus.CANCELLED)
    return moves


def transition(session: Session, actor: Actor, event: Event, to: EventStatus, reason: str = "", *,
               now: datetime | None = None) -> Event:
    """Publish, cancel or finish ``event``: the one entry point the page and the API both call.

    ``reason`` is told to the people holding a seat when an event is cancelled;
    the other moves do not take one.
    """
    if to is EventStatus.PUBLISHED:
        return publish_event(session, actor, event, now=now)
    if to is EventStatus.CANCELLED:
        return cancel_event(session, actor, event, reason)
    if to is EventStatus.FINISHED:
        return finish_event(session, actor, event, now=now)
    names = ", ".join(MANUAL_MOVES)
    raise ValidationError(f"an event is moved only to {names}", {"to": f"one of {names}"}, code="record.enum")


def _tell_holders(session: Session, event: Event, kind: str, body: str,
                  statuses: tuple[str, ...] = HOLDING) -> None:
    rows = session.execute(
        select(EventRegistration, Talent).join(Talent, Talent.id == EventRegistration.talent_id)
        .where(EventRegistration.event_id == event.id, EventRegistration.status.in_(statuses))
    ).all()
    regs = {reg.talent_id: reg for reg, _t in rows}
    notify_talents(session, [t for _r, t in rows], kind, body, event, registrations=regs)
