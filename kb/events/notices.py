"""Telling talents about their events, through ``kb.notifications.notify``.

Talents are reached through their accounts (inbox, and email when the account
has an address). A talent without an account cannot be notified; callers get
the list of those so an organizer can phone them instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from kb.events.ics import CalendarEvent, calendar
from kb.events.times import local_label, zone_name
from kb.labels import Words
from kb.models import Event, EventRegistration, Talent
from kb.notifications import notify
from kb.notifications.reach import accounts_of
from kb.notifications.subjects import subject_line

#: What happened, by notice kind: the start of the subject, in Chinese and English.
WHAT: dict[str, Words] = {
    "event.invitation": ("活动邀请", "Invitation"),
    "event.registered": ("报名成功", "You are registered"),
    "event.waitlisted": ("已进入候补", "On the waiting list"),
    "event.promoted": ("候补转正", "A place opened for you"),
    "event.registration_cancelled": ("已取消报名", "Registration cancelled"),
    "event.reminder": ("活动提醒", "Reminder"),
    "event.updated": ("活动信息更新", "Event details changed"),
    "event.cancelled": ("活动取消", "Event cancelled"),
}

KIND_LABELS = {"lecture": "讲座", "salon": "沙龙", "training": "培训", "site_visit": "参访", "other": "活动"}


def event_link(event: Event) -> str:
    return f"/events/{event.id}"


def format_code(code: str | None) -> str:
    """``ABCD2345`` as ``ABCD-2345``: easier to read out at the door."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}" if len(code) > 4 else code


def calendar_event(event: Event, registration: EventRegistration | None = None) -> CalendarEvent:
    lines = [event.description] if event.description else []
    if event.online_url:
        lines.append(f"线上参加 Online: {event.online_url}")
    if registration is not None and registration.status == "registered" and registration.checkin_code:
        lines.append(f"签到码 Check-in code: {format_code(registration.checkin_code)}")
    return CalendarEvent(
        uid=event.uid, summary=event.title, start_utc=event.start_at, end_utc=event.end_at, tz=event.timezone,
        description="\n\n".join(lines), location=event.place or event.online_url, url=event.online_url,
        categories=tuple(event.topics), sequence=event.sequence, cancelled=event.status == "cancelled",
    )


def ics_text(event: Event, registration: EventRegistration | None = None, *, utc: bool = False) -> str:
    return calendar(calendar_event(event, registration), utc=utc)


def ics_attachment(event: Event, registration: EventRegistration | None = None) -> dict[str, Any]:
    return {"filename": f"event-{event.id}.ics", "content_type": "text/calendar",
            "text": ics_text(event, registration)}


def when_where(event: Event) -> str:
    start = local_label(event.start_at, event.timezone)
    end = local_label(event.end_at, event.timezone, "%H:%M")
    where = event.place or event.online_url or "待定"
    return f"时间：{start}–{end}（{zone_name(event.timezone)}）\n地点：{where}"


def notify_talents(
    session: Session, talents: Iterable[Talent], kind: str, body: str, event: Event,
    *, registrations: dict[int, EventRegistration] | None = None, with_ics: bool = True,
) -> list[Talent]:
    """Notify each talent with its own .ics (it may carry its check-in code) under the subject of
    ``kind`` (``WHAT``) in the talent's account's language; return those unreachable."""
    talents = list(talents)
    accounts = accounts_of(session, (t.id for t in talents))
    unreachable = []
    for talent in talents:
        user = accounts.get(talent.id)
        if user is None:
            unreachable.append(talent)
            continue
        reg = (registrations or {}).get(talent.id)
        attachments = [ics_attachment(event, reg)] if with_ics else []
        title = subject_line(WHAT[kind], event.title, user.preferred_language)
        notify(session, [user], kind, title, body, event_link(event), attachments=attachments)
    return unreachable
