"""The .ics writer: time zones, UTC form, line folding and text escaping (RFC 5545)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from dateutil.tz import tzical

from kb.errors import ValidationError
from kb.events.ics import CalendarEvent, calendar, escape_text, fold, unescape_text, unfold
from kb.events.times import to_local, to_utc

STAMP = datetime(2026, 11, 27, 10, 0)


def _event(**over) -> CalendarEvent:  # type: ignore[no-untyped-def]
    values = {"uid": "e1", "summary": "低空经济与无人机物流", "start_utc": datetime(2026, 12, 5, 6, 30),
              "end_utc": datetime(2026, 12, 5, 9, 0), "tz": "Asia/Shanghai"}
    values.update(over)
    return CalendarEvent(**values)


def _props(text: str) -> dict[str, str]:
    """name(;params) -> value of the VEVENT's lines."""
    lines = unfold(text)
    body = lines[lines.index("BEGIN:VEVENT") + 1: lines.index("END:VEVENT")]
    return dict(line.split(":", 1) for line in body)


def test_local_time_with_tzid_and_vtimezone() -> None:
    text = calendar(_event(), now=STAMP)
    props = _props(text)
    # 06:30 UTC is 14:30 in Shanghai (UTC+8, no daylight saving).
    assert props["DTSTART;TZID=Asia/Shanghai"] == "20261205T143000"
    assert props["DTEND;TZID=Asia/Shanghai"] == "20261205T170000"
    assert props["DTSTAMP"] == "20261127T100000Z" and props["UID"] == "e1@luohu-kb"
    lines = unfold(text)
    vtz = lines[lines.index("BEGIN:VTIMEZONE"): lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Asia/Shanghai" in vtz and "TZOFFSETTO:+0800" in vtz and "BEGIN:DAYLIGHT" not in vtz
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_utc_form_has_z_and_no_vtimezone() -> None:
    text = calendar(_event(), utc=True, now=STAMP)
    props = _props(text)
    assert props["DTSTART"] == "20261205T063000Z" and props["DTEND"] == "20261205T090000Z"
    assert "VTIMEZONE" not in text


def test_daylight_saving_zone_resolves_to_the_same_instant() -> None:
    """A Berlin summer event: the VTIMEZONE, read back by an independent parser, gives the right offsets."""
    start = to_utc(datetime(2026, 7, 1, 18, 0), "Europe/Berlin")
    assert start == datetime(2026, 7, 1, 16, 0)
    text = calendar(_event(tz="Europe/Berlin", start_utc=start, end_utc=start + timedelta(hours=2)), now=STAMP)
    assert _props(text)["DTSTART;TZID=Europe/Berlin"] == "20260701T180000"
    zone = tzical(io.StringIO(text.replace("\r\n", "\n"))).get("Europe/Berlin")
    for local, hours in [(datetime(2026, 7, 1, 18), 2), (datetime(2026, 1, 15, 9), 1),
                         (datetime(2026, 3, 29, 1, 59), 1), (datetime(2026, 3, 29, 3, 0), 2),
                         (datetime(2026, 10, 25, 3, 1), 1), (datetime(2027, 8, 1), 2)]:
        assert local.replace(tzinfo=zone).utcoffset() == timedelta(hours=hours), local
    lines = unfold(text)
    assert "DTSTART:20260329T020000" in lines and "TZOFFSETTO:+0200" in lines


def test_shanghai_vtimezone_read_back() -> None:
    text = calendar(_event(), now=STAMP)
    zone = tzical(io.StringIO(text.replace("\r\n", "\n"))).get("Asia/Shanghai")
    local = datetime(2026, 12, 5, 14, 30, tzinfo=zone)
    assert local.utcoffset() == timedelta(hours=8)


def test_nonexistent_local_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")  # clocks jump 02:00 -> 03:00
    assert to_local(datetime(2026, 12, 5, 6, 30), "Asia/Shanghai").hour == 14
    with pytest.raises(ValidationError):
        to_utc(datetime(2026, 1, 1), "Mars/Olympus_Mons")


def test_folding_never_exceeds_75_octets_nor_splits_characters() -> None:
    description = "低空经济；无人机物流,航线规划\\空域\n第二段：" + "深圳罗湖人才智库" * 40 + " mixed ASCII text " * 10
    text = calendar(_event(description=description, location="罗湖区, 人才之家; 3F",
                           categories=("低空经济", "物流,仓储")), now=STAMP)
    raw = text.encode("utf-8")
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # no character cut in half
    props = _props(text)
    assert unescape_text(props["DESCRIPTION"]) == description
    assert props["LOCATION"] == "罗湖区\\, 人才之家\\; 3F"
    assert props["CATEGORIES"] == "低空经济,物流\\,仓储"


def test_escape_and_fold_units() -> None:
    assert escape_text("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"
    assert unescape_text(escape_text("a,b;c\\d\ne")) == "a,b;c\\d\ne"
    folded = fold("X" * 200)
    parts = folded.split("\r\n")
    assert len(parts[0]) == 75 and all(p.startswith(" ") and len(p) <= 75 for p in parts[1:])
    assert folded.replace("\r\n ", "") == "X" * 200
