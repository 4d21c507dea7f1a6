"""Adoption by level on the talent's record and the dashboard, and the ledger through pages and API."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from kb.actors import Actor
from kb.api_tokens import issue_token
from kb.consultations.invitations import invite, submit_advice
from kb.consultations.ledger import StepInput, record_step
from kb.consultations.requests import create_request, open_request
from kb.models import Talent, User, utcnow
from kb.models.consultation import ConsultationAdvice
from tests.web.conftest import Site, csrf_token
from tests.web.data import OWN

INSTRUCTIONS = [("同意，请区金融局研究落实", "city"), ("请省地方金融管理局参考", "provincial"),
                ("圈阅", "district")]  # the last one is read, not adopted


def _actor(s, username: str) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.of(s.scalar(select(User).where(User.username == username)))


def _advised(site: Site, title: str) -> int:
    with site.kb.sessions() as s, s.begin():
        researcher = _actor(s, "researcher")
        talent = s.scalar(select(Talent).where(Talent.external_id == OWN))
        talent_user = s.scalar(select(User).where(User.talent_id == talent.id))
        req = create_request(s, researcher, {"title": title, "questions": "如何推进？", "fields": ["banking"],
                                             "experts_wanted": 1, "confidentiality": "unit",
                                             "deadline": (utcnow() + timedelta(days=20)).date()})
        open_request(s, researcher, req)
        [inv] = invite(s, researcher, req, [talent])
        return submit_advice(s, Actor.of(talent_user), inv, f"{title}的意见", data_dir=site.data_dir).id


def test_counts_by_level_on_the_profile_and_the_dashboard(site: Site, clients: dict[str, FlaskClient]) -> None:
    for n, (text, level) in enumerate(INSTRUCTIONS):
        aid = _advised(site, f"采纳计数咨询{n}")
        with site.kb.sessions() as s, s.begin():
            record_step(s, _actor(s, "researcher"), s.get(ConsultationAdvice, aid),
                        StepInput.parse({"step": "instructed", "evidence": text, "leader_level": level}))
    profile = clients["researcher"].get(f"/talents/{OWN}").get_data(as_text=True)
    counts = re.search(r'<dl class="facts adoption-counts">(.*?)</dl>', profile, re.S)
    assert counts is not None
    pairs = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", counts.group(1)))
    assert pairs["计为采纳"] == "2" and pairs["省部级"] == "1" and pairs["市领导"] == "1" and pairs["区领导"] == "0"
    assert pairs["仅圈阅/同意（未计为采纳）"] == "1"
    dashboard = clients["admin"].get("/dashboard/").get_data(as_text=True)
    table = re.search(r'id="adoption-levels">(.*?)</section>', dashboard, re.S)
    assert table is not None
    rows = dict(re.findall(r"<t[dh]>(.*?)</t[dh]><td>(\d+)</td>", table.group(1)))
    assert rows["省部级"] == "1" and rows["市领导"] == "1" and rows["区领导"] == "0"
    assert rows["仅圈阅/同意（未计为采纳）"] == "1"
    served = clients["admin"].get("/dashboard/data.json").get_json()
    assert served["consultations"]["adoption_by_instruction_level"]["provincial"] == 1


def test_the_page_form_and_the_api_record_steps(site: Site, clients: dict[str, FlaskClient]) -> None:
    aid = _advised(site, "台账页面咨询")
    researcher = clients["researcher"]
    with site.kb.sessions() as s:
        rid = s.get(ConsultationAdvice, aid).invitation.request_id
    page = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    assert f'action="/consultations/advice/{aid}/ledger"' in page and "采纳台账" in page
    resp = researcher.post(f"/consultations/advice/{aid}/ledger", data={
        "csrf_token": csrf_token(researcher, f"/consultations/{rid}"), "step": "adopted",
        "doc_title": "罗湖区金融扶持办法", "doc_number": "罗府〔2026〕3号", "doc_date": "2026-01-05",
        "file": (io.BytesIO(b"%PDF-1.4 doc"), "办法.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    page = researcher.get(f"/consultations/{rid}").get_data(as_text=True)
    assert "罗府〔2026〕3号" in page and "办法.pdf" in page
    entry = re.search(r'href="/consultations/ledger/(\d+)/document"', page)
    assert entry is not None
    doc = researcher.get(f"/consultations/ledger/{entry.group(1)}/document")
    assert doc.status_code == 200 and doc.data == b"%PDF-1.4 doc"
    # The API: read, then record the implementation.
    with site.kb.sessions() as s, s.begin():
        token = issue_token(s, s.scalar(select(User).where(User.username == "researcher")), "ledger test")
    api = site.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    got = api.get(f"/api/v1/consultations/advice/{aid}/ledger", headers=headers).get_json()
    assert [st["step"] for st in got["steps"]] == ["submitted", "adopted"] and got["level"] == "document"
    made = api.post(f"/api/v1/consultations/advice/{aid}/ledger", headers=headers,
                    json={"step": "implemented", "evidence": "首批资金到位"})
    assert made.status_code == 201 and made.get_json()["implemented"] is True
    bad = api.post(f"/api/v1/consultations/advice/{aid}/ledger", headers=headers, json={"step": "bogus"})
    assert bad.status_code == 400
    for suffix, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        dossier = api.get(f"/api/v1/consultations/{rid}/dossier.{suffix}", headers=headers)
        assert dossier.status_code == 200 and dossier.data.startswith(magic), suffix
