"""End-to-end checks in headless Chromium (Debian's package) through Playwright.

The real app runs in a thread on 127.0.0.1 over a temp data dir; each role
logs in, searches, edits, and meets a 403 page where it should. Screenshots
of the main pages land in test-artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import chromium, live_server
from tests.web.conftest import Site, build_site
from tests.web.data import OTHER, OWN, PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Site]]:
    for site in build_site(tmp_path_factory):
        site.kb.start_background_sync()
        with live_server(site.app) as url:
            yield url, site


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


def _page(browser, base: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_each_role_logs_in_and_sees_its_menu(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    expected = {
        "researcher": (["专家检索", "数据看板"], ["管理"]),
        "organizer": (["专家检索", "数据看板"], ["管理"]),
        "commissioner": (["专家检索", "数据看板", "管理"], []),
        "admin": (["专家检索", "数据看板", "管理"], []),
        "talent": (["专家检索", "我的档案"], ["管理", "数据看板"]),
    }
    for username, (present, absent) in expected.items():
        page = _page(browser, base)
        _login(page, username)
        nav = page.locator("nav.main-nav").inner_text()
        for item in present:
            assert item in nav, (username, nav)
        for item in absent:
            assert item not in nav, (username, nav)
        shot(page, f"landing-{username}")
        page.click("text=退出")
        page.wait_for_url("**/login")
        page.context.close()


def test_search_in_chinese_and_english_and_open_a_result(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    page = _page(browser, base)
    _login(page, "researcher")
    page.fill("#q", "跨境理财通")
    page.click("form.search-form button")
    page.wait_for_selector("article.result")
    assert page.locator("article.result mark").count() > 0
    assert "林书衡" in page.locator(".results").inner_text()
    shot(page, "search-zh")
    page.locator("article.result h3 a", has_text="林书衡").click()
    page.wait_for_selector("h1")
    assert "林书衡" in page.locator("h1").inner_text()
    assert "lin@example.org" in page.locator("#contact").inner_text()  # available: researcher sees contact
    shot(page, "profile")

    page.goto("/search?q=government+data+sharing")
    page.wait_for_selector("article.result")
    assert "周明远" in page.locator(".results").inner_text()
    # the XSS payload in that bio stays text: no alert, no injected element
    assert page.locator("article.result img").count() == 0
    shot(page, "search-en")
    page.context.close()


def test_talent_edits_profile_and_finds_the_change_in_search(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    page = _page(browser, base)
    _login(page, "talent")
    page.goto(f"/talents/{OWN}/edit")
    shot(page, "edit")
    area = page.locator("#research_directions")
    area.fill(area.input_value() + "\n海绵城市韧性评估")
    page.click("form.form-sections button[type=submit]")
    page.wait_for_url(f"**/talents/{OWN}")
    assert "海绵城市韧性评估" in page.locator(".directions").inner_text()
    page.goto("/search?q=海绵城市韧性")
    page.wait_for_selector("article.result")
    assert "林书衡" in page.locator(".results").inner_text()
    page.context.close()


def test_talent_is_refused_someone_elses_edit_page(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    page = _page(browser, base)
    _login(page, "talent")
    response = page.goto(f"/talents/{OTHER}/edit")
    assert response is not None and response.status == 403
    assert "无权访问" in page.locator("main").inner_text()
    shot(page, "forbidden")
    page.context.close()


def test_language_switch(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    page = _page(browser, base)
    _login(page, "researcher")
    page.goto("/search?q=cloud")
    page.click("nav.lang-switch >> text=English")
    page.wait_for_load_state()
    assert "Expert search" in page.locator("nav.main-nav").inner_text()
    assert "q=cloud" in page.url  # back on the same search
    shot(page, "search-english-ui")
    page.goto(f"/talents/{OWN}")
    assert "Banking" in page.locator("main").inner_text()  # taxonomy labels follow the UI language
    page.click("nav.lang-switch >> text=中文")
    page.wait_for_load_state()
    assert "专家检索" in page.locator("nav.main-nav").inner_text()
    page.context.close()


def test_staff_pages_render(server, browser) -> None:  # type: ignore[no-untyped-def]
    base, _site = server
    page = _page(browser, base)
    _login(page, "admin")
    for path, name in [("/dashboard/", "dashboard"), ("/admin/", "admin"), ("/admin/users", "admin-users"),
                       ("/admin/talents", "admin-talents"), ("/admin/import", "admin-import"),
                       (f"/talents/{OWN}/history", "history"), ("/admin/audit", "audit")]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        shot(page, name)
    page.goto("/dashboard/")
    assert page.locator("[data-chart=categories] svg rect").count() > 0  # charts drawn by our own JS
    page.context.close()


def test_activity_pages_render_and_organizer_buttons_share_a_row(server, browser) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's consultation and event charts, the profile's records, employment history
    edited through the form, and the event page's organizer buttons side by side (they once
    stacked: the parser splits a <p> holding <form>s, which the CSS now accounts for)."""
    from datetime import timedelta

    from sqlalchemy import select

    from kb.actors import Actor
    from kb.events.manage import create_event, publish_event
    from kb.models import User, utcnow
    from tests.web.activity import EVENT_TITLE, REQUEST_TITLE, add_activity

    base, site = server
    add_activity(site, OWN)
    with site.kb.sessions() as s, s.begin():
        organizer = Actor.of(s.scalar(select(User).where(User.username == "organizer")))
        start = (utcnow() + timedelta(days=9)).replace(microsecond=0)
        upcoming = create_event(s, organizer, {
            "kind": "lecture", "title": "数字人民币跨境支付讲座", "description": "讲座。", "topics": ["数字人民币"],
            "start_at": start, "end_at": start + timedelta(hours=2), "timezone": "Asia/Shanghai",
            "place": "罗湖区人才之家", "capacity": 50})
        publish_event(s, organizer, upcoming)
        upcoming_id = upcoming.id

    page = _page(browser, base)
    _login(page, "researcher")
    page.goto("/dashboard/")
    for chart in ("consultUnits", "consultFields", "consultTalents", "consultAdvice", "eventMonths",
                  "eventRegistrations", "eventFields"):
        assert page.locator(f"[data-chart={chart}] svg rect").count() > 0, chart
    shot(page, "dashboard-researcher")
    page.context.close()

    page = _page(browser, base)
    _login(page, "talent")
    page.goto(f"/talents/{OWN}")
    assert REQUEST_TITLE in page.locator("#consultation-record").inner_text()
    assert EVENT_TITLE in page.locator("#event-history").inner_text()
    shot(page, "profile-records")
    page.goto(f"/talents/{OWN}/edit")
    page.fill("#affiliation-organization", "深圳证券交易所")
    page.fill("#affiliation-from_year", "2001")
    page.fill("#affiliation-to_year", "2005")
    page.locator("#affiliations button[type=submit].button").click()
    page.wait_for_load_state()
    assert "深圳证券交易所" in page.locator("#affiliations table").inner_text()
    shot(page, "edit-affiliations")
    # the talent adds employers; removing one is for a service commissioner (conflict screening)
    assert page.locator("#affiliations table button.danger").count() == 0
    assert "只能由服务专员删除" in page.locator("#affiliations").inner_text()
    page.context.close()

    page = _page(browser, base)
    _login(page, "commissioner")
    page.goto(f"/talents/{OWN}/edit")
    page.once("dialog", lambda d: d.accept())  # the delete asks for confirmation (app.js)
    page.locator("#affiliations tr", has_text="深圳证券交易所").locator("button.danger").click()
    page.wait_for_load_state()
    assert "深圳证券交易所" not in page.locator("#affiliations").inner_text()
    page.context.close()

    page = _page(browser, base)
    _login(page, "organizer")
    page.goto(f"/events/{upcoming_id}")
    card = page.locator("section.card", has_text="组织者操作")
    # before the start an organizer may edit or cancel; 标记为已结束 comes only once it has begun
    assert card.get_by_text("标记为已结束", exact=True).count() == 0
    boxes = [card.get_by_text(label, exact=True).bounding_box() for label in ("编辑", "取消活动")]
    middles = [b["y"] + b["height"] / 2 for b in boxes if b]
    assert len(middles) == 2 and max(middles) - min(middles) < 4, boxes
    shot(page, "event-organizer")
    page.context.close()
