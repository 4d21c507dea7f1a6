"""Local time in the event's IANA zone <-> naive UTC as stored.

Organizers think in the local time of the venue, the database stores naive UTC
like every other timestamp, and the .ics file carries the zone. Input
conversions live here so a daylight-saving gap is caught once, at input; the
display side is ``kb.localtime``, the one helper of every page and export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kb import localtime
from kb.errors import ValidationError
from kb.localtime import DEFAULT_TIMEZONE as DEFAULT_TZ
from kb.localtime import to_local

__all__ = ["DEFAULT_TZ", "ZONE_NAMES", "local_label", "parse_datetime", "to_local", "to_utc", "zone", "zone_name"]

#: The zones an organizer is offered, as people say them in a notice ("北京时间"), not as IANA ids.
#: The web pages say the same in the reader's language (web/events/labels.py ``zone_label``).
ZONE_NAMES = {
    "Asia/Shanghai": "北京时间", "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间",
    "Asia/Singapore": "新加坡时间", "Asia/Tokyo": "东京时间", "Europe/London": "伦敦时间", "Europe/Berlin": "柏林时间",
    "America/New_York": "纽约时间", "America/Los_Angeles": "洛杉矶时间", "UTC": "协调世界时",
}


def zone_name(name: str) -> str:
    """The zone in words for a notice; a zone without a name keeps its id, which still names the clock."""
    return ZONE_NAMES.get(name, name)


def zone(name: str) -> ZoneInfo:
    try:
        return localtime.zone(name)
    except localtime.UnknownZone as exc:
        raise ValidationError(f"unknown time zone {name!r}", field="timezone", code="event.timezone") from exc


def parse_datetime(value: str | datetime, field: str) -> datetime:
    """Accept a datetime or ISO 8601 text (``2026-12-05T14:30`` or with an offset)."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError(f"{field}: not a date and time", field=field, code="event.time.format") from exc


def to_utc(value: datetime, tz: str, field: str = "time") -> datetime:
    """Naive UTC for storage. A naive value is local time in ``tz``; an aware one is converted.

    A wall-clock time that does not exist (skipped by a daylight-saving change)
    is refused rather than silently shifted by an hour.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    z = zone(tz)
    aware = value.replace(tzinfo=z)
    back = aware.astimezone(UTC).astimezone(z).replace(tzinfo=None)
    if back != value:
        raise ValidationError(f"{field}: {value:%Y-%m-%d %H:%M} does not exist in {tz} (clocks skip it)",
                              field=field, code="event.time.skipped", params={"time": f"{value:%Y-%m-%d %H:%M}"})
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_label(utc_naive: datetime | None, tz: str, fmt: str = localtime.MINUTES) -> str:
    return localtime.wall_time(utc_naive, tz, fmt)
