"""The search journeys of issue 14 in headless Chromium, over the demo corpus, in zh-CN and English.

Noise gets a plain "no good match" with the closest weak experts folded; a
2 000-character pasted need is typed into the box, searched, and filtered by
a facet click without losing it; a stale page number states no count.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.demo import DEMO_PASSWORD, load_demo
from tests.browser_support import chromium, live_server
from tests.web.conftest import make_kb

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

LONG_NEED = ("区里准备出台支持低空经济发展的政策，想请无人机物流配送、低空空域管理和通用航空运营方面的专家座谈，"
             "重点讨论末端配送航线审批、起降点布局、安全监管和商业模式。") * 40


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from web.app import create_app

    kb = make_kb(tmp_path_factory.mktemp("demo-browser"))
    kb.init_db()
    report, _ = load_demo(kb.sessions)
    assert report.ok, report.errors[:3]
    kb.sync_search()
    try:
        with live_server(create_app(kb, TESTING=True)) as url:
            yield url
    finally:
        kb.close()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as b:
        yield b


@pytest.fixture(params=["zh-CN", "en"])
def page(request: pytest.FixtureRequest, server: str, browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale=request.param)
    p = context.new_page()
    p.set_default_timeout(20_000)
    p.goto("/login")
    p.fill("#username", "researcher")
    p.fill("#password", DEMO_PASSWORD)
    p.click("button[type=submit]")
    p.wait_for_load_state()
    if request.param == "en":
        p.goto("/lang/en")
    p.lang = request.param  # type: ignore[attr-defined]
    yield p
    context.close()


def _en(p) -> bool:  # type: ignore[no-untyped-def]
    return p.lang == "en"  # type: ignore[no-any-return]


def test_noise_says_no_good_match_and_folds_the_weak_ones(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/search")
    page.fill("#q", "qwzxv plorkt")
    page.click("form.search-form button")
    page.wait_for_selector(".no-good-match")
    text = page.locator(".results").inner_text()
    assert ("No expert matches this need well" if _en(page) else "没有找到匹配度高的专家") in text
    weak = page.locator("details.weak-matches")
    assert weak.count() == 1 and weak.get_attribute("open") is None
    assert not weak.locator("article.result").first.is_visible()
    weak.locator("summary").click()
    assert weak.locator("article.result").first.is_visible()
    assert ("Weak match" if _en(page) else "匹配度低") in weak.inner_text()
    page.screenshot(path=str(SHOTS / f"search-no-good-match-{page.lang}.png"), full_page=True)


def test_a_2000_character_need_is_searched_and_filtered_in_the_page(page) -> None:  # type: ignore[no-untyped-def]
    need = LONG_NEED[:2000]
    page.goto("/search")
    page.fill("#q", need)
    assert len(page.input_value("#q")) == 2000  # the box takes the whole need
    page.click("form.search-form button")
    page.wait_for_selector("p.result-summary")
    assert "Too Long" not in page.content()
    assert ("Strong match" if _en(page) else "高度匹配") in page.locator(".results").inner_text()
    # A facet click posts the need again: still searched, now filtered.
    page.locator("aside.facets button.facet-link", has_text="B").first.click()
    page.wait_for_load_state()
    assert page.input_value("#q") == need
    assert page.locator("aside.facets .facet-link.on").count() == 1
    page.screenshot(path=str(SHOTS / f"search-long-need-{page.lang}.png"), full_page=True)


def test_a_page_past_the_end_states_no_count(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/search?q=%E6%97%A0%E4%BA%BA%E6%9C%BA%E7%89%A9%E6%B5%81&page=99")
    page.wait_for_selector(".past-end")
    text = page.locator(".results").inner_text()
    assert ("no more experts after page" if _en(page) else "页之后没有更多专家") in text
    assert page.locator("p.result-summary").count() == 0 and page.locator(".no-good-match").count() == 0
    page.locator(".past-end a").click()
    page.wait_for_selector("p.result-summary")
