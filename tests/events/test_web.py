"""The event pages and /api/v1/events over a real app, search index (hashing embedder) and SQLite."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import Event, EventRegistration, Talent, User, utcnow
from kb.settings import load_settings
from kb.talents.changes import apply_record
from tests.kb.conftest import record

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SYSTEM = Actor.system("web events test")
DRONES = [
    ("w-01", "唐子墨", ["无人机末端配送航线规划", "低空物流运营"], True),
    ("w-02", "罗晓川", ["低空交通管理", "无人机空域融合运行"], True),
    ("w-03", "秦朗", ["无人机物流机巢", "低空经济商业模式"], False),  # opted out of event invitations
    ("w-04", "林书衡", ["跨境理财通", "跨境人民币结算"], True),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KnowledgeBase, object]]:
    from web.app import create_app

    data = tmp_path_factory.mktemp("events-web")
    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": data, "security.secret_key": "test-secret",
                                      "search.embedder": "hashing"}))
    kb.init_db()
    with kb.sessions() as s, s.begin():
        for rid, name, directions, accepts in DRONES:
            talent, _ = apply_record(s, record(rid, name=name, research_directions=directions,
                                               fields=["aerospace"] if rid != "w-04" else ["banking"]), SYSTEM)
            talent.accepts_event_invitations = accepts
            create_user(s, SYSTEM, f"talent-{rid}", "talent", PASSWORD, talent=talent, email=f"{rid}@example.org")
        for role in ("organizer", "researcher"):
            create_user(s, SYSTEM, role, role, PASSWORD, email=f"{role}@example.org")
    kb.sync_search()
    app = create_app(kb, TESTING=True)
    yield kb, app
    kb.close()


def client(site, username: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    c = site[1].test_client()
    token = CSRF.search(c.get("/login").get_data(as_text=True)).group(1)
    resp = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return c


def post(c: FlaskClient, path: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
    token = CSRF.search(c.get("/events").get_data(as_text=True)).group(1)
    return c.post(path, data={**(data or {}), "csrf_token": token}, **kw)


def _local(days: int, hour: int) -> str:
    return (utcnow() + timedelta(days=days)).strftime(f"%Y-%m-%dT{hour:02d}:00")


def test_the_salon_through_the_pages(site) -> None:  # type: ignore[no-untyped-def]
    kb, _app = site
    org, talent = client(site, "organizer"), client(site, "talent-w-01")
    assert "协会活动" in org.get("/events").get_data(as_text=True)
    form = {"kind": "salon", "title": "低空经济与无人机物流沙龙", "topics": "低空经济\n无人机物流",
            "description": "无人机配送航线与空域管理", "start_at": _local(7, 14), "end_at": _local(7, 17),
            "timezone": "Asia/Shanghai", "place": "罗湖区人才之家", "capacity": "1", "audience_fields": "aerospace",
            "speakers": "w-02 | | 低空交通管理实践\n外部嘉宾甲 | 某研究院 | 政策解读", "publish": "1"}
    resp = post(org, "/events/new", form)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    event_id = int(resp.headers["Location"].rsplit("/", 1)[-1])
    page = org.get(f"/events/{event_id}").get_data(as_text=True)
    assert "低空交通管理实践" in page and "外部嘉宾甲" in page and "14:00" in page

    # Suggestions: ranked with evidence; the opted-out talent is listed as excluded with the reason.
    audience = org.get(f"/events/{event_id}/audience").get_data(as_text=True)
    assert "唐子墨" in audience and "<mark>" in audience
    assert "秦朗" in audience.split("未推荐的人才及原因")[1] and "本人已选择不接收活动邀请" in audience
    resp = post(org, f"/events/{event_id}/invite", {"talent_ids": ["w-01", "w-02"], "note": "欢迎"})
    assert resp.status_code == 302

    # The invited talent accepts and gets the seat and a code; the next one is waitlisted.
    assert "接受邀请" in talent.get(f"/events/{event_id}").get_data(as_text=True)
    assert post(talent, f"/events/{event_id}/reply", {"answer": "accept"}).status_code == 302
    other = client(site, "talent-w-02")
    post(other, f"/events/{event_id}/reply", {"answer": "accept"})
    mine = talent.get(f"/events/{event_id}").get_data(as_text=True)
    with kb.sessions() as s:
        regs = {r.talent_id: r for r in s.scalars(select(EventRegistration).where(EventRegistration.event_id == event_id))}
        t1 = s.scalar(select(Talent).where(Talent.external_id == "w-01"))
        code = regs[t1.id].checkin_code
    assert f"{code[:4]}-{code[4:]}" in mine
    assert "候补第 1 位" in other.get(f"/events/{event_id}").get_data(as_text=True)
    ics = talent.get(f"/events/{event_id}/calendar.ics")
    assert ics.mimetype == "text/calendar" and "DTSTART;TZID=Asia/Shanghai" in ics.get_data(as_text=True)

    # Replies, then check-in by code (once), exports.
    replies = org.get(f"/events/{event_id}/replies").get_data(as_text=True)
    assert "唐子墨" in replies and "罗晓川" in replies
    assert post(org, f"/events/{event_id}/checkin", {"code": code.lower()}).status_code == 302
    used = post(org, f"/events/{event_id}/checkin", {"code": code})  # stays on the check-in page, says when
    assert used.status_code == 409 and "该签到码已于" in used.get_data(as_text=True)
    assert "唐子墨" in org.get(f"/events/{event_id}/checkin?q=唐").get_data(as_text=True)
    csv = org.get(f"/events/{event_id}/attendees.csv")
    assert csv.mimetype == "text/csv" and "唐子墨" in csv.get_data().decode("utf-8-sig")
    xlsx = org.get(f"/events/{event_id}/attendees.xlsx")
    assert xlsx.data[:2] == b"PK"

    # Cancelling promotes the waitlist; feedback from the attendee; materials.
    assert post(talent, f"/events/{event_id}/unregister", {"confirmed": "1"}).status_code == 302
    assert "已报名" in other.get(f"/events/{event_id}").get_data(as_text=True)
    resp = post(org, f"/events/{event_id}/materials",
                {"file": (io.BytesIO(b"%PDF-1.4 slides"), "讲义.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    assert post(org, f"/events/{event_id}/materials",
                {"file": (io.BytesIO(b"<script>"), "x.pdf")}, content_type="multipart/form-data").status_code == 400
    page = other.get(f"/events/{event_id}").get_data(as_text=True)
    link = re.search(r'href="(/events/\d+/materials/\d+)"', page).group(1)
    assert other.get(link).data.startswith(b"%PDF")
    assert "我的活动" in other.get("/events/mine").get_data(as_text=True)
    assert post(other, "/events/proposals", {"kind": "lecture", "title": "机巢网络建设"}).status_code == 302
    assert "机巢网络建设" in org.get("/events/proposals").get_data(as_text=True)
    assert "活动统计" in org.get("/events/stats").get_data(as_text=True)


def test_talents_cannot_manage_and_do_not_see_drafts(site) -> None:  # type: ignore[no-untyped-def]
    kb, _app = site
    with kb.sessions() as s, s.begin():
        draft = Event(uid="draft-uid", kind="lecture", title="内部草稿", start_at=utcnow() + timedelta(days=3),
                      end_at=utcnow() + timedelta(days=3, hours=2), capacity=5, status="draft")
        s.add(draft)
        s.flush()
        draft_id = draft.id
    talent, researcher = client(site, "talent-w-04"), client(site, "researcher")
    assert talent.get("/events/new").status_code == 403
    assert post(talent, "/events/new", {"title": "x"}).status_code == 403
    assert talent.get(f"/events/{draft_id}").status_code == 404
    assert "内部草稿" not in talent.get("/events?when=all").get_data(as_text=True)
    assert researcher.get(f"/events/{draft_id}/audience").status_code == 404
    # CSRF is required on every form.
    assert talent.post("/events/proposals", data={"kind": "topic", "title": "x"}).status_code == 400


def test_api(site) -> None:  # type: ignore[no-untyped-def]
    kb, app = site
    with kb.sessions() as s, s.begin():
        org_token = issue_token(s, s.scalar(select(User).where(User.username == "organizer")))
        talent_token = issue_token(s, s.scalar(select(User).where(User.username == "talent-w-04")))
    c = app.test_client()

    def call(method: str, path: str, token: str, **kw):  # type: ignore[no-untyped-def]
        return c.open(f"/api/v1/events{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kw)

    body = {"title": "跨境金融讲座", "kind": "lecture", "start_at": _local(9, 10), "end_at": _local(9, 12),
            "capacity": 2, "place": "罗湖", "publish": True}
    assert call("POST", "", talent_token, json=body).status_code == 403
    resp = call("POST", "", org_token, json=body)
    assert resp.status_code == 201, resp.get_json()
    event = resp.get_json()
    assert event["start_local"].endswith("10:00:00+08:00") and event["start_at"].endswith("02:00:00Z")
    eid = event["id"]
    audience = call("GET", f"/{eid}/audience?field=banking", org_token).get_json()
    assert audience["suggestions"][0]["talent_id"] == "w-04" and audience["suggestions"][0]["evidence"]
    reg = call("POST", f"/{eid}/registration", talent_token).get_json()
    assert reg["status"] == "registered" and len(reg["checkin_code"]) == 8
    assert call("GET", f"/{eid}/registration?talent_id=w-01", talent_token).status_code == 403
    problem = call("POST", f"/{eid}/feedback", talent_token, json={"rating": 5})
    assert problem.status_code == 409 and problem.mimetype == "application/problem+json"
    assert call("POST", f"/{eid}/checkins", org_token, json={"code": reg["checkin_code"]}).status_code == 201
    assert call("POST", f"/{eid}/feedback", talent_token, json={"rating": 5}).status_code == 201
    assert call("GET", f"/{eid}/attendees?format=csv", org_token).mimetype == "text/csv"
    assert call("GET", "/stats", org_token).get_json()["registrations"]["registered"] >= 1
    assert "BEGIN:VCALENDAR" in call("GET", f"/{eid}/calendar.ics?utc=1", talent_token).get_data(as_text=True)
    spec = c.get("/api/v1/openapi.json").get_json()
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/events")}
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<int:\1>", p) for p in spec["paths"] if p.startswith("/events")}
    assert rules == documented
