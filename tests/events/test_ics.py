"""The .ics files: time zones, UTC form, folding, and no injected properties (RFC 5545).

Every file is read back with the ``icalendar`` parser (and the VTIMEZONE with
dateutil's independent one), so the tests check what a calendar client sees,
not the text we meant to write.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from dateutil.tz import tzical
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from kb.errors import ValidationError
from kb.events.ics import CalendarEvent, calendar
from kb.events.times import to_local, to_utc

STAMP = datetime(2026, 11, 27, 10, 0)
VEVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "STATUS", "DESCRIPTION",
                     "LOCATION", "URL", "CATEGORIES"}


def _event(**over) -> CalendarEvent:  # type: ignore[no-untyped-def]
    values = {"uid": "e1", "summary": "低空经济与无人机物流", "start_utc": datetime(2026, 12, 5, 6, 30),
              "end_utc": datetime(2026, 12, 5, 9, 0), "tz": "Asia/Shanghai"}
    values.update(over)
    return CalendarEvent(**values)


def _vevent(text: str):  # type: ignore[no-untyped-def]
    cal = Calendar.from_ical(text)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _lines(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_local_time_with_tzid_and_vtimezone() -> None:
    text = calendar(_event(), now=STAMP)
    ev = _vevent(text)
    assert "DTSTART;TZID=Asia/Shanghai:20261205T143000" in _lines(text)  # 06:30 UTC is 14:30 in Shanghai
    assert "DTEND;TZID=Asia/Shanghai:20261205T170000" in _lines(text)
    assert ev.decoded("dtstart").utcoffset() == timedelta(hours=8)
    assert "DTSTAMP:20261127T100000Z" in _lines(text) and str(ev["uid"]) == "e1@luohu-kb"
    lines = _lines(text)
    vtz = lines[lines.index("BEGIN:VTIMEZONE"): lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Asia/Shanghai" in vtz and "TZOFFSETTO:+0800" in vtz and "BEGIN:DAYLIGHT" not in vtz
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_utc_form_has_z_and_no_vtimezone() -> None:
    text = calendar(_event(), utc=True, now=STAMP)
    assert "DTSTART:20261205T063000Z" in _lines(text) and "DTEND:20261205T090000Z" in _lines(text)
    assert "VTIMEZONE" not in text


def test_daylight_saving_zone_resolves_to_the_same_instant() -> None:
    """A Berlin summer event: the VTIMEZONE, read back by an independent parser, gives the right offsets."""
    start = to_utc(datetime(2026, 7, 1, 18, 0), "Europe/Berlin")
    assert start == datetime(2026, 7, 1, 16, 0)
    text = calendar(_event(tz="Europe/Berlin", start_utc=start, end_utc=start + timedelta(hours=2)), now=STAMP)
    assert "DTSTART;TZID=Europe/Berlin:20260701T180000" in _lines(text)
    zone = tzical(io.StringIO(text.replace("\r\n", "\n"))).get("Europe/Berlin")
    for local, hours in [(datetime(2026, 7, 1, 18), 2), (datetime(2026, 1, 15, 9), 1),
                         (datetime(2026, 3, 29, 1, 59), 1), (datetime(2026, 3, 29, 3, 0), 2),
                         (datetime(2026, 10, 25, 3, 1), 1), (datetime(2027, 8, 1), 2)]:
        assert local.replace(tzinfo=zone).utcoffset() == timedelta(hours=hours), local


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
    for physical in text.encode("utf-8").split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")  # no character cut in half
    ev = _vevent(text)
    assert str(ev["description"]) == description
    assert str(ev["location"]) == "罗湖区, 人才之家; 3F"
    assert [str(c) for c in ev["categories"].cats] == ["低空经济", "物流,仓储"]


HOSTILE = st.text(alphabet=st.sampled_from(list("\r\n\t:;,\\\"=+-@ ABCDEATTENDEE罗湖") + ["\x00", "\x0b", "\u2028"]),
                  max_size=60)
INJECTIONS = st.sampled_from(["\r\nATTENDEE:mailto:evil@example.org", "\nATTENDEE;RSVP=TRUE:mailto:x@y",
                              "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:fake", "\rORGANIZER:mailto:boss@x",
                              "\r\n ATTENDEE:folded"])


@settings(max_examples=150, deadline=None)
@given(summary=HOSTILE, description=HOSTILE, location=HOSTILE, category=HOSTILE, injection=INJECTIONS,
       url_tail=HOSTILE)
def test_no_text_or_link_adds_a_property_or_an_event(summary: str, description: str, location: str,
                                                     category: str, injection: str, url_tail: str) -> None:
    """Whatever the organizer types (and whatever link slipped past validation), a client reads one
    VEVENT with exactly our properties, each carrying the text as typed."""
    ev = _event(summary=summary + injection, description=injection + description, location=location + injection,
                categories=(category + injection,), url="https://meet.example.org/" + url_tail + injection)
    for utc in (False, True):
        text = calendar(ev, utc=utc, now=STAMP)
        vevent = _vevent(text)
        assert set(vevent.keys()) <= VEVENT_PROPERTIES
        assert "ATTENDEE" not in vevent and "ORGANIZER" not in vevent
        assert str(vevent["summary"]) == _as_read(summary + injection)
        assert str(vevent["description"]) == _as_read(injection + description)
        assert [str(c) for c in vevent["categories"].cats] == [_as_read(category + injection)]
        assert "URL" not in vevent  # a link with a line break is never written
        names = [line.split(":", 1)[0].split(";", 1)[0] for line in _lines(text) if line]
        assert names.count("BEGIN") == names.count("END") and "ATTENDEE" not in names


def _as_read(typed: str) -> str:
    """What a client reads back of a typed text: line breaks as LF, no control characters but tab.

    The library reads a typed backslash-N as RFC 5545's escaped line break (``\\N``) and writes a line
    break for it: a harmless change of the text, not a way to add a property, so accepted here."""
    text = typed.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 127 <= ord(ch) < 160))
    return text.replace("\\N", "\n")
