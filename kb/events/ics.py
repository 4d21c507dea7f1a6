"""An event as an iCalendar (RFC 5545) file: one VCALENDAR, one VEVENT and its VTIMEZONE.

Written with the maintained ``icalendar`` library rather than by hand: a
hand-written writer let an online link with an embedded line break inject
properties (an extra ATTENDEE) into the file. The library escapes every TEXT
value, folds lines at 75 octets without splitting a UTF-8 character, writes CRLF
line ends, and builds the VTIMEZONE from the system's IANA data for the years
around the event, so calendar clients place a Shanghai salon at the same
instant whatever zone they are in. URLs reach here already checked by
``kb.urls`` (http/https, no control characters); the library's URI type would
not escape them, so an unchecked link is dropped rather than written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from kb.events.times import zone
from kb.urls import url_problem

PRODID = "-//Luohu Talent Think Tank//Knowledge Base Events//ZH"
UID_DOMAIN = "luohu-kb"


@dataclass(frozen=True)
class CalendarEvent:
    """What a VEVENT needs, independent of the ORM so it is easy to test."""

    uid: str
    summary: str
    start_utc: datetime
    end_utc: datetime
    tz: str
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    sequence: int = 0
    cancelled: bool = False


def _text(value: str) -> str:
    """A TEXT value as RFC 5545 allows it: line breaks as ``\\n`` (the library escapes them), and no
    other control character but tab (the library would write a NUL or a vertical tab as it is)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _aware(value: datetime) -> datetime:
    """A naive-UTC (the database's convention) or aware datetime as an aware UTC one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def calendar(ev: CalendarEvent, *, utc: bool = False, now: datetime | None = None) -> str:
    """The whole .ics text, CRLF-terminated.

    ``utc=True`` writes DTSTART/DTEND as UTC (``Z``) with no VTIMEZONE; the
    default writes them as wall-clock time with ``TZID`` and includes the zone,
    covering the year before the start to the year after the end.
    """
    start, end = _aware(ev.start_utc), _aware(ev.end_utc)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    vevent = VEvent()
    vevent.add("uid", f"{ev.uid}@{UID_DOMAIN}")
    vevent.add("dtstamp", _aware(now or datetime.now(UTC)))
    if utc:
        vevent.add("dtstart", start)
        vevent.add("dtend", end)
    else:
        z = zone(ev.tz)
        vevent.add("dtstart", start.astimezone(z))
        vevent.add("dtend", end.astimezone(z))
    vevent.add("sequence", ev.sequence)
    vevent.add("summary", _text(ev.summary))
    vevent.add("status", "CANCELLED" if ev.cancelled else "CONFIRMED")
    if ev.description:
        vevent.add("description", _text(ev.description))
    if ev.location:
        vevent.add("location", _text(ev.location))
    if ev.url and url_problem(ev.url) is None:
        vevent.add("url", ev.url)
    if ev.categories:
        vevent.add("categories", [_text(c) for c in ev.categories])
    cal.add_component(vevent)
    if not utc:
        cal.add_missing_timezones(first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 2, 1, 1))
    text: str = cal.to_ical().decode("utf-8")
    return text
