"""A populated site for the security tests: the web tests' talents and accounts,
plus consultations of two units, events (published and draft) with materials,
a pending proposal and an API token per account.

Every object exists twice where ownership matters — one the role's *own*, one
*other* — so the route matrix can try each URL with both ids (IDOR).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.api_tokens import issue
from kb.consultations import invitations as cinv
from kb.consultations.affiliations import add_affiliation
from kb.consultations.attachments import Upload
from kb.consultations.enums import LedgerStep
from kb.consultations.ledger import StepInput, record_step
from kb.consultations.requests import create_request, open_request
from kb.events.manage import create_event, publish_event
from kb.events.materials import add_material
from kb.events.proposals import propose
from kb.events.registration import register
from kb.models import Talent, User, utcnow
from kb.talents import changes as kt
from tests.web.conftest import Site, build_site, login
from tests.web.data import ACCOUNTS, OTHER, OWN

SYSTEM = Actor.system("security tests")
OTHER_UNIT = "福田区科技创新局"
ROLES = ("anon", "talent", "researcher", "organizer", "commissioner", "admin")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    """Ids of the objects each variant of a URL points at."""

    site: Site
    ids: dict[str, dict[str, Any]] = field(default_factory=dict)  # variant -> kind -> id
    tokens: dict[str, str] = field(default_factory=dict)  # username -> API token
    users: dict[str, int] = field(default_factory=dict)  # username -> user id


def _user(session: Any, username: str) -> User:
    return session.query(User).filter_by(username=username).one()


def _actor(session: Any, username: str) -> Actor:
    return Actor.of(_user(session, username))


def _need(title: str, unit_text: str) -> dict[str, Any]:
    return {
        "title": title, "background": f"{unit_text}的内部咨询背景（不公开）。",
        "questions": "1. 机密问题？", "fields": ["banking"],
        "deadline": date.today() + timedelta(days=20), "experts_wanted": 2, "form": "written",
        "confidentiality": "unit", "parties": [],
    }


def _event(title: str) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=10)).date()
    start = datetime(day.year, day.month, day.day, 14, 30)
    return {"kind": "salon", "title": title, "description": f"{title}：说明。", "topics": ["跨境金融"],
            "start_at": start, "end_at": start + timedelta(hours=2), "timezone": "Asia/Shanghai",
            "place": "罗湖区人才之家", "capacity": 20}


def populate_world(site: Site) -> World:
    world = World(site)
    kb = site.kb
    data_dir = kb.settings.data_dir
    with kb.sessions() as s, s.begin():
        create_user(s, SYSTEM, "researcher2", "researcher", None, unit=OTHER_UNIT, display_name="Researcher2")
    with kb.sessions() as s, s.begin():
        own_talent, other_talent = kt.get_talent(s, OWN), kt.get_talent(s, OTHER)
        researcher, researcher2 = _actor(s, "researcher"), _actor(s, "researcher2")
        organizer, talent_a, talent_b = _actor(s, "organizer"), _actor(s, "talent"), _actor(s, "talent2")
        # OTHER (web-003) has no account in the web data; give it one so it can be invited and answer.
        other_user = create_user(s, SYSTEM, "talent3", "talent", None, talent=other_talent)
        s.flush()
        talent_c = Actor.of(other_user)

        req_own = create_request(s, researcher, _need("本单位机密咨询", "本单位"))
        open_request(s, researcher, req_own)
        req_other = create_request(s, researcher2, _need("外单位机密咨询", "外单位"))
        open_request(s, researcher2, req_other)
        s.flush()
        inv_own = cinv.invite(s, researcher, req_own, [own_talent])[0]
        inv_other = cinv.invite(s, researcher2, req_other, [other_talent])[0]
        s.flush()
        adv_own = cinv.submit_advice(s, talent_a, inv_own, "本人的咨询意见", [Upload("own.pdf", PDF)],
                                     data_dir=data_dir)
        adv_other = cinv.submit_advice(s, talent_c, inv_other, "他人的咨询意见", [Upload("other.pdf", PDF)],
                                       data_dir=data_dir)
        s.flush()
        # Each advice adopted into a document with an uploaded copy, for the ledger's document download.
        adopted = StepInput(step=LedgerStep.ADOPTED, doc_title="罗湖区扶持办法", doc_number="罗府办〔2026〕1号")
        led_own = record_step(s, researcher, adv_own, adopted, Upload("doc.pdf", PDF), data_dir=data_dir)
        led_other = record_step(s, researcher2, adv_other, adopted, Upload("doc.pdf", PDF), data_dir=data_dir)

        published = create_event(s, organizer, _event("已发布沙龙"))
        publish_event(s, organizer, published)
        draft = create_event(s, organizer, _event("未发布草稿活动"))
        s.flush()
        mat_pub = add_material(s, organizer, published, "slides.pdf", PDF, data_dir, max_bytes=kb.settings.events.material_max_bytes)
        mat_draft = add_material(s, organizer, draft, "draft.pdf", PDF, data_dir, max_bytes=kb.settings.events.material_max_bytes)
        register(s, talent_a, published, own_talent)
        register(s, talent_b, published, s.get(Talent, talent_b.talent_id))
        prop_own = propose(s, talent_a, own_talent, "topic", "我的活动提议", "说明")
        prop_other = propose(s, talent_b, s.get(Talent, talent_b.talent_id), "topic", "他人的活动提议", "说明")
        aff_own = add_affiliation(s, SYSTEM, own_talent, {"organization": "深圳大学", "from_year": 2010})
        aff_other = add_affiliation(s, SYSTEM, other_talent, {"organization": "华南理工大学", "from_year": 2012})
        # A pending revision (a talent proposing a reviewed fact) for /admin/reviews/<id>.
        rev = kt.update_profile(s, talent_c, other_talent, {"title": "待审核头衔"}, None)
        s.flush()
        own_output = min(o.id for o in own_talent.outputs)
        other_output = min(o.id for o in other_talent.outputs)
        world.ids = {
            "own": {"talent": OWN, "output": own_output, "request": req_own.id, "invitation": inv_own.id,
                    "advice": adv_own.id, "attachment": adv_own.attachments[0].id, "event": published.id,
                    "material": mat_pub.id, "proposal": prop_own.id, "revision": rev.id,
                    "user": _user(s, "talent").id, "affiliation": aff_own.id, "ledger_entry": led_own.id},
            "other": {"talent": OTHER, "output": other_output, "request": req_other.id, "invitation": inv_other.id,
                      "advice": adv_other.id, "attachment": adv_other.attachments[0].id, "event": draft.id,
                      "material": mat_draft.id, "proposal": prop_other.id, "revision": rev.id,
                      "user": _user(s, "talent2").id, "affiliation": aff_other.id, "ledger_entry": led_other.id},
        }
        # tokens the matrix may revoke: never one the callers authenticate with
        for variant, owner in (("own", "talent"), ("other", "talent2")):
            world.ids[variant]["token"] = issue(s, _user(s, owner), "route matrix").token.public_id
        for username in [*ACCOUNTS, "researcher2", "talent3"]:
            user = _user(s, username)
            world.users[username] = user.id
            world.tokens[username] = issue_token(s, user, "security tests")
    kb.sync_search()
    return world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for site in build_site(tmp_path_factory):
        yield populate_world(site)


@pytest.fixture(scope="module")
def web_clients(world: World) -> dict[str, FlaskClient]:
    """A logged-in browser client per role name (the web tests' accounts), and ``anon``."""
    out: dict[str, FlaskClient] = {"anon": world.site.app.test_client()}
    for username in ACCOUNTS:
        client = world.site.app.test_client()
        login(client, username)
        out[username] = client
    return out


@pytest.fixture(autouse=True)
def _fresh_throttle(request: pytest.FixtureRequest) -> None:
    if "world" in request.fixturenames:
        request.getfixturevalue("world").site.app.extensions["login_throttle"].reset()
