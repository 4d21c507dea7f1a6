"""The whole story through the web pages and the API, with the real embedded search.

A researcher files a request in Chinese, sees ranked experts with evidence and a
conflicted expert excluded with the reason, invites three; two answer (one with
an attachment), one declines; the researcher rates and records adoption,
downloads the dossier, and finds every step in the request's audit trail. An
uninvited talent is refused the page and the API.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models.consultation import ConsultationRequest
from kb.talents.changes import get_talent
from kb.talents.importer import import_file
from tests.kb.conftest import record

SYSTEM = Actor.system("story")
PASSWORD = "Gushi.Mima#2026"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
UNIT = "罗湖区发展和改革局"

TALENTS = [
    record("s-1", name="林海", organization="深港金融研究院",
           research_directions=["供应链金融", "跨境人民币结算"], bio="长期研究供应链金融与中小企业融资。"),
    record("s-2", name="周宁", organization="前海数字金融研究中心",
           research_directions=["供应链金融风险补偿", "中小企业融资担保"], bio="研究供应链金融风险补偿机制。"),
    record("s-3", name="陈雪", organization="深圳大学经济学院",
           research_directions=["中小企业信贷", "供应链金融"], bio="关注中小企业供应链金融扶持政策。"),
    record("s-4", name="王立", organization="暨南大学",
           research_directions=["跨境人民币结算", "贸易融资"], bio="研究跨境人民币结算与供应链金融。"),
    record("s-5", name="赵敏", organization="罗湖医院", fields=["banking"],
           research_directions=["医院管理"], bio="医疗机构管理。", outputs=[]),
    record("s-6", name="孙强", organization="香港大学",
           research_directions=["跨境人民币结算"], bio="不接受咨询。", available_for_consultation=False),
]


def jsonl(records: list[dict]) -> bytes:
    import json

    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


@pytest.fixture
def site(kb, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The test database with a real embedded index in tmp, and the web app over both."""
    from kb.settings import load_settings
    from web.app import create_app

    # The test database of ``kb`` with the search section the environment configures.
    search = load_settings({"data_dir": tmp_path}).search
    full = KnowledgeBase(dataclasses.replace(kb.settings, search=search))
    report = import_file(full.sessions, Path("talents.jsonl"), SYSTEM, data=jsonl(TALENTS))
    assert report.ok, report.errors
    with full.sessions() as s, s.begin():
        for n in range(1, 7):
            create_user(s, SYSTEM, f"s-{n}", "talent", PASSWORD, talent=get_talent(s, f"s-{n}"),
                        email=f"s-{n}@example.org")
        create_user(s, SYSTEM, "yanjiu", "researcher", PASSWORD, unit=UNIT, display_name="研究员", email="r@example.org")
        create_user(s, SYSTEM, "admin", "admin", PASSWORD)
    full.sync_search()
    app = create_app(full, TESTING=True)
    yield full, app
    full.close()


def client(app, username: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    c = app.test_client()
    token = CSRF.search(c.get("/login").get_data(as_text=True)).group(1)
    resp = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return c


def post(c: FlaskClient, path: str, data: dict, **kw):  # type: ignore[no-untyped-def]
    token = CSRF.search(c.get("/consultations").get_data(as_text=True)).group(1)
    return c.post(path, data={**data, "csrf_token": token}, **kw)


def test_the_whole_story(site) -> None:  # type: ignore[no-untyped-def]
    kb, app = site
    researcher = client(app, "yanjiu")
    deadline = (date.today() + timedelta(days=14)).isoformat()
    resp = post(researcher, "/consultations/new", {
        "title": "罗湖区供应链金融扶持政策咨询",
        "background": "罗湖区拟出台支持中小企业供应链金融发展的扶持措施，需要专家意见。",
        "questions": "如何设计供应链金融风险补偿机制？跨境人民币结算有哪些可借鉴做法？",
        "deadline": deadline, "experts_wanted": "3", "form": "written", "confidentiality": "confidential",
        "parties": "深港金融研究院\n招商银行", "publish": "1",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    rid = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])

    page = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    assert "推荐专家" in page and "<mark>" in page  # ranked with highlighted evidence
    assert "未推荐的专家及原因" in page, re.sub(r"\s+", " ", page[page.find("推荐专家"):])[:6000]
    excluded = page.split("未推荐的专家及原因", 1)[1]
    assert "林海" in excluded and "回避：现任职于利益相关方“深港金融研究院”" in excluded
    assert "孙强" not in page.split("未推荐的专家及原因", 1)[0]

    resp = post(researcher, f"/consultations/{rid}/invite", {"talent_ids": ["s-2", "s-3", "s-4"]})
    assert resp.status_code == 302
    # A conflicted expert cannot be invited by hand either.
    assert post(researcher, f"/consultations/{rid}/invite", {"talent_ids": ["s-1"]}).status_code == 400

    with kb.sessions() as s:
        invs = {i.talent.external_id: i.id for i in s.get(ConsultationRequest, rid).invitations}
    s2, s3, s4, s5 = (client(app, n) for n in ("s-2", "s-3", "s-4", "s-5"))
    assert post(s2, f"/consultations/invitations/{invs['s-2']}/respond", {"action": "accept"}).status_code == 302
    resp = post(s2, f"/consultations/invitations/{invs['s-2']}/advice",
                {"text": "建议设立风险补偿资金池，按贷款损失的一定比例补偿。",
                 "attachments": [(__import__("io").BytesIO(b"%PDF-1.4 advice"), "意见.pdf")]},
                content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    bad = post(s3, f"/consultations/invitations/{invs['s-3']}/advice",
               {"text": "x", "attachments": [(__import__("io").BytesIO(b"MZ fake"), "evil.pdf")]},
               content_type="multipart/form-data")
    assert bad.status_code == 400
    assert post(s3, f"/consultations/invitations/{invs['s-3']}/advice",
                {"text": "建议借鉴前海跨境人民币结算试点经验。"}).status_code == 302
    assert post(s4, f"/consultations/invitations/{invs['s-4']}/respond",
                {"action": "decline", "reason": "近期出差，无法按时答复"}).status_code == 302

    # Confidential: an uninvited talent gets 403 on the page, the invitation and the API.
    assert s5.get(f"/consultations/{rid}").status_code == 403
    assert s5.get(f"/consultations/invitations/{invs['s-2']}").status_code == 403
    with kb.sessions() as s, s.begin():
        from kb.accounts import get_user

        token = issue_token(s, get_user(s, "s-5"))
        researcher_token = issue_token(s, get_user(s, "yanjiu"))
    api = app.test_client()
    assert api.get(f"/api/v1/consultations/{rid}", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    body = api.get(f"/api/v1/consultations/{rid}", headers={"Authorization": f"Bearer {researcher_token}"}).get_json()
    assert body["state"] == "answered" and len(body["invitations"]) == 3
    assert api.get("/api/v1/openapi.json").get_json()["paths"]["/consultations/{rid}"]

    with kb.sessions() as s:
        advice = {i.talent.external_id: i.advice.id for i in s.get(ConsultationRequest, rid).invitations if i.advice}
    for tid, stars in (("s-2", "5"), ("s-3", "3")):
        assert post(researcher, f"/consultations/advice/{advice[tid]}/rate",
                    {"rating": stars, "comment": "有参考价值"}).status_code == 302
    assert post(researcher, f"/consultations/advice/{advice['s-2']}/adopt",
                {"adoption": "partial", "adopted_into": "《罗湖区供应链金融扶持办法》"}).status_code == 302
    assert post(researcher, f"/consultations/advice/{advice['s-3']}/adopt", {"adoption": "none"}).status_code == 302
    assert post(researcher, f"/consultations/{rid}/state", {"to": "closed"}).status_code == 302

    pdf = researcher.get(f"/consultations/{rid}/dossier.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000
    assert s5.get(f"/consultations/{rid}/dossier.pdf").status_code == 403
    csv_text = researcher.get(f"/consultations/{rid}/invitations.csv").data.decode("utf-8-sig")
    assert "建议设立风险补偿资金池" in csv_text and "部分采纳 Partly adopted" in csv_text

    trail = researcher.get(f"/consultations/{rid}/trail").get_data(as_text=True)
    for action in ("创建咨询需求", "咨询状态变更", "邀请专家", "专家接受邀请", "专家提交意见", "专家婉拒邀请",
                   "评价意见", "记录采纳情况", "导出咨询档案"):  # each action in words (web/labels.py)
        assert action in trail, action
    assert s5.get(f"/consultations/{rid}/trail").status_code == 403
    mine = s2.get("/consultations?scope=invited").get_data(as_text=True)
    assert "罗湖区供应链金融扶持政策咨询" in mine
