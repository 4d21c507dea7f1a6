"""Pages usable on a 390 px phone, in headless Chromium: the search filters fold above the
results so the first result is on the first screen, and no main page of any role is wider
than the screen (tables scroll inside their box). Also the pieces that need a browser: the
search-as-you-type list for adding an expert, and the confirmation dialog's shortcut."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kb.actors import Actor
from kb.consultations import requests as kreq
from kb.models import User
from tests.browser_support import chromium, live_server
from tests.web.conftest import Site, build_site
from tests.web.data import OTHER, OWN, PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site, int]]:
    for site in build_site(tmp_path_factory):
        with site.kb.sessions() as s, s.begin():
            researcher = Actor.of(s.scalar(select(User).where(User.username == "researcher")))
            req = kreq.create_request(s, researcher, {
                "title": "跨境理财通销售合规与投资者保护政策咨询", "background": "罗湖区拟出台跨境金融措施。" * 8,
                "questions": "跨境理财通产品销售合规有哪些要点？", "fields": ["banking"],
                "deadline": (date.today() + timedelta(days=20)).isoformat(), "experts_wanted": 2})
            kreq.open_request(s, researcher, req)
            rid = req.id
        with live_server(site.app) as url:
            yield url, site, rid


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _page(browser: Any, base: str, viewport: dict[str, int], lang: str = "zh-CN") -> Any:
    context = browser.new_context(base_url=base, viewport=viewport, locale=lang)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def main_pages(rid: int) -> dict[str, list[str]]:
    """The main pages of each role (the screenshots walkthrough covers the same set)."""
    common = ["/search?q=跨境理财通", f"/talents/{OTHER}", "/inbox", "/account"]
    return {
        "researcher": [*common, "/consultations", f"/consultations/{rid}", "/consultations/new",
                       f"/consultations/add-expert?talent={OTHER}"],
        "talent": [*common, f"/talents/{OWN}", f"/talents/{OWN}/edit", "/events", "/consultations"],
        "organizer": [*common, "/events", "/events/new"],
        "commissioner": [*common, "/admin/", "/admin/reviews", "/admin/import", "/admin/talents", "/dashboard/"],
        "admin": [*common, "/admin/users", "/admin/audit", "/dashboard/", f"/talents/{OWN}/history"],
    }


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_first_result_is_on_the_first_screen_of_a_phone(server: Any, browser: Any, lang: str) -> None:
    base, _site, _rid = server
    page = _page(browser, base, PHONE, lang)
    _login(page, "researcher")
    if lang == "en":
        page.goto("/lang/en")
    page.goto("/search?q=跨境理财通产品设计")
    first = page.locator("article.result").first
    box = first.bounding_box()
    assert box is not None and box["y"] < PHONE["height"], f"first result at {box}"
    assert not page.locator("details.facets-details").evaluate("d => d.open")
    page.click("summary.facets-summary")  # the filters are one tap away
    assert page.locator(".facet").first.is_visible()
    page.context.close()


def test_filters_stay_open_on_a_desktop(server: Any, browser: Any) -> None:
    base, _site, _rid = server
    page = _page(browser, base, {"width": 1280, "height": 900})
    _login(page, "researcher")
    page.goto("/search?q=跨境理财通")
    assert page.locator(".facet").first.is_visible()
    assert not page.locator("summary.facets-summary").is_visible()
    page.context.close()


@pytest.mark.parametrize("role", ["researcher", "talent", "organizer", "commissioner", "admin"])
def test_no_main_page_is_wider_than_a_phone(server: Any, browser: Any, role: str) -> None:
    base, _site, rid = server
    page = _page(browser, base, PHONE)
    _login(page, role)
    too_wide: list[str] = []
    squeezed: list[str] = []
    for path in main_pages(rid)[role]:
        resp = page.goto(path)
        assert resp is not None and resp.status < 400, f"{role} {path}: {resp and resp.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path}: {width}px")
        narrowest = page.evaluate("Math.min(1e9, ...[...document.querySelectorAll('.table th')]"
                                  ".map(c => c.getBoundingClientRect().width))")
        if narrowest < 48:  # a column squeezed to a character per line instead of scrolling
            squeezed.append(f"{path}: {narrowest:.0f}px")
    assert not too_wide, f"{role}: pages wider than 390 px: {too_wide}"
    assert not squeezed, f"{role}: table columns squeezed: {squeezed}"
    page.context.close()


#: Visible buttons whose words take their background's colour.
UNREADABLE = ("[...document.querySelectorAll('button, summary, a.button')]"
              ".filter(b => b.offsetParent !== null && b.textContent.trim()"
              " && getComputedStyle(b).color === getComputedStyle(b).backgroundColor)"
              ".map(b => b.textContent.trim())")


@pytest.mark.parametrize("role", ["organizer", "admin"])
def test_every_button_shows_its_words(server: Any, browser: Any, role: str) -> None:
    """The action bar's red ``button.danger`` once also filled every red link button ("停用",
    "从名单移除") with the red of its words."""
    base, _site, rid = server
    page = _page(browser, base, {"width": 1280, "height": 900})
    _login(page, role)
    blank = {path: page.evaluate(UNREADABLE) for path in main_pages(rid)[role] if page.goto(path)}
    assert not {path: words for path, words in blank.items() if words}, blank
    page.context.close()


def test_typing_a_name_offers_experts_and_picking_one_adds_him(server: Any, browser: Any) -> None:
    base, site, rid = server
    page = _page(browser, base, {"width": 1280, "height": 900})
    _login(page, "researcher")
    page.goto(f"/consultations/{rid}")
    page.click("#add-expert > summary")
    page.fill("input[name=expert]", "吴志")
    option = page.locator(".expert-suggestions button", has_text="吴志强")
    option.click()
    assert page.input_value("input[name=talent_id]") == "web-004"
    page.fill("input[name=reason]", "私募合规")
    page.click("form.expert-picker button[type=submit]")
    page.wait_for_load_state()
    assert "已将 吴志强 加入推荐名单" in page.content()
    page.context.close()


def test_the_dialog_answers_the_confirmation_so_no_extra_page(server: Any, browser: Any) -> None:
    base, site, _rid = server
    from kb.api_tokens import issue

    with site.kb.sessions() as s, s.begin():
        issue(s, s.scalar(select(User).where(User.username == "organizer")), "手机脚本")
    page = _page(browser, base, PHONE)
    _login(page, "organizer")
    page.goto("/account/tokens")
    page.once("dialog", lambda d: d.accept())
    page.locator("form[action*='/revoke'] button").first.click()
    page.wait_for_load_state()
    assert "请确认" not in page.content() and "已撤销" in page.content()
    page.context.close()
