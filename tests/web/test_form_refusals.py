"""Every POST form of the consultation request page and the event pages, given bad input,
comes back on its own page: a 4xx re-render with the message next to the form, in the
reader's language, and what was typed still in the form — never the generic error page.

The cases are the class, not an example: each form of these pages (web.refusals
wraps their views; the check-in and hand-addition forms answer in place themselves)
with the input that each refuses, in Chinese and in English.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import invitations
from kb.consultations.attachments import Upload
from kb.consultations.requests import create_request, open_request
from kb.events.checkin import check_in_by_code
from kb.events.manage import create_event, publish_event
from kb.events.proposals import propose
from kb.events.registration import register
from kb.models import User
from kb.talents.changes import get_talent
from tests.web.conftest import Site, csrf_token

CJK = re.compile(r"[\u4e00-\u9fff]")
# kb's English details and developer strings that a page must never show (cf. test_error_journeys.DEVELOPER).
DEVELOPER = re.compile(r"may not |\b[a-z]+_[a-z_]+\b|\['|Traceback|#\d+|\bone of\b|\bconsultation #")
ALERT = re.compile(r'<(?:div|p)[^>]*role="alert"[^>]*>(.*?)</(?:div|p)>', re.S)


@dataclass(frozen=True)
class World:
    request: int
    advice: int
    invitation: int  # an invitation still waiting for advice
    answered: int  # one whose advice is in
    event: int
    used_code: str


def _actor(site: Site, username: str) -> Actor:
    with site.kb.sessions() as s:
        return Actor.of(s.scalars(select(User).where(User.username == username)).one())


@pytest.fixture(scope="module")
def world(site: Site) -> World:
    """A consultation with advice to rate and record, an event with a used check-in code, a proposal."""
    researcher, talent = _actor(site, "researcher"), _actor(site, "talent")
    organizer = _actor(site, "organizer")
    with site.kb.sessions() as s, s.begin():
        req = create_request(s, researcher, {
            "title": "罗湖口岸经济带跨境消费政策咨询", "background": "罗湖区拟出台支持跨境消费的措施，需要金融和商贸方面的专家意见。",
            "questions": "如何便利跨境支付？", "fields": ["banking"], "deadline": date.today() + timedelta(days=20),
            "experts_wanted": 2, "form": "written", "confidentiality": "unit", "parties": [],
        })
        open_request(s, researcher, req)
        inv, _other = invitations.invite(s, researcher, req, [get_talent(s, "web-001"), get_talent(s, "web-003")])
        advice = invitations.submit_advice(s, talent, inv, "建议设立跨境支付一站式窗口。", [Upload("", b"")],
                                           data_dir=site.data_dir)
        waiting = create_request(s, researcher, {
            "title": "罗湖区商圈夜间经济咨询", "background": "罗湖区拟延长商圈营业时间，需要商贸方面的专家意见。",
            "questions": "夜间消费如何管理？", "fields": ["banking"], "deadline": date.today() + timedelta(days=20),
            "experts_wanted": 1, "form": "written", "confidentiality": "unit", "parties": [],
        })
        open_request(s, researcher, waiting)
        (pending,) = invitations.invite(s, researcher, waiting, [get_talent(s, "web-001")])
        day = date.today() + timedelta(days=5)
        event = create_event(s, organizer, {
            "kind": "salon", "title": "跨境消费沙龙", "description": "沙龙", "topics": ["跨境消费", "金融"],
            "start_at": datetime(day.year, day.month, day.day, 14, 30),
            "end_at": datetime(day.year, day.month, day.day, 16, 30), "timezone": "Asia/Shanghai",
            "place": "罗湖区人才之家", "capacity": 10,
        })
        publish_event(s, organizer, event)
        reg = register(s, talent, event, get_talent(s, "web-001"))
        check_in_by_code(s, organizer, event, reg.checkin_code or "")
        propose(s, talent, get_talent(s, "web-001"), "topic", "跨境消费的数据治理", "想讲一讲")
        return World(req.id, advice.id, pending.id, inv.id, event.id, reg.checkin_code or "")


@dataclass(frozen=True)
class Case:
    """One form: who posts it, where, the bad input (with TYPED standing for the user's text), the answer."""

    who: str
    path: Callable[[World], str]
    data: Callable[[World], dict[str, object]]
    status: int
    keeps_text: bool = True  # the form is on the page again, holding the text


TYPED = "我写的内容Kept42"

CASES: dict[str, Case] = {
    # the consultation request page (researcher)
    "request state": Case("researcher", lambda w: f"/consultations/{w.request}/state",
                          lambda w: {"to": "bogus", "note": TYPED}, 400),
    "request draw": Case("researcher", lambda w: f"/consultations/{w.request}/draw",
                         lambda w: {"pool_size": "ten", "count": "2", "seed": TYPED}, 400),
    "request invite": Case("researcher", lambda w: f"/consultations/{w.request}/invite",
                           lambda w: {"message": TYPED}, 400),
    "request add expert": Case("researcher", lambda w: f"/consultations/{w.request}/select",
                               lambda w: {"expert": TYPED, "reason": "熟悉跨境支付", "action": "include"}, 400),
    "advice rating": Case("researcher", lambda w: f"/consultations/advice/{w.advice}/rate",
                          lambda w: {"rating": "9", "comment": TYPED}, 400),
    "advice ledger": Case("researcher", lambda w: f"/consultations/advice/{w.advice}/ledger",
                          lambda w: {"step": "adopted", "evidence": TYPED}, 400),
    "advice adoption": Case("researcher", lambda w: f"/consultations/advice/{w.advice}/adopt",
                            lambda w: {"adoption": "bogus", "adopted_into": TYPED}, 400),
    # the invitation page (talent)
    "advice attachment": Case("talent", lambda w: f"/consultations/invitations/{w.invitation}/advice",
                              lambda w: {"text": TYPED, "attachments": (io.BytesIO(b"plain text"), "report.pdf")}, 400),
    "advice twice": Case("talent", lambda w: f"/consultations/invitations/{w.answered}/advice",
                         lambda w: {"text": TYPED}, 409),
    "invitation decline without reason": Case("talent", lambda w: f"/consultations/invitations/{w.invitation}/respond",
                                              lambda w: {"action": "decline", "reason": " "}, 400, keeps_text=False),
    "invitation unknown answer": Case("talent", lambda w: f"/consultations/invitations/{w.invitation}/respond",
                                      lambda w: {"action": "maybe", "reason": TYPED}, 400, keeps_text=False),
    # the event page (organizer and talents)
    "event state": Case("organizer", lambda w: f"/events/{w.event}/state",
                        lambda w: {"to": "finished", "reason": TYPED}, 409),
    "event register for someone unknown": Case("organizer", lambda w: f"/events/{w.event}/register",
                                               lambda w: {"talent_id": "no-such-talent"}, 404, keeps_text=False),
    "event material without a file": Case("organizer", lambda w: f"/events/{w.event}/materials",
                                          lambda w: {"note": TYPED}, 400, keeps_text=False),
    "event reply without invitation": Case("talent2", lambda w: f"/events/{w.event}/reply",
                                           lambda w: {"answer": "accept"}, 409, keeps_text=False),
    "event unregister without registration": Case("talent2", lambda w: f"/events/{w.event}/unregister",
                                                  lambda w: {"confirmed": "1"}, 409, keeps_text=False),
    "event feedback before attending": Case("talent2", lambda w: f"/events/{w.event}/feedback",
                                            lambda w: {"rating": "5", "comment": TYPED}, 409, keeps_text=False),
    # the audience page (organizer)
    "audience add unknown": Case("organizer", lambda w: f"/events/{w.event}/audience",
                                 lambda w: {"action": "add", "talent_id": TYPED}, 404, keeps_text=False),
    "audience invite nobody": Case("organizer", lambda w: f"/events/{w.event}/invite",
                                   lambda w: {"note": TYPED}, 400),
    # at the door (organizer)
    "check-in unknown code": Case("organizer", lambda w: f"/events/{w.event}/checkin",
                                  lambda w: {"code": "QQQQ7777"}, 404, keeps_text=False),
    "check-in used code": Case("organizer", lambda w: f"/events/{w.event}/checkin",
                               lambda w: {"code": w.used_code}, 409, keeps_text=False),
    # proposals (talent proposes, organizer answers)
    "proposal without title": Case("talent", lambda w: "/events/proposals",
                                   lambda w: {"kind": "topic", "title": "", "description": TYPED}, 400),
    "proposal answer to a missing one": Case("organizer", lambda w: "/events/proposals/999999/review",
                                             lambda w: {"decision": "accept", "response": TYPED}, 404,
                                             keeps_text=False),
}


def _post(client: FlaskClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    body = {**data, "csrf_token": csrf_token(client, "/account")}
    resp = client.post(path, data=body, content_type="multipart/form-data")
    return resp.status_code, html.unescape(resp.get_data(as_text=True))


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_refused_form_comes_back_on_its_page(clients: dict[str, FlaskClient], world: World, name: str,
                                               ui: str) -> None:
    case = CASES[name]
    client = clients[case.who]
    client.get(f"/lang/{ui}")
    try:
        status, page = _post(client, case.path(world), case.data(world))
    finally:
        client.get("/lang/zh")
    assert status == case.status, f"{name}: {status}"
    assert "error-card" not in page, f"{name}: the generic error page instead of the form's page"
    alerts = [re.sub(r"<[^>]+>", " ", a) for a in ALERT.findall(page.split("<main", 1)[1])]
    assert alerts, f"{name}: no message next to the form"
    said = " ".join(alerts)
    found = DEVELOPER.search(said.replace(TYPED, ""))
    assert found is None, f"{name}: developer text {found.group(0)!r} in {said!r}"
    if ui == "zh":
        assert CJK.search(said), f"{name}: the message is not in Chinese: {said!r}"
    else:
        assert not CJK.search(said.replace(TYPED, "")), f"{name}: Chinese in the English message: {said!r}"
    if case.keeps_text:
        typed_back = re.search(rf'value="{TYPED}"|>{TYPED}</textarea>', page)  # in a field, or shown to copy
        assert typed_back, f"{name}: what the user typed is lost"


def test_a_used_code_says_when_it_was_checked_in(clients: dict[str, FlaskClient], world: World) -> None:
    """At the door: "该签到码已于 HH:MM 签到" (Luohu time), with the code still in the box."""
    status, page = _post(clients["organizer"], f"/events/{world.event}/checkin", {"code": world.used_code})
    assert status == 409
    assert re.search(r"该签到码已于 (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} 签到", page), page[:300]
    assert f'value="{world.used_code}"' in page


def test_nothing_refused_is_saved(clients: dict[str, FlaskClient], world: World, site: Site) -> None:
    """The re-rendered page rolled the refused change back: a bad rating leaves the advice unrated."""
    _post(clients["researcher"], f"/consultations/advice/{world.advice}/rate", {"rating": "0", "comment": TYPED})
    from kb.models.consultation import ConsultationAdvice

    with site.kb.sessions() as s:
        advice = s.get(ConsultationAdvice, world.advice)
        assert advice is not None and advice.rating is None and advice.rating_comment != TYPED


def test_a_refused_draw_keeps_its_ticked_options(clients: dict[str, FlaskClient], world: World) -> None:
    """A box the user ticked comes back ticked, like the text beside it (the fair-draw option)."""
    status, page = _post(clients["researcher"], f"/consultations/{world.request}/draw",
                         {"pool_size": "ten", "count": "2", "fair": "1"})
    assert status == 400
    assert re.search(r'<input type="checkbox" name="fair" value="1"[^>]*\bchecked\b', page)
    status, page = _post(clients["researcher"], f"/consultations/{world.request}/draw",
                         {"pool_size": "ten", "count": "2"})
    assert status == 400
    assert not re.search(r'<input type="checkbox" name="fair" value="1"[^>]*\bchecked\b', page)


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_editing_an_event_cancelled_meanwhile_comes_back_on_its_form(
        clients: dict[str, FlaskClient], site: Site, ui: str) -> None:
    """The form page of an event shows a conflict (cancelled while the organizer typed) on the form,
    with the typed title, instead of the error page."""
    from kb.events.enums import EventStatus
    from kb.events.manage import transition

    organizer = _actor(site, "organizer")
    day = date.today() + timedelta(days=9)
    with site.kb.sessions() as s, s.begin():
        event = create_event(s, organizer, {
            "kind": "lecture", "title": "将被取消的讲座", "description": "讲座", "topics": ["金融"],
            "start_at": datetime(day.year, day.month, day.day, 9, 0), "end_at": datetime(day.year, day.month, day.day, 11, 0),
            "timezone": "Asia/Shanghai", "place": "罗湖区人才之家", "capacity": 10,
        })
        transition(s, organizer, event, EventStatus.CANCELLED)
        event_id = event.id
    client = clients["organizer"]
    client.get(f"/lang/{ui}")
    try:
        status, page = _post(client, f"/events/{event_id}/edit", {
            "kind": "lecture", "title": TYPED, "description": "讲座", "start_at": f"{day}T09:00",
            "end_at": f"{day}T11:00", "timezone": "Asia/Shanghai", "place": "罗湖区人才之家", "capacity": "10"})
    finally:
        client.get("/lang/zh")
    assert status == 409
    assert "error-card" not in page
    assert f'value="{TYPED}"' in page
    said = " ".join(re.sub(r"<[^>]+>", " ", a) for a in ALERT.findall(page.split("<main", 1)[1]))
    assert said.strip() and DEVELOPER.search(said) is None, said
    assert bool(CJK.search(said)) == (ui == "zh"), said
