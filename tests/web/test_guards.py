"""Confirmations and guards: destructive actions ask first (a page that works without
JavaScript), an administrator cannot disable the account in use, and an event is offered
"标记为已结束" only once it has started."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb import accounts
from kb.actors import Actor
from kb.errors import Conflict
from kb.events import manage
from kb.events import registration as signup
from kb.events.enums import EventStatus
from kb.models import ApiToken, Event, EventRegistration, Output, User, utcnow
from kb.talents.changes import get_talent
from tests.events.conftest import event_values
from tests.web.conftest import Site, post


def _actor(session: Any, username: str) -> Actor:
    return Actor.of(session.scalar(select(User).where(User.username == username)))


def _event(site: Site, *, start_in: timedelta = timedelta(days=10), publish: bool = True,
           register: str | None = None) -> int:
    with site.kb.sessions() as s, s.begin():
        organizer = _actor(s, "organizer")
        start = (utcnow() + start_in).replace(second=0, microsecond=0)
        event = manage.create_event(s, organizer, event_values(start_at=start, end_at=start + timedelta(hours=2)))
        if publish:
            if start_in.total_seconds() > 0:
                manage.publish_event(s, organizer, event)
            else:  # an event that has started: published while it was still ahead
                manage.publish_event(s, organizer, event, now=start - timedelta(days=1))
        if register:
            signup.register(s, organizer, event, get_talent(s, register))
        return event.id


# --- the confirmation step, for each destructive action -----------------------------------------------

def _disable(site: Site) -> tuple[str, str, dict[str, str], Callable[[], bool]]:
    with site.kb.sessions() as s, s.begin():
        user = accounts.create_user(s, Actor.system("t"), f"victim{utcnow().timestamp():.0f}{id(s)}", "researcher",
                                    "x-long-password-1", unit="某单位")
        uid = user.id
    def done() -> bool:
        with site.kb.sessions() as s:
            return not s.get(User, uid).active
    return "admin", f"/admin/users/{uid}/active", {"active": "0"}, done


def _cancel_for(site: Site) -> tuple[str, str, dict[str, str], Callable[[], bool]]:
    eid = _event(site, register="web-003")
    def done() -> bool:
        with site.kb.sessions() as s:
            reg = s.scalar(select(EventRegistration).where(EventRegistration.event_id == eid))
            return reg.status == "cancelled"
    return "organizer", f"/events/{eid}/unregister", {"talent_id": "web-003"}, done


def _cancel_event(site: Site) -> tuple[str, str, dict[str, str], Callable[[], bool]]:
    eid = _event(site)
    def done() -> bool:
        with site.kb.sessions() as s:
            return s.get(Event, eid).status == EventStatus.CANCELLED
    return "organizer", f"/events/{eid}/state", {"to": "cancelled", "reason": "场地临时关闭"}, done


def _delete_output(site: Site) -> tuple[str, str, dict[str, str], Callable[[], bool]]:
    with site.kb.sessions() as s:
        talent = get_talent(s, "web-001")
        out = talent.outputs[-1]
        oid, version = out.id, talent.version
    def done() -> bool:
        with site.kb.sessions() as s:
            return s.get(Output, oid) is None
    return "talent", f"/talents/web-001/outputs/{oid}/delete", {"version": str(version)}, done


def _revoke_token(site: Site) -> tuple[str, str, dict[str, str], Callable[[], bool]]:
    from kb.api_tokens import issue

    with site.kb.sessions() as s, s.begin():
        public_id = issue(s, s.scalar(select(User).where(User.username == "researcher")), "脚本").token.public_id
    def done() -> bool:
        with site.kb.sessions() as s:
            return s.scalar(select(ApiToken).where(ApiToken.public_id == public_id)).revoked_at is not None
    return "researcher", f"/account/tokens/{public_id}/revoke", {}, done


ACTIONS = {"disable account": _disable, "代为取消": _cancel_for, "cancel event": _cancel_event,
           "delete output": _delete_output, "revoke token": _revoke_token}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_destructive_action_asks_first_and_acts_only_when_confirmed(
        site: Site, clients: dict[str, FlaskClient], name: str) -> None:
    who, url, form, done = ACTIONS[name](site)
    client = clients[who]
    first = post(client, url, form)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "请确认" in html, html[:300]
    assert not done(), f"{name} ran on one click"
    for key, value in form.items():  # the confirmation re-posts exactly what the form said
        assert f'name="{key}" value="{value}"' in html
    assert 'name="confirmed" value="1"' in html and f'action="{url}"' in html
    assert re.search(r'<a href="/[^"]*">返回，不执行</a>', html)
    second = post(client, url, {**form, "confirmed": "1"})
    assert second.status_code in (200, 302), second.get_data(as_text=True)[:300]
    assert done(), f"{name} did not run once confirmed"


def test_forms_of_destructive_actions_carry_the_question_for_the_script(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    eid = _event(site, register="web-003")
    replies = clients["organizer"].get(f"/events/{eid}/replies").get_data(as_text=True)
    assert re.search(r'data-confirm="确定代 陈雅琳 取消', replies)
    users = clients["admin"].get("/admin/users").get_data(as_text=True)
    assert "data-confirm=\"确定停用账号" in users


# --- no self-disable -------------------------------------------------------------------------------------

def test_kb_refuses_an_admin_disabling_the_account_in_use(site: Site) -> None:
    with site.kb.sessions() as s, s.begin():
        admin = s.scalar(select(User).where(User.username == "admin"))
        with pytest.raises(Conflict):
            accounts.set_active(s, Actor.of(admin), admin, False)
        assert admin.active


def test_admin_page_offers_no_disable_on_ones_own_row_and_refuses_it(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    with site.kb.sessions() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    html = clients["admin"].get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{admin_id}/active" not in html and "当前账号" in html
    resp = post(clients["admin"], f"/admin/users/{admin_id}/active", {"active": "0", "confirmed": "1"})
    assert resp.status_code == 409
    with site.kb.sessions() as s:
        assert s.get(User, admin_id).active
    assert clients["admin"].get("/admin/users").status_code == 200  # still logged in


# --- state actions only when they make sense ---------------------------------------------------------------

@pytest.mark.parametrize(("status", "started", "expected"), [
    (EventStatus.DRAFT, False, [EventStatus.PUBLISHED, EventStatus.CANCELLED]),
    (EventStatus.PUBLISHED, False, [EventStatus.CANCELLED]),
    (EventStatus.PUBLISHED, True, [EventStatus.FINISHED, EventStatus.CANCELLED]),
    (EventStatus.CANCELLED, True, []),
    (EventStatus.FINISHED, True, []),
])
def test_event_moves_are_those_the_transition_accepts(
        site: Site, status: EventStatus, started: bool, expected: list[EventStatus]) -> None:
    eid = _event(site, publish=False)
    with site.kb.sessions() as s:
        event = s.get(Event, eid)
        event.status = status.value
        now = event.start_at + (timedelta(minutes=5) if started else -timedelta(minutes=5))
        organizer = _actor(s, "organizer")
        assert manage.moves_now(organizer, event, now) == expected
        for to in EventStatus:  # generated: each offered move is accepted, each other one refused
            if to not in manage.MANUAL_MOVES:
                continue
            nested = s.begin_nested()
            try:
                manage.transition(s, organizer, event, to, "x", now=now)
                accepted = True
            except Exception:  # noqa: BLE001 - the refusal's kind is not the point here
                accepted = False
            nested.rollback()
            event.status = status.value
            assert accepted == (to in expected), (status, started, to)
        s.rollback()
        assert manage.moves_now(_actor(s, "researcher"), s.get(Event, eid), now) == []


def test_mark_finished_is_offered_only_after_the_start(site: Site, clients: dict[str, FlaskClient]) -> None:
    ahead = _event(site, start_in=timedelta(days=3))
    html = clients["organizer"].get(f"/events/{ahead}").get_data(as_text=True)
    assert "标记为已结束" not in html and "取消活动" in html
    started = _event(site, start_in=-timedelta(hours=1))
    html = clients["organizer"].get(f"/events/{started}").get_data(as_text=True)
    assert "标记为已结束" in html


def test_event_page_in_english_names_the_confirmation(site: Site) -> None:
    from tests.web.conftest import login

    c = site.app.test_client()
    login(c, "organizer")
    c.get("/lang/en")
    eid = _event(site)
    page = post(c, f"/events/{eid}/state", {"to": "cancelled"}).get_data(as_text=True)
    assert "Please confirm" in page and "Go back without doing it" in page and "请确认" not in page
