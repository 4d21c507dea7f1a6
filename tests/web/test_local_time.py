"""Every time a person reads is Luohu's wall time, never the stored UTC.

The database stores naive UTC. A UTC time is generated; each place that shows
it (the pages' ``time`` filter and a page using it, the CSV exports, the
dossier's clock, the settings check) must show the Asia/Shanghai wall time,
eight hours ahead, and never the UTC digits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kb.localtime import wall_time
from kb.models import User
from kb.settings import SettingsError, load_settings
from kb.tabular import to_csv, to_xlsx
from tests.web.conftest import Site
from web.templating import fmt_time

# Shanghai has kept UTC+8 without daylight saving since 1991: the expected wall time is plain arithmetic.
UTC_TIMES = st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2090, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0))


def shanghai(value: datetime) -> str:
    return (value + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def utc_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


@given(UTC_TIMES)
@settings(max_examples=200)
def test_the_one_helper_shows_shanghai_wall_time(value: datetime) -> None:
    assert wall_time(value, "Asia/Shanghai") == shanghai(value)
    # An aware time means the same instant, whatever zone it carries.
    assert wall_time(value.replace(tzinfo=UTC), "Asia/Shanghai") == shanghai(value)
    # A plain date has no time of day: shown as it is.
    assert wall_time(value.date(), "Asia/Shanghai") == value.date().isoformat()


@given(UTC_TIMES)
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_page_filter_shows_the_configured_zone(app: Flask, value: datetime) -> None:
    with app.test_request_context():
        shown = fmt_time(value)
    assert shown == shanghai(value)
    assert utc_text(value) not in shown and "UTC" not in shown


@given(UTC_TIMES)
@settings(max_examples=100)
def test_exports_write_wall_time(value: datetime) -> None:
    csv_text = to_csv(["时间 Time", "日期 Date"], [[value, date(2026, 1, 2)]], tz="Asia/Shanghai").decode("utf-8-sig")
    assert shanghai(value) in csv_text and utc_text(value) not in csv_text
    assert "2026-01-02" in csv_text


def test_xlsx_export_writes_wall_time() -> None:
    import io

    from openpyxl import load_workbook

    value = datetime(2026, 12, 3, 7, 2)
    sheet = load_workbook(io.BytesIO(to_xlsx(["时间 Time"], [[value]], tz="Asia/Shanghai"))).active
    assert sheet["A2"].value == "2026-12-03 15:02"


@pytest.mark.parametrize("when", [datetime(2026, 12, 3, 7, 2), datetime(2026, 12, 31, 20, 30)],
                         ids=["afternoon", "next-day"])
def test_pages_show_local_time(site: Site, clients: dict[str, FlaskClient], when: datetime) -> None:
    """The admin's account list and a user's own account page: 07:02 UTC reads 15:02."""
    with site.kb.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == "talent2")).one()
        user.last_login_at = when
    for client, path in ((clients["admin"], "/admin/users"), (clients["talent2"], "/account")):
        html = client.get(path).get_data(as_text=True)
        assert shanghai(when) in html, path
        assert utc_text(when) not in html and " UTC" not in html, path


@pytest.mark.parametrize("bad", ["Mars/Olympus", "UTC+8", ""])
def test_an_unknown_zone_is_refused_at_load(bad: str) -> None:
    with pytest.raises(SettingsError, match="locale.timezone"):
        load_settings({"locale.timezone": bad})


def test_the_zone_comes_from_the_setting() -> None:
    assert load_settings({"locale.timezone": "Europe/London"}).locale.timezone == "Europe/London"
    assert load_settings({}).locale.timezone == "Asia/Shanghai"


@given(UTC_TIMES)
@settings(max_examples=50)
def test_mail_is_dated_in_local_time(value: datetime) -> None:
    from email.utils import parsedate_to_datetime

    from kb.notifications.mailer import build_message
    from kb.settings import MailSettings

    msg = build_message(MailSettings(), "http://kb.example", {"to": "a@example.org", "subject": "s", "body": "b"},
                        tz="Asia/Shanghai", now=value.replace(tzinfo=UTC))
    sent = parsedate_to_datetime(msg["Date"])
    assert msg["Date"].endswith("+0800")
    assert sent.strftime("%Y-%m-%d %H:%M") == shanghai(value)


@given(UTC_TIMES)
@settings(max_examples=50)
def test_event_notices_say_the_venue_wall_time(value: datetime) -> None:
    from types import SimpleNamespace

    from kb.events.notices import when_where

    event = SimpleNamespace(start_at=value, end_at=value + timedelta(hours=2), timezone="Asia/Shanghai",
                            place="罗湖区人才之家", online_url="")
    text = when_where(event)  # type: ignore[arg-type]
    assert shanghai(value) in text and utc_text(value) not in text
