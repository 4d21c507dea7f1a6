"""A small RFC 5545 writer: one VCALENDAR with one VEVENT (and its VTIMEZONE).

Written here rather than pulled in as a dependency because we need so little:
text escaping (3.3.11), line folding at 75 octets without splitting a UTF-8
character (3.1), CRLF line ends, and a VTIMEZONE built from the system's IANA
data (``zoneinfo``) covering the years around the event, so calendar clients
place a Shanghai salon at the same instant whatever zone they are in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kb.events.times import zone

PRODID = "-//Luohu Talent Think Tank//Knowledge Base Events//ZH"
UID_DOMAIN = "luohu-kb"
FOLD_AT = 75


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into physical lines of at most 75 octets.

    Continuation lines begin with a space, which counts toward their 75; a
    multi-byte character is never cut in half.
    """
    chunks: list[str] = []
    current, size, limit = [], 0, FOLD_AT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, FOLD_AT - 1
        current.append(ch)
        size += width
    chunks.append("".join(current))
    return "\r\n ".join(chunks)


def utc_stamp(value: datetime) -> str:
    """A naive-UTC or aware datetime as a UTC DATE-TIME (``...Z``)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


@dataclass(frozen=True)
class _Observance:
    starts_utc: datetime  # naive UTC instant the offset takes effect
    offset_from: timedelta
    offset_to: timedelta
    is_dst: bool
    name: str


def _observances(tz: str, first: datetime, last: datetime) -> list[_Observance]:
    """The offsets of ``tz`` in force between two naive-UTC instants.

    The first observance starts at ``first`` (so every time in the range is
    covered); each later one is a real transition, found by stepping a day at a
    time and narrowing to the minute.
    """
    z = zone(tz)

    def at(t: datetime) -> datetime:
        return t.replace(tzinfo=UTC).astimezone(z)

    def offset(t: datetime) -> timedelta:
        return at(t).utcoffset() or timedelta(0)

    def observance(t: datetime, before: timedelta) -> _Observance:
        local = at(t)
        return _Observance(t, before, offset(t), bool(local.dst()), local.tzname() or tz)

    result = [observance(first, offset(first))]
    t = first
    step = timedelta(days=1)
    while t < last:
        nxt = t + step
        if offset(nxt) != offset(t):
            lo, hi = t, nxt  # offset(lo) != offset(hi); find the first minute of the new offset
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    mid = lo + timedelta(minutes=1)
                if offset(mid) == offset(lo):
                    lo = mid
                else:
                    hi = mid
            result.append(observance(hi, offset(lo)))
        t = nxt
    return result


def vtimezone(tz: str, start_utc: datetime, end_utc: datetime) -> list[str]:
    """VTIMEZONE lines for ``tz`` covering the year before the start to the year after the end."""
    first = datetime(start_utc.year - 1, 1, 1)
    last = datetime(end_utc.year + 2, 1, 1)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz}"]
    for obs in _observances(tz, first, last):
        kind = "DAYLIGHT" if obs.is_dst else "STANDARD"
        local_start = obs.starts_utc + obs.offset_from  # DTSTART is wall-clock time before the change
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local_start:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(obs.offset_from)}",
            f"TZOFFSETTO:{_offset(obs.offset_to)}",
            f"TZNAME:{escape_text(obs.name)}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


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


def calendar(ev: CalendarEvent, *, utc: bool = False, now: datetime | None = None) -> str:
    """The whole .ics text, CRLF-terminated.

    ``utc=True`` writes DTSTART/DTEND as UTC (``Z``) with no VTIMEZONE; the
    default writes them as wall-clock time with ``TZID`` and includes the zone.
    """
    stamp = now or datetime.now(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if utc:
        when = [f"DTSTART:{utc_stamp(ev.start_utc)}", f"DTEND:{utc_stamp(ev.end_utc)}"]
    else:
        z = zone(ev.tz)
        start = ev.start_utc.replace(tzinfo=UTC).astimezone(z)
        end = ev.end_utc.replace(tzinfo=UTC).astimezone(z)
        lines += vtimezone(ev.tz, ev.start_utc, ev.end_utc)
        when = [f"DTSTART;TZID={ev.tz}:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID={ev.tz}:{end:%Y%m%dT%H%M%S}"]
    lines += [
        "BEGIN:VEVENT",
        f"UID:{ev.uid}@{UID_DOMAIN}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        *when,
        f"SEQUENCE:{ev.sequence}",
        f"SUMMARY:{escape_text(ev.summary)}",
        "STATUS:CANCELLED" if ev.cancelled else "STATUS:CONFIRMED",
    ]
    if ev.description:
        lines.append(f"DESCRIPTION:{escape_text(ev.description)}")
    if ev.location:
        lines.append(f"LOCATION:{escape_text(ev.location)}")
    if ev.url:
        lines.append(f"URL:{ev.url}")
    if ev.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in ev.categories))
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def unfold(text: str) -> list[str]:
    """The logical content lines of an .ics text (for tests and for reading one back)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def unescape_text(value: str) -> str:
    out: list[str] = []
    chars: Iterable[str] = iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")  # type: ignore[call-overload]
            out.append("\n" if nxt in ("n", "N") else nxt)
        else:
            out.append(ch)
    return "".join(out)
