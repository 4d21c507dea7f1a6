"""Living profiles on the web: assignment by admins, the commissioner's desk with one-click
reminders, the talent's digest choice, delegated edits in the history, the dashboard's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.models import Notification, User, utcnow
from kb.talents import changes as ops
from tests.web.conftest import Site, login, post


@pytest.fixture(scope="module")
def assigned(site: Site, clients: dict[str, FlaskClient]) -> None:
    resp = post(clients["admin"], "/commissioner/assignments", {"talents": "web-001, web-002",
                                                               "commissioner": "commissioner"})
    assert resp.status_code == 302
    with site.kb.sessions() as s, s.begin():
        t = ops.get_talent(s, "web-001")
        t.last_changed_at = utcnow() - timedelta(days=400)


def _notes(site: Site, username: str, kind: str) -> list[Notification]:
    with site.kb.sessions() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return list(s.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)))


def test_admin_assigns_and_sees_the_history(clients: dict[str, FlaskClient], assigned: None) -> None:
    page = clients["admin"].get("/commissioner/assignments?talent=web-001").get_data(as_text=True)
    assert "分工记录" in page and "至今" in page and "commissioner" in page
    assert post(clients["commissioner"], "/commissioner/assignments",
                {"talents": "web-003", "commissioner": "commissioner"}).status_code == 403


def test_the_commissioners_desk_lists_its_talents_with_freshness_and_tasks(clients: dict[str, FlaskClient],
                                                                          assigned: None) -> None:
    page = clients["commissioner"].get("/commissioner/").get_data(as_text=True)
    assert "web-001" in page and "web-002" in page and "web-003" not in page
    assert "长期未更新" in page and "/talents/web-001/edit" in page  # the stale profile's task links to its form
    everyone = clients["commissioner"].get("/commissioner/?scope=all").get_data(as_text=True)
    assert "web-003" in everyone
    stale_only = clients["commissioner"].get("/commissioner/?scope=all&state=stale").get_data(as_text=True)
    assert "web-001" in stale_only and "web-003" not in stale_only


def test_one_click_reminder_once_a_week_and_only_for_ones_own_talents(site: Site, clients: dict[str, FlaskClient],
                                                                      assigned: None) -> None:
    c = clients["commissioner"]
    assert 'action="/commissioner/remind/web-001"' in c.get("/commissioner/").get_data(as_text=True)
    resp = post(c, "/commissioner/remind/web-001", follow_redirects=True)
    assert resp.status_code == 200 and "已向" in resp.get_data(as_text=True)
    [note] = _notes(site, "talent", "freshness.reminder")
    assert note.link == "/talents/web-001/edit"
    again = post(c, "/commissioner/remind/web-001", follow_redirects=True).get_data(as_text=True)
    assert "一周内已提醒过" in again
    assert len(_notes(site, "talent", "freshness.reminder")) == 1
    # Not assigned to this commissioner: refused, and the button is not offered.
    assert post(c, "/commissioner/remind/web-003").status_code == 403
    assert 'action="/commissioner/remind/web-003"' not in c.get("/commissioner/?scope=all").get_data(as_text=True)


def test_the_talent_chooses_its_digest_frequency_on_the_account_page(site: Site,
                                                                    clients: dict[str, FlaskClient]) -> None:
    page = clients["talent"].get("/account").get_data(as_text=True)
    assert 'name="frequency"' in page and "资料更新提醒" in page
    resp = post(clients["talent"], "/talents/web-001/digest", {"frequency": "off", "back": "account"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    with site.kb.sessions() as s:
        assert ops.get_talent(s, "web-001").digest_frequency == "off"
    assert post(clients["talent2"], "/talents/web-001/digest", {"frequency": "weekly"}).status_code == 403
    assert post(clients["talent"], "/talents/web-001/digest", {"frequency": "daily"}).status_code == 400
    assert post(clients["talent"], "/talents/web-001/digest", {"frequency": "monthly"}).status_code == 302


def test_an_edit_on_the_talents_behalf_shows_as_delegated_in_the_history(site: Site,
                                                                         clients: dict[str, FlaskClient]) -> None:
    with site.kb.sessions() as s, s.begin():
        user = s.scalar(select(User).where(User.username == "commissioner"))
        assert user is not None
        ops.update_profile(s, Actor.of(user), ops.get_talent(s, "web-002"), {"research_directions": ["跨境数据"]},
                           None)
    page = clients["talent2"].get("/talents/web-002/history").get_data(as_text=True)
    assert "代为修改" in page


def test_the_dashboard_shows_freshness_per_commissioner_and_over_time(site: Site, clients: dict[str, FlaskClient],
                                                                      assigned: None) -> None:
    from kb.talents.freshness import write_snapshot

    with site.kb.sessions() as s, s.begin():
        write_snapshot(s, utcnow(), site.kb.settings.freshness)
    data = clients["admin"].get("/dashboard/data.json").get_json()
    rows = {r["commissioner"]: r for r in data["freshness_by_commissioner"]}
    assert rows["commissioner"]["talents"] == 2 and rows["commissioner"]["stale"] == 1
    assert rows[None]["talents"] >= 1  # the talents nobody looks after are counted too
    assert data["freshness_history"][-1]["stale"] == data["freshness_states"]["stale"]
    page = clients["admin"].get("/dashboard/").get_data(as_text=True)
    assert 'data-chart="freshnessHistory"' in page and "各服务专员负责人才的档案更新情况" in page
    english = site.app.test_client()
    login(english, "organizer")
    english.get("/lang/en")
    page = english.get("/dashboard/").get_data(as_text=True)
    assert "Freshness of each commissioner" in page and "Share current" in page and "未指定服务专员" not in page


def test_the_profile_shows_its_freshness_and_commissioner_to_those_who_keep_it(
        clients: dict[str, FlaskClient], assigned: None) -> None:
    own = clients["talent"].get("/talents/web-001").get_data(as_text=True)
    assert "长期未更新" in own and "研究方向和成果 400 天未更新" in own and "commissioner" in own
    assert "研究方向和成果" not in clients["researcher"].get("/talents/web-001").get_data(as_text=True).split(
        "基本信息")[1].split("联系方式")[0]
