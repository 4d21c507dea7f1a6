"""No raw code in the Chinese UI: every code kb writes has words in both languages, and pages use them.

Generated from the source: every error code kb raises (``code="..."``) has a
sentence in the catalogue (web/messages.py), every audit action kb writes has a
label (web/labels.py), every taxonomy code has both labels. Then the main
pages of every role are crawled, with a consultation, its trail, an audit log,
a talent's history and a pending review seeded, in Chinese and English, and
their visible text must hold no known code, no Python list and no "#<id>".
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import invitations
from kb.consultations.enums import InvitationResponse
from kb.consultations.requests import create_request, open_request
from kb.models import User
from kb.talents.changes import add_output, get_talent, update_profile
from kb.taxonomy import load_taxonomy
from tests.web.conftest import Site
from tests.web.data import ACCOUNTS
from web.labels import AUDIT_ACTIONS, audit_action_label
from web.messages import CATALOGUE, render

KB = Path(__file__).resolve().parents[2] / "kb"
CJK = re.compile(r"[\u4e00-\u9fff]")


def kb_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in KB.rglob("*.py"))


def raised_codes() -> set[str]:
    return set(re.findall(r"\bcode=\"([a-z_.]+)\"", kb_source()))


def audit_actions() -> set[str]:
    """Every action kb passes to ``audit(...)``: literals, and the f-string families expanded."""
    from kb.events.enums import AudienceAction

    src = kb_source()
    found = set(re.findall(r"audit\([^,]+,[^,]+?,\s*\"([a-z_.]+)\"", src))
    found |= set(re.findall(r"\"(user\.(?:enable|disable))\"", src))
    found |= {f"consultation.{a}" for a in ("include", "exclude")}
    found |= {f"event.audience_{a.value}" for a in AudienceAction}
    return found


def test_the_scan_finds_the_codes() -> None:
    """Guard for the generated tests below: the scans see the codes the product writes."""
    assert {"checkin.already", "attachment.mismatch", "permission.denied"} <= raised_codes()
    assert {"consultation.transition", "user.disable", "event.checkin"} <= audit_actions()


@pytest.mark.parametrize("code", sorted(raised_codes() | {"error", "not_found", "conflict", "invalid"}))
def test_every_error_code_has_a_sentence_in_both_languages(app: Flask, code: str) -> None:
    assert code in CATALOGUE, f"kb raises {code!r}; add it to web/messages.py"
    params = {k: "X" for k in re.findall(r"%\((\w+)\)s", CATALOGUE[code]._args[0])}
    with app.test_request_context():
        zh = render(code, params)
        with force_locale("en"):
            en = render(code, params)
    assert zh and CJK.search(zh), f"{code}: no Chinese sentence"
    assert en and not CJK.search(en), f"{code}: no English sentence ({en!r})"


@pytest.mark.parametrize("action", sorted(audit_actions()))
def test_every_audit_action_has_labels_in_both_languages(app: Flask, action: str) -> None:
    assert action in AUDIT_ACTIONS, f"kb writes {action!r} to the audit log; add it to web/labels.py"
    with app.test_request_context():
        zh = audit_action_label(action)
        with force_locale("en"):
            en = audit_action_label(action)
    assert CJK.search(zh) and not CJK.search(en) and en != action


def test_every_taxonomy_code_has_both_labels() -> None:
    tax = load_taxonomy()
    for kind, codes, label in (("field", tax.fields, tax.field_label), ("category", tax.categories, tax.category_label),
                               ("output type", tax.output_types, tax.output_type_label)):
        for code in codes:
            zh, en = label(code, "zh"), label(code, "en")
            assert zh != code and CJK.search(zh), f"{kind} {code}: no Chinese label"
            assert en != code and not CJK.search(en), f"{kind} {code}: no English label"


# --- the crawl ---------------------------------------------------------------------------------------------


def _actor(site: Site, username: str) -> Actor:
    with site.kb.sessions() as s:
        return Actor.of(s.scalars(select(User).where(User.username == username)).one())


@pytest.fixture(scope="module")
def seeded(site: Site) -> dict[str, object]:
    """A consultation with a trail, a profile edit (fields, a stage result), a pending review."""
    researcher, talent, commissioner = (_actor(site, u) for u in ("researcher", "talent", "commissioner"))
    with site.kb.sessions() as s, s.begin():
        req = create_request(s, researcher, {
            "title": "罗湖区跨境金融政策咨询", "background": "罗湖区拟出台支持跨境理财通发展的措施，需要专家意见。",
            "questions": "如何便利跨境人民币结算？", "fields": ["banking"], "deadline": date.today() + timedelta(days=20),
            "experts_wanted": 1, "form": "written", "confidentiality": "unit", "parties": [],
        })
        open_request(s, researcher, req)
        (inv,) = invitations.invite(s, researcher, req, [get_talent(s, "web-001")])
        invitations.respond(s, talent, inv, InvitationResponse.ACCEPT)
        own = get_talent(s, "web-001")
        update_profile(s, commissioner, own, {"fields": ["banking", "funds"]}, None)
        add_output(s, talent, own, {"type": "report", "title": "跨境理财通三年评估", "year": 2025}, None)
        update_profile(s, talent, get_talent(s, "web-001"), {"organization": "深港湾商业银行研究院"}, None)
        return {"rid": req.id, "iid": inv.id}


def pages(seeded: dict[str, object]) -> dict[str, list[str]]:
    rid, iid = seeded["rid"], seeded["iid"]
    common = ["/", "/search?q=跨境金融", "/talents/web-001", "/events", "/account"]
    return {
        "admin": [*common, "/admin/audit", "/admin/users", "/admin/reviews", "/talents/web-001/history",
                  f"/consultations/{rid}", f"/consultations/{rid}/trail", "/consultations", "/dashboard/"],
        "commissioner": [*common, "/admin/audit", "/admin/reviews", "/talents/web-001/history", "/consultations"],
        "researcher": [*common, "/consultations", f"/consultations/{rid}", f"/consultations/{rid}/trail",
                       "/dashboard/"],
        "organizer": [*common, "/events/new", "/dashboard/"],
        "talent": [*common, "/talents/web-001/history", "/consultations", f"/consultations/invitations/{iid}",
                   "/events/mine"],
    }


def visible_text(page: str) -> str:
    body = page.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<code>.*?</code>", " ", body, flags=re.S)  # deliberately technical (tokens, ids to copy)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def raw_codes(text: str) -> list[str]:
    known = audit_actions() | raised_codes()
    words = set(re.findall(r"\b[a-z_]+\.[a-z_]+\b", text))
    found = sorted(w for w in words if w in known)
    found += re.findall(r"\['[^\]]*\]", text)
    found += re.findall(r"(?<![&\w])#\d+\b", text)
    found += [w for w in ("in_progress", "not_certified", "opted_out") if re.search(rf"\b{w}\b", text)]
    return found


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("role", sorted({role for role, _t, _u in ACCOUNTS.values()}))
def test_pages_show_words_not_codes(site: Site, clients: dict[str, FlaskClient], seeded: dict[str, object],
                                    role: str, ui: str) -> None:
    username = next(u for u, (r, _t, _u) in ACCOUNTS.items() if r == role)
    client = clients[username]
    client.get(f"/lang/{ui}")
    try:
        problems = {}
        for path in pages(seeded)[role]:
            resp = client.get(path)
            assert resp.status_code == 200, f"{role} {path}: {resp.status_code}"
            found = raw_codes(visible_text(resp.get_data(as_text=True)))
            if found:
                problems[path] = found
        assert not problems, f"raw codes on {role}'s pages ({ui}): {problems}"
    finally:
        client.get("/lang/zh")
