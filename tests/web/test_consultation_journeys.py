"""The researcher's consultation journey on the request page and the talent's invitation:
actions on top, state moves that make sense now, no-account warnings before and after
inviting, the invitation note, adding experts by name (never by internal id), and
"加入咨询" from a profile or a search result. Each refusal keeps the form and says why."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import requests as kreq
from kb.consultations.enums import RequestState
from kb.consultations.states import TRANSITIONS
from kb.models import User
from kb.models.consultation import ConsultationRequest, ConsultationSelection
from tests.web.conftest import Site, post

UNIT = "罗湖区发展研究中心"


def _researcher(session: Any) -> Actor:
    return Actor.of(session.scalar(select(User).where(User.username == "researcher")))


def new_request(site: Site, *, parties: list[str] | None = None, title: str = "跨境金融开放政策咨询",
                state: RequestState = RequestState.OPEN) -> int:
    with site.kb.sessions() as s, s.begin():
        actor = _researcher(s)
        req = kreq.create_request(s, actor, {
            "title": title, "background": "罗湖区拟出台跨境理财通与跨境人民币结算便利化措施。",
            "questions": "跨境理财通产品销售合规有哪些要点？", "fields": ["banking"],
            "deadline": (date.today() + timedelta(days=20)).isoformat(), "experts_wanted": 2,
            "parties": parties or []})
        if state != RequestState.DRAFT:
            kreq.open_request(s, actor, req)
        return req.id


def _main(html: str) -> str:
    return html.split('<main', 1)[1]


def _selections(site: Site, rid: int) -> list[tuple[str, str]]:
    with site.kb.sessions() as s:
        req = s.get(ConsultationRequest, rid)
        return [(sel.talent.external_id, sel.action) for sel in req.selections]


# --- page layout and the flow box --------------------------------------------------------------------

def test_actions_sit_above_the_recommendation_list(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    html = clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True)
    first_result = html.index('<ol class="results">')
    for marker in ('form="invite-form"', 'name="pool_size"', 'name="expert"', "取消咨询"):
        assert html.index(marker) < first_result, marker


@pytest.mark.parametrize("state", list(RequestState))
def test_moves_offered_are_exactly_the_allowed_hand_moves(site: Site, state: RequestState) -> None:
    """Generated over every state: what the flow box offers is what the life cycle allows by hand
    (answered only once advice is in), and every offered move goes through."""
    def at_state() -> int:
        rid = new_request(site, state=RequestState.DRAFT)
        with site.kb.sessions() as s, s.begin():
            s.get(ConsultationRequest, rid).state = state.value
        return rid

    rid = at_state()
    with site.kb.sessions() as s:
        offered = kreq.moves_now(_researcher(s), s.get(ConsultationRequest, rid))
    expected = [to for to in RequestState if to in kreq.MANUAL_MOVES and to in TRANSITIONS[state]
                and to != RequestState.ANSWERED]
    assert offered == expected
    for to in offered:
        rid = at_state()
        with site.kb.sessions() as s, s.begin():
            kreq.transition(s, _researcher(s), s.get(ConsultationRequest, rid), to, "测试")
        with site.kb.sessions() as s:
            assert s.get(ConsultationRequest, rid).state == to.value


def test_flow_box_never_offers_a_move_that_would_be_refused(site: Site, clients: dict[str, FlaskClient]) -> None:
    """In progress without advice: "结束征集意见" would be refused (409), so it is not offered."""
    rid = new_request(site)
    with site.kb.sessions() as s, s.begin():
        s.get(ConsultationRequest, rid).state = RequestState.IN_PROGRESS.value
    html = _main(clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True))
    assert "结束征集意见" not in html and "取消咨询" in html
    with site.kb.sessions() as s, s.begin():
        s.get(ConsultationRequest, rid).state = RequestState.CLOSED.value
    html = _main(clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True))
    assert "取消咨询" not in html and "当前状态下没有可执行的流程操作" in html


def test_cancelling_needs_a_confirmation_with_a_reason(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    html = clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True)
    assert re.search(r'<details class="confirm">\s*<summary[^>]*>取消咨询', html)
    assert "确认取消咨询" in html


# --- who will not be reached, and the note ------------------------------------------------------------

def test_researcher_is_told_before_and_after_inviting_who_has_no_account(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    client = clients["researcher"]
    html = client.get(f"/consultations/{rid}").get_data(as_text=True)
    warning = re.search(r'<p class="notice notice-warning" id="no-account">(.*?)</p>', html, re.S)
    assert warning, "no warning about invitees without an account"
    assert "林书衡" not in warning.group(1)  # web-001 has an account
    listed = [n for n in ("陈雅琳", "吴志强", "黄海燕") if n in html.split('id="invite-form"')[1]]
    assert listed and all(n in warning.group(1) for n in listed)
    resp = post(client, f"/consultations/{rid}/invite", {"talent_ids": ["web-001", "web-003"]},
                follow_redirects=True)
    flashes = resp.get_data(as_text=True)
    assert re.search(r"没有系统账号[^<]*陈雅琳", flashes) and not re.search(r"没有系统账号[^<]*林书衡", flashes)


def test_talent_reads_the_researchers_note_and_sees_it_in_the_inbox(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site, title="跨境理财通合规咨询")
    post(clients["researcher"], f"/consultations/{rid}/invite",
         {"talent_ids": ["web-001"], "message": "请重点谈销售适当性管理，盼十日内答复"})
    talent = clients["talent"]
    inbox = talent.get("/inbox").get_data(as_text=True)
    link = re.search(r'name="next" value="(/consultations/invitations/\d+)"', inbox)
    assert link and "请重点谈销售适当性管理" in inbox
    page = talent.get(link.group(1)).get_data(as_text=True)
    assert "邀请附言" in page and "请重点谈销售适当性管理，盼十日内答复" in page


# --- adding experts by name ---------------------------------------------------------------------------

def test_lookup_finds_experts_by_name_with_their_problems(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site, parties=["深港湾商业银行"])
    data = clients["researcher"].get(f"/consultations/{rid}/experts.json?q=林书").get_json()
    [lin] = [e for e in data["experts"] if e["talent_id"] == "web-001"]
    assert lin["name"] == "林书衡" and any("深港湾商业银行" in p for p in lin["problems"])
    by_org = clients["researcher"].get(f"/consultations/{rid}/experts.json?q=律师事务所").get_json()
    assert [e["talent_id"] for e in by_org["experts"]] == ["web-004"]
    assert clients["researcher"].get(f"/consultations/{rid}/experts.json?q=%25").get_json()["experts"] == []


@pytest.mark.parametrize("who", ["talent", "organizer", "commissioner"])
def test_lookup_is_only_for_those_who_run_the_request(site: Site, clients: dict[str, FlaskClient], who: str) -> None:
    rid = new_request(site)
    assert clients[who].get(f"/consultations/{rid}/experts.json?q=林").status_code in (403, 404)
    assert clients["anon"].get(f"/consultations/{rid}/experts.json?q=林").status_code in (302, 401)


def test_adding_by_typed_name_without_javascript(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    resp = post(clients["researcher"], f"/consultations/{rid}/select",
                {"expert": "吴志强", "talent_id": "", "action": "include", "reason": "熟悉私募合规"})
    assert resp.status_code == 302
    assert _selections(site, rid) == [("web-004", "include")]
    html = clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True)
    assert "手动添加" in html and "熟悉私募合规" in html


def test_picked_expert_wins_over_the_typed_text(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    post(clients["researcher"], f"/consultations/{rid}/select",
         {"expert": "黄", "talent_id": "web-005", "action": "include", "reason": "蓝碳"})
    assert _selections(site, rid) == [("web-005", "include")]


@pytest.mark.parametrize("typed", ["王不存在", "web-999", "   x   "])
def test_unknown_name_keeps_the_form_and_says_so(site: Site, clients: dict[str, FlaskClient], typed: str) -> None:
    rid = new_request(site)
    resp = post(clients["researcher"], f"/consultations/{rid}/select",
                {"expert": typed, "action": "include", "reason": "我写的理由"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "没有找到名为" in html and f'value="{typed.strip()}"' in html and 'value="我写的理由"' in html
    assert '<details id="add-expert" open' in html
    assert _selections(site, rid) == []


def test_several_matching_experts_are_offered_to_choose(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    resp = post(clients["researcher"], f"/consultations/{rid}/select",
                {"expert": "深", "action": "include", "reason": "理由"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请选择其中一位" in html
    assert len(re.findall(r'type="radio" name="talent_id"', html)) >= 2
    assert _selections(site, rid) == []


@pytest.mark.parametrize("party", ["深港湾商业银行", "深港湾商业银行有限公司"])
def test_conflicted_expert_is_not_added_and_the_page_says_why(
        site: Site, clients: dict[str, FlaskClient], party: str) -> None:
    rid = new_request(site, parties=[party])
    resp = post(clients["researcher"], f"/consultations/{rid}/select",
                {"expert": "林书衡", "action": "include", "reason": "跨境理财专家"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "不能添加 林书衡" in html and "回避" in html and "利益相关方" in html
    assert 'value="跨境理财专家"' in html
    assert _selections(site, rid) == []
    assert "已将" not in html


def test_unavailable_expert_is_not_added_either(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    resp = post(clients["researcher"], f"/consultations/{rid}/select",
                {"expert": "周明远", "action": "include", "reason": "数据治理"})
    assert resp.status_code == 400 and "暂不接受咨询" in resp.get_data(as_text=True)
    assert _selections(site, rid) == []


def test_no_internal_id_field_on_the_page(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site)
    html = clients["researcher"].get(f"/consultations/{rid}").get_data(as_text=True)
    assert "人才编号" not in html and 'name="expert"' in html


# --- 加入咨询 from a profile or a search result --------------------------------------------------------

def test_add_to_consultation_is_offered_on_profiles_and_results_to_researchers_only(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    link = "/consultations/add-expert?talent=web-004"
    assert link in clients["researcher"].get("/talents/web-004").get_data(as_text=True)
    results = clients["researcher"].get("/search?q=私募基金合规").get_data(as_text=True)
    assert "/consultations/add-expert?talent=web-004" in results
    for who in ("talent", "organizer", "commissioner"):
        assert "/consultations/add-expert" not in clients[who].get("/talents/web-004").get_data(as_text=True)
        assert clients[who].get(link).status_code == 403


def test_add_from_profile_to_a_chosen_open_request(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site, title="私募基金监管咨询")
    closed = new_request(site, title="已结束的咨询")
    with site.kb.sessions() as s, s.begin():
        s.get(ConsultationRequest, closed).state = RequestState.CLOSED.value
    page = clients["researcher"].get("/consultations/add-expert?talent=web-004").get_data(as_text=True)
    assert "私募基金监管咨询" in page and "已结束的咨询" not in page
    missing = post(clients["researcher"], "/consultations/add-expert",
                   {"talent": "web-004", "reason": "理由写了"})
    assert missing.status_code == 400 and 'value="理由写了"' in missing.get_data(as_text=True)
    resp = post(clients["researcher"], "/consultations/add-expert",
                {"talent": "web-004", "rid": str(rid), "reason": "私募合规实务"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/consultations/{rid}")
    assert _selections(site, rid) == [("web-004", "include")]


def test_add_from_profile_refuses_a_conflicted_expert_with_the_reason(
        site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = new_request(site, parties=["深罗律师事务所"])
    resp = post(clients["researcher"], "/consultations/add-expert",
                {"talent": "web-004", "rid": str(rid), "reason": "并购"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "不能添加 吴志强" in html and "深罗律师事务所" in html
    assert _selections(site, rid) == []


def test_api_refuses_a_conflicted_hand_addition(site: Site) -> None:
    """The API takes the same path: a 4xx with the reason, never a 201 while he stays excluded."""
    from kb.consultations.selection import ExpertScreenedOut, add_expert
    from kb.talents.changes import get_talent

    rid = new_request(site, parties=["深港湾商业银行"])
    with site.kb.sessions() as s, s.begin():
        with pytest.raises(ExpertScreenedOut) as info:
            add_expert(s, _researcher(s), s.get(ConsultationRequest, rid), get_talent(s, "web-001"), "x")
        assert [r.code for r in info.value.reasons] == ["party_employer"]
    with site.kb.sessions() as s:
        assert s.scalars(select(ConsultationSelection).where(ConsultationSelection.request_id == rid)).all() == []
