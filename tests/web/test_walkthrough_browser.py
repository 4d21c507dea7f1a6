"""The walkthrough as a test: every role's pages in headless Chromium, Chinese on a 390 px
phone and English on a 1280 px desktop, read as a person sees them (rendered text, laid-out
widths), with a consultation in progress and an event with a registration seeded.

Each page of each role is held to the classes of problem a walkthrough finds:
- no UI sentence left untranslated in English (a text that is a msgid of the catalogue);
- no UTC ISO time or "UTC" label, no IANA zone id ("Asia/Shanghai" is 北京时间), no Python ``None``/list, no "#<id>";
- no page wider than the screen, and no table column squeezed to a character per line
  (the trail once wrapped "researcher" as "rese/arch/er" next to a long detail cell).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import invitations
from kb.consultations import requests as kreq
from kb.events import manage
from kb.events import registration as signup
from kb.models import Event, User
from kb.talents.changes import get_talent
from tests.browser_support import chromium, live_server
from tests.events.conftest import event_values
from tests.web.conftest import Site, build_site
from tests.web.data import OTHER, OWN, PASSWORD

pytestmark = pytest.mark.browser
PO = Path(__file__).resolve().parents[2] / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
VIEWS = {"zh-phone": ("zh", {"width": 390, "height": 844}), "en-desktop": ("en", {"width": 1280, "height": 900})}
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d(?::\d\d)?Z\b|\+00:00|\bUTC\b")
REPR = re.compile(r"\bNone\b(?! of)|\['|\{'|(?<![&\w])#\d+\b")
ZONE_ID = re.compile(r"\b(?:Asia|Europe|America|Africa|Australia)/[A-Z][A-Za-z_]+")


def untranslatable_ui() -> set[str]:
    """Catalogue msgids without parameters that hold Chinese: shown verbatim in English, one was left out."""
    with PO.open("rb") as f:
        catalogue = read_po(f)
    return {m.id for m in catalogue if isinstance(m.id, str) and m.id and "%(" not in m.id
            and re.search(r"[\u4e00-\u9fff]", m.id) and m.string}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    for site in build_site(tmp_path_factory):
        ids = _seed(site)
        with live_server(site.app) as url:
            yield url, ids


def _seed(site: Site) -> dict[str, int]:
    with site.kb.sessions() as s, s.begin():
        def actor(name: str) -> Actor:
            return Actor.of(s.scalar(select(User).where(User.username == name)))

        researcher, organizer = actor("researcher"), actor("organizer")
        req = kreq.create_request(s, researcher, {
            "title": "跨境理财通销售合规政策咨询", "background": "罗湖区拟出台跨境金融措施。",
            "questions": "跨境理财通产品销售合规有哪些要点？", "fields": ["banking"],
            "deadline": (date.today() + timedelta(days=20)).isoformat(), "experts_wanted": 2})
        kreq.open_request(s, researcher, req)
        (inv,) = invitations.invite(s, researcher, req, [get_talent(s, OWN)], message="请谈谈销售适当性。")
        event = manage.create_event(s, organizer, event_values())
        manage.publish_event(s, organizer, event)
        signup.register(s, organizer, event, get_talent(s, OWN))
        return {"rid": req.id, "iid": inv.id, "eid": s.scalar(select(Event.id))}


def role_pages(ids: dict[str, int]) -> dict[str, list[str]]:
    rid, iid, eid = ids["rid"], ids["iid"], ids["eid"]
    common = ["/search?q=跨境理财通", f"/talents/{OTHER}", "/inbox", "/account", "/events", f"/events/{eid}"]
    return {
        "researcher": [*common, "/consultations", f"/consultations/{rid}", f"/consultations/{rid}/trail",
                       "/consultations/new", "/knowledge?q=跨境理财通"],
        "talent": [*common, f"/talents/{OWN}", f"/talents/{OWN}/edit", f"/consultations/invitations/{iid}",
                   "/events/mine"],
        "organizer": [*common, f"/events/{eid}/audience", f"/events/{eid}/replies", f"/events/{eid}/checkin",
                      "/events/new", "/events/stats"],
        "commissioner": [*common, "/commissioner/", "/admin/reviews", "/admin/talents", "/dashboard/"],
        "admin": [*common, "/admin/users", "/admin/audit", "/dashboard/", f"/talents/{OWN}/history"],
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


#: Text nodes of the page (not scripts), trimmed.
TEXTS = ("[...document.querySelectorAll('body *:not(script):not(style)')].flatMap(e => [...e.childNodes])"
         ".filter(n => n.nodeType === 3).map(n => n.textContent.trim()).filter(Boolean)")
NARROWEST = ("Math.min(1e9, ...[...document.querySelectorAll('.table th')].filter(c => c.textContent.trim())"
             ".map(c => c.getBoundingClientRect().width))")


@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("role", ["researcher", "talent", "organizer", "commissioner", "admin"])
def test_every_page_reads_right(server: tuple[str, dict[str, int]], browser: Any, role: str, view: str) -> None:
    base, ids = server
    lang, size = VIEWS[view]
    context = browser.new_context(base_url=base, viewport=size, locale="en" if lang == "en" else "zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/lang/{lang}")
    ui = untranslatable_ui() if lang == "en" else set()
    problems: list[str] = []
    for path in role_pages(ids)[role]:
        resp = page.goto(path)
        if resp is None or resp.status >= 400:
            problems.append(f"{path}: status {resp and resp.status}")
            continue
        text = page.evaluate("document.body.innerText")
        problems += [f"{path}: UTC time {m!r}" for m in UTC_TIME.findall(text)]
        problems += [f"{path}: code-like {m!r}" for m in REPR.findall(text)]
        problems += [f"{path}: time zone id {m!r}" for m in ZONE_ID.findall(text)]
        problems += [f"{path}: untranslated {t!r}" for t in page.evaluate(TEXTS) if t in ui]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size["width"]:
            problems.append(f"{path}: {width}px wide on a {size['width']}px screen")
        narrowest = page.evaluate(NARROWEST)
        if narrowest < 40:
            problems.append(f"{path}: a table column {narrowest:.0f}px wide")
    context.close()
    assert not problems, f"{role} {view}:\n" + "\n".join(problems)
