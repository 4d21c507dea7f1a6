"""Local time in the event's IANA zone <-> naive UTC as stored.

Organizers think in the local time of the venue, the database stores naive UTC
like every other timestamp, and the .ics file carries the zone. Conversions
live here so a daylight-saving gap is caught once, at input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kb.errors import ValidationError

DEFAULT_TZ = "Asia/Shanghai"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {name!r}", {"timezone": "unknown IANA time zone"}) from exc


def parse_datetime(value: str | datetime, field: str) -> datetime:
    """Accept a datetime or ISO 8601 text (``2026-12-05T14:30`` or with an offset)."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError(f"{field}: not a date and time", {field: "expected YYYY-MM-DDTHH:MM"}) from exc


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
        raise ValidationError(
            f"{field}: {value:%Y-%m-%d %H:%M} does not exist in {tz} (clocks skip it)",
            {field: "this local time does not exist"},
        )
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(utc_naive: datetime, tz: str) -> datetime:
    """The stored UTC time as an aware datetime in ``tz``."""
    return utc_naive.replace(tzinfo=UTC).astimezone(zone(tz))


def local_label(utc_naive: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(utc_naive, tz).strftime(fmt) if utc_naive else ""
