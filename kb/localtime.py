"""Wall-clock time in the district's zone for everything a person reads.

The database stores naive UTC; a person in Luohu reads Beijing time. Pages,
exports, e-mails and PDFs all turn a stored time into the zone of the
``locale.timezone`` setting here, so no page says 07:02 for a 15:02 check-in.
An event carries its own zone (a venue abroad); it passes that zone instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"
MINUTES = "%Y-%m-%d %H:%M"


class UnknownZone(ValueError):
    """The name is not an IANA time zone known to this machine."""


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownZone(name) from exc


def to_local(utc_naive: datetime, tz: str) -> datetime:
    """A stored time (naive UTC, or aware) as an aware datetime in ``tz``."""
    aware = utc_naive.replace(tzinfo=UTC) if utc_naive.tzinfo is None else utc_naive
    return aware.astimezone(zone(tz))


def utc_midnight(day: date, tz: str) -> datetime:
    """00:00 of ``day`` on the calendar of ``tz``, as a stored time (naive UTC)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone(tz)).astimezone(UTC).replace(tzinfo=None)


def wall_time(value: datetime | date | None, tz: str, fmt: str = MINUTES) -> str:
    """The text a person reads: local wall time for a datetime, ISO for a plain date, "" for none.

    A plain date (a deadline, a certification day) has no time of day and no
    zone, so it is shown as stored.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value, tz).strftime(fmt)
    return value.isoformat()
