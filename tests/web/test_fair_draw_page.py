"""The fair-draw option on the request page and in the API: ticked, recorded, and its effect shown."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.api_tokens import issue_token
from kb.consultations.draw import pick
from kb.consultations.invitations import accept, invite
from kb.consultations.requests import create_request, open_request
from kb.models import Talent, User, utcnow
from kb.models.consultation import ConsultationRequest
from tests.web.conftest import Site, csrf_token
from tests.web.data import OWN


def _actor(s, username: str) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.of(s.scalar(select(User).where(User.username == username)))


def _request(site: Site, title: str, *, busy: str | None = None) -> int:
    """An open request on cross-border finance; ``busy`` has accepted one earlier consultation."""
    with site.kb.sessions() as s, s.begin():
        researcher = _actor(s, "researcher")
        need = {"title": title, "background": "跨境人民币结算与跨境理财通、私募基金合规、蓝色金融。",
                "questions": "如何推进？", "fields": ["banking"], "experts_wanted": 2, "confidentiality": "unit",
                "deadline": (utcnow() + timedelta(days=20)).date()}
        if busy:
            earlier = create_request(s, researcher, {**need, "title": f"{title}（早先）"})
            open_request(s, researcher, earlier)
            talent = s.scalar(select(Talent).where(Talent.external_id == busy))
            [inv] = invite(s, researcher, earlier, [talent])
            accept(s, Actor.of(s.scalar(select(User).where(User.talent_id == talent.id))), inv)
        req = create_request(s, researcher, need)
        open_request(s, researcher, req)
        return req.id


def _token(site: Site, username: str) -> dict[str, str]:
    with site.kb.sessions() as s, s.begin():
        token = issue_token(s, s.scalar(select(User).where(User.username == username)), "fair draw test")
    return {"Authorization": f"Bearer {token}"}


def test_the_page_offers_the_option_and_shows_its_effect(site: Site, clients: dict[str, FlaskClient]) -> None:
    rid = _request(site, "公平抽取页面咨询", busy=OWN)
    researcher = clients["researcher"]
    page = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    assert 'name="fair" value="1"' in page and "优先近期咨询较少的专家" in page and "近 365 天" in page
    resp = researcher.post(f"/consultations/{rid}/draw", data={
        "csrf_token": csrf_token(researcher, f"/consultations/{rid}"), "pool_size": "4", "count": "2",
        "seed": "web-fair", "fair": "1"})
    assert resp.status_code == 302
    with site.kb.sessions() as s:
        draw = s.get(ConsultationRequest, rid).draws[-1]
        assert draw.fair and draw.fairness["counts"][OWN] == 1 and OWN in draw.pool
        names = {t: n for t, n in s.execute(select(Talent.external_id, Talent.name))}
        picked, counts = list(draw.picked), dict(draw.fairness["counts"])
    page = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    effect = re.search(r'id="draw-effect">(.*?)</div>', page, re.S)
    assert effect is not None and "已启用“优先近期咨询较少的专家”" in effect.group(1)
    rows = re.findall(r"<tr><td><a [^>]*>(.*?)</a></td><td>(\d+)</td>", effect.group(1))
    assert rows == [(names[t], str(counts[t])) for t in picked]
    assert "启用该选项" in effect.group(1) and "不启用" in effect.group(1)
    # The same page in English.
    researcher.get("/lang/en")
    try:
        english = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    finally:
        researcher.get("/lang/zh")
    assert "Favour experts consulted less recently" in english and "Chance with the option" in english
    # Unticked, the next draw is a plain one again.
    researcher.post(f"/consultations/{rid}/draw", data={
        "csrf_token": csrf_token(researcher, f"/consultations/{rid}"), "pool_size": "4", "count": "2",
        "seed": "web-fair"})
    with site.kb.sessions() as s:
        plain = s.get(ConsultationRequest, rid).draws[-1]
        assert not plain.fair and plain.picked == pick("web-fair", list(plain.pool), 2)
    assert "本次为普通随机抽取" in researcher.get(f"/consultations/{rid}").get_data(as_text=True)


def test_the_api_takes_the_option_and_returns_the_record(site: Site) -> None:
    rid = _request(site, "公平抽取接口咨询")
    api, headers = site.app.test_client(), _token(site, "researcher")
    made = api.post(f"/api/v1/consultations/{rid}/draw", headers=headers,
                    json={"pool_size": 4, "count": 2, "seed": "api-fair", "fair": True})
    assert made.status_code == 201
    body = made.get_json()
    assert body["fair"] is True and set(body["fairness"]["counts"]) == set(body["pool"])
    assert set(body["fairness"]["chances"]) == set(body["pool"])
    assert body["fairness"]["low_load_share"].keys() == {"with", "without"}
    plain = api.post(f"/api/v1/consultations/{rid}/draw", headers=headers,
                     json={"pool_size": 4, "count": 2, "seed": "api-fair"}).get_json()
    assert plain["fair"] is False and plain["picked"] == pick("api-fair", plain["pool"], 2)
    got = api.get(f"/api/v1/consultations/{rid}/recommendation", headers=headers).get_json()
    assert got["draw"]["fair"] is False and got["draw"]["seed"] == "api-fair"
    bad = api.post(f"/api/v1/consultations/{rid}/draw", headers=headers, json={"fair": "yes"})
    assert bad.status_code == 400
    # Who may draw is unchanged: a talent may not, with or without the option.
    talent = _token(site, "talent")
    for fair in (True, False):
        refused = api.post(f"/api/v1/consultations/{rid}/draw", headers=talent, json={"fair": fair})
        assert refused.status_code == 403
    doc = api.get("/api/v1/openapi.json").get_json()
    draw_body = doc["paths"]["/consultations/{rid}/draw"]["post"]["requestBody"]["content"]["application/json"]
    assert draw_body["schema"]["properties"]["fair"]["type"] == "boolean"


def test_the_audit_log_reads_the_option_and_the_loads_in_words(site: Site) -> None:
    from flask_babel import force_locale

    from web.labels import detail_items

    detail = {"seed": "s", "picked": ["web-001"], "fair": True, "picked_past": {"web-001": 2},
              "fairness": {"strength": 1, "window_days": 365, "low_load_share": {"with": 0.714, "without": 0.5}}}
    names = {"web-001": "林书衡"}
    with site.app.test_request_context():
        zh = dict(detail_items(detail, names, "consultation.draw"))
        with force_locale("en"):
            en = dict(detail_items(detail, names, "consultation.draw"))
    assert zh["优先近期咨询较少的专家"] == "是" and zh["抽中专家近期受咨询次数"] == "林书衡（2 次）"
    assert zh["抽取公平性"] == "权重 1/(1+次数)^1，近 365 天；低负荷专家预计占抽中人数：启用 71%，不启用 50%"
    assert en["Recent consultations of the drawn experts"] == "林书衡 (2)"
    assert en["Draw fairness"].endswith("71% with the option, 50% without")
