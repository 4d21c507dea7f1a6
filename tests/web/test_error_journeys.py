"""Errors never lose what the user typed and always offer the way on.

- The advice form with a refused attachment (each kind of refusal, generated
  text) comes back with the text and a message next to the attachment field.
- Check-in with a used or unknown code keeps the organizer on the check-in
  page with the code and a plain sentence ("该签到码已于 15:02 签到").
- The error pages (403, 404, 409, 413) in both languages say what happened in
  plain words, link to a sensible next page, and show no developer string.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import invitations
from kb.consultations.requests import create_request, open_request
from kb.events.manage import create_event, publish_event
from kb.events.registration import register
from kb.models import EventRegistration, User
from kb.talents.changes import get_talent
from tests.web.conftest import Site, csrf_token, post

# What a page for a citizen never says: kb's English details, Python reprs, permission codes.
DEVELOPER = re.compile(r"may not |\b[a-z]+\.[a-z_]+\b(?![^<]*>)|\['|Traceback|not a \.|\bunknown check-in\b|#\d+")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
BAD_FILES = {  # name, content → the refusal it meets
    "mismatch": ("报告.pdf", b"this is plain text, not a PDF"),
    "type": ("tool.exe", b"MZ\x90\x00"),
    "empty": ("空.pdf", b""),
}


def actor(site: Site, username: str) -> Actor:
    with site.kb.sessions() as s:
        return Actor.of(s.scalars(select(User).where(User.username == username)).one())


@pytest.fixture(scope="module")
def invitation_id(site: Site) -> int:
    researcher = actor(site, "researcher")
    with site.kb.sessions() as s, s.begin():
        req = create_request(s, researcher, {
            "title": "罗湖区跨境金融政策咨询", "background": "罗湖区拟出台支持跨境理财通发展的措施，需要专家意见。",
            "questions": "如何便利跨境人民币结算？", "fields": ["banking"], "deadline": date.today() + timedelta(days=20),
            "experts_wanted": 1, "form": "written", "confidentiality": "unit", "parties": [],
        })
        open_request(s, researcher, req)
        (inv,) = invitations.invite(s, researcher, req, [get_talent(s, "web-001")])
        return inv.id


@pytest.fixture(scope="module")
def event_codes(site: Site) -> tuple[int, str]:
    """A published event with one registered talent: (event id, that talent's check-in code)."""
    organizer, talent_actor = actor(site, "organizer"), actor(site, "talent")
    day = date.today() + timedelta(days=5)
    with site.kb.sessions() as s, s.begin():
        event = create_event(s, organizer, {
            "kind": "salon", "title": "跨境金融沙龙", "description": "沙龙", "topics": ["跨境金融"],
            "start_at": datetime(day.year, day.month, day.day, 14, 30),
            "end_at": datetime(day.year, day.month, day.day, 16, 30), "timezone": "Asia/Shanghai",
            "place": "罗湖区人才之家", "capacity": 10,
        })
        publish_event(s, organizer, event)
        reg = register(s, talent_actor, event, get_talent(s, "web-001"))
        return event.id, reg.checkin_code or ""


def lang(client: FlaskClient, code: str) -> None:
    client.get(f"/lang/{code}")


def text_of(resp) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(resp.get_data(as_text=True))


ADVICE = st.text(alphabet=st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Nd"), max_codepoint=0x9FFF),
                 min_size=12, max_size=200)


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@given(advice=ADVICE)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_refused_attachment_keeps_the_advice(clients: dict[str, FlaskClient], invitation_id: int, kind: str,
                                                advice: str) -> None:
    client = clients["talent"]
    lang(client, "zh")
    name, content = BAD_FILES[kind]
    resp = client.post(f"/consultations/invitations/{invitation_id}/advice", data={
        "text": advice, "attachments": (io.BytesIO(content), name),
        "csrf_token": csrf_token(client, f"/consultations/invitations/{invitation_id}"),
    }, content_type="multipart/form-data")
    assert resp.status_code == 400
    page = text_of(resp)
    assert advice in page, "the written advice is lost"
    assert 'id="attachments-error"' in page
    assert "content does not match" not in page and "only " not in page


def test_a_refused_attachment_is_explained_in_english_too(clients: dict[str, FlaskClient], invitation_id: int) -> None:
    client = clients["talent"]
    lang(client, "en")
    try:
        resp = client.post(f"/consultations/invitations/{invitation_id}/advice", data={
            "text": "Cross-border settlement needs one window.", "attachments": (io.BytesIO(b"text"), "report.pdf"),
            "csrf_token": csrf_token(client, f"/consultations/invitations/{invitation_id}"),
        }, content_type="multipart/form-data")
        page = text_of(resp)
        assert resp.status_code == 400
        assert "Cross-border settlement needs one window." in page
        assert "report.pdf" in page and "内容" not in page.split('id="attachments-error"')[1][:200]
    finally:
        lang(client, "zh")


def test_a_missing_decline_reason_keeps_the_page(clients: dict[str, FlaskClient], invitation_id: int) -> None:
    resp = post(clients["talent"], f"/consultations/invitations/{invitation_id}/respond",
                {"action": "decline", "reason": "   "})
    assert resp.status_code == 400
    assert "请说明原因" in text_of(resp)


def test_a_used_check_in_code_stays_on_the_check_in_page(site: Site, clients: dict[str, FlaskClient],
                                                         event_codes: tuple[int, str]) -> None:
    event_id, code = event_codes
    organizer = clients["organizer"]
    lang(organizer, "zh")
    first = post(organizer, f"/events/{event_id}/checkin", {"code": code})
    assert first.status_code == 302
    with site.kb.sessions() as s:
        at = s.scalars(select(EventRegistration).where(EventRegistration.event_id == event_id)).one().checked_in_at
    local = (at + timedelta(hours=8)).strftime("%H:%M")
    again = post(organizer, f"/events/{event_id}/checkin", {"code": code})
    page = text_of(again)
    assert again.status_code == 409
    assert f"该签到码已于 {local} 签到" in page
    assert "现场签到" in page and f'value="{code}"' in page
    assert "其他人刚刚修改" not in page


@given(code=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=8, max_size=8))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_an_unknown_code_says_so_on_the_check_in_page(clients: dict[str, FlaskClient], event_codes: tuple[int, str],
                                                      code: str) -> None:
    event_id, real = event_codes
    if code == real:
        return
    resp = post(clients["organizer"], f"/events/{event_id}/checkin", {"code": code})
    page = text_of(resp)
    assert resp.status_code == 404
    assert "签到码" in page and "不存在" in page and "现场签到" in page
    assert "内容不存在或已被删除" not in page


def error_pages(site: Site, clients: dict[str, FlaskClient]) -> list[tuple[str, str, int, str]]:
    """(client, method, status, path) of pages where each error status meets a person."""
    return [
        ("researcher", "GET", 403, "/admin/users"),
        ("talent", "GET", 403, "/admin/audit"),
        ("organizer", "GET", 403, "/consultations/new"),
        ("researcher", "GET", 404, "/consultations/999999"),
        ("organizer", "GET", 404, "/events/999999"),
        ("researcher", "GET", 404, "/talents/no-such-talent"),
    ]


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_error_pages_speak_plainly_and_lead_on(site: Site, clients: dict[str, FlaskClient], ui: str) -> None:
    for who, _method, status, path in error_pages(site, clients):
        client = clients[who]
        lang(client, ui)
        try:
            resp = client.get(path)
        finally:
            lang(client, "zh")
        page = text_of(resp)
        assert resp.status_code == status, path
        main = page.split("<main", 1)[-1].split("</main>")[0]
        assert "data-next" in main, f"{path}: no next link"
        found = DEVELOPER.search(re.sub(r"<[^>]+>", " ", main))
        assert found is None, f"{path} ({ui}): developer string {found.group(0)!r}"
        if ui == "en":
            assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", " ", main).split("©")[0]) or status == 404 \
                and "no-such" in path, f"{path}: Chinese on an English page"


def test_forbidden_says_who_may(clients: dict[str, FlaskClient]) -> None:
    page = text_of(clients["researcher"].get("/admin/users"))
    assert "只有系统管理员可以管理账号" in page


def test_conflict_page_reopens_the_page(site: Site, clients: dict[str, FlaskClient]) -> None:
    from flask import Flask

    from kb.errors import Conflict
    from web.errors import init_app  # noqa: F401  (the handlers under test are the app's)

    app: Flask = site.app
    with app.test_request_context("/consultations/1", headers={"Referer": "http://localhost/consultations/1"}):
        from flask_login import login_user

        from web.sessions import db

        login_user(db().scalars(select(User).where(User.username == "researcher")).one())
        resp = app.make_response(app.handle_user_exception(Conflict("row changed", code="conflict")))
    page = text_of(resp)
    assert resp.status_code == 409
    assert "重新打开此页" in page and 'href="/consultations/1"' in page
    assert "row changed" not in page


def test_too_large_upload_says_the_limit(site: Site, clients: dict[str, FlaskClient], invitation_id: int) -> None:
    client = clients["talent"]
    limit = site.app.config["MAX_CONTENT_LENGTH"]  # the configured web.max_upload_mb
    resp = client.post(f"/consultations/invitations/{invitation_id}/advice", data={
        "text": "x", "attachments": (io.BytesIO(b"0" * (limit + 1)), "big.pdf")}, content_type="multipart/form-data")
    page = text_of(resp)
    assert resp.status_code == 413
    assert f"{limit // (1024 * 1024)} MB" in page and "data-next" in page


NOTES = st.text(alphabet=st.characters(whitelist_categories=("Lo", "Ll", "Nd")), min_size=4, max_size=80).filter(
    lambda s: not s.strip().isdigit())


@given(note=NOTES, to=st.sampled_from(["bogus", "", "draft", "'; drop table"]))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_refused_state_move_comes_back_on_the_request_page(clients: dict[str, FlaskClient],
                                                              invitation_id: int, note: str, to: str) -> None:
    """A state move no one may make re-renders the request page (web.refusals): the reason is shown above
    the actions, and the typed note is back in the cancellation form, not on a dead-end error page."""
    client = clients["researcher"]
    resp = post(client, "/consultations/1/state", {"to": to, "note": note},
                headers={"Referer": "http://localhost/consultations/1"})
    page = text_of(resp)
    assert resp.status_code in (400, 409)
    assert "form-refusal" in page and "error-card" not in page
    assert f'name="note" value="{note}"' in page, "the typed note is lost"


@given(display=st.text(alphabet="林书衡陈雅琳周明远黄海燕", min_size=2, max_size=6),
       unit=st.text(alphabet="罗湖区人才工作局发展研究中心", min_size=3, max_size=12))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_taken_user_name_keeps_the_account_form(clients: dict[str, FlaskClient], display: str, unit: str) -> None:
    """Creating an account under a name in use: the form comes back filled in, the name field says why."""
    resp = post(clients["admin"], "/admin/users", {"username": "researcher", "display_name": display, "unit": unit,
                                                   "role": "researcher", "password": "a-Long-enough-pw-42"})
    page = text_of(resp)
    assert resp.status_code == 409
    assert "用户名“researcher”已被使用" in page
    assert f'value="{display}"' in page and f'value="{unit}"' in page
    assert "exists already" not in page


@given(title=st.text(alphabet="罗湖区低空经济无人机物流政策咨询", min_size=4, max_size=40),
       days=st.integers(min_value=1, max_value=3000), experts=st.sampled_from(["0", "31", "abc"]))
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_refused_request_keeps_the_need(clients: dict[str, FlaskClient], title: str, days: int,
                                           experts: str) -> None:
    """A past deadline and an impossible number of experts: the need comes back, each field says why, in Chinese."""
    past = (date.today() - timedelta(days=days)).isoformat()
    resp = post(clients["researcher"], "/consultations/new", {
        "title": title, "background": "区里拟出台低空物流扶持措施。", "questions": "航线如何审批？",
        "deadline": past, "experts_wanted": experts, "form": "written", "confidentiality": "unit"})
    page = text_of(resp)
    assert resp.status_code == 400
    assert f'value="{title}"' in page and "区里拟出台低空物流扶持措施。" in page
    assert "截止日期已经过去" in page and "请填写 1 到 30 之间的整数" in page
    assert "the deadline is in the past" not in page and "a whole number" not in page


@given(title=st.text(alphabet="低空经济沙龙无人机物流讲座", min_size=3, max_size=30), hours=st.integers(1, 10))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_refused_event_keeps_the_form(clients: dict[str, FlaskClient], title: str, hours: int) -> None:
    """An event ending before it starts: the organizer's form comes back filled in with the reason next to the end."""
    day = date.today() + timedelta(days=20)
    start = datetime(day.year, day.month, day.day, 12, 0)
    resp = post(clients["organizer"], "/events/new", {
        "kind": "salon", "title": title, "description": "沙龙介绍", "topics": "低空经济",
        "start_at": start.strftime("%Y-%m-%dT%H:%M"),
        "end_at": (start - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Asia/Shanghai", "place": "罗湖区人才之家", "capacity": "20"})
    page = text_of(resp)
    assert resp.status_code == 400
    assert f'value="{title}"' in page and "罗湖区人才之家" in page
    assert "结束时间必须晚于开始时间" in page and "must be after" not in page
