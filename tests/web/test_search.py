"""The search page: evidence, escaping, facets, URLs, outages, and the UI language switch."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from indexer import SearchUnavailable
from tests.web.conftest import Site
from tests.web.data import OWN, TALENTS


def test_results_show_highlighted_evidence(clients: dict[str, FlaskClient]) -> None:
    html = clients["researcher"].get("/search?q=跨境理财通").get_data(as_text=True)
    assert "林书衡" in html
    assert "<mark>" in html
    assert "evidence-kind" in html and "研究方向" in html
    assert f'/talents/{OWN}/similar' in html


def test_html_in_content_is_inert(clients: dict[str, FlaskClient]) -> None:
    html = clients["researcher"].get("/search?q=government+data+sharing").get_data(as_text=True)
    assert "周明远" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    if "alert(" in html:  # the bio passage was shown as evidence: escaped
        assert "&lt;script&gt;" in html or "&lt;img" in html
    profile = clients["researcher"].get("/talents/web-002").get_data(as_text=True)
    assert "<script>alert" not in profile and "&lt;script&gt;alert" in profile


def test_english_query_and_filters_in_a_shareable_url(clients: dict[str, FlaskClient]) -> None:
    c = clients["organizer"]
    html = c.get("/search?q=cross-border+legal+due+diligence").get_data(as_text=True)
    assert "吴志强" in html
    filtered = c.get("/search?q=跨境&category=B").get_data(as_text=True)
    assert "林书衡" not in filtered  # category A is filtered out
    assert 'href="/search?q=%E8%B7%A8%E5%A2%83"' in filtered  # the facet link switches the filter off again
    only_available = c.get("/search?q=data&available=1").get_data(as_text=True)
    assert "周明远" not in only_available
    assert c.get("/search?q=跨境&page=abc&category=Z&field=nonsense").status_code == 200


def test_facets_show_counts(clients: dict[str, FlaskClient]) -> None:
    html = clients["researcher"].get("/search?q=跨境").get_data(as_text=True)
    assert 'class="count"' in html and "A类菁英人才" in html


def test_pagination_keeps_the_query(site: Site, clients: dict[str, FlaskClient]) -> None:
    site.app.config["SEARCH_PAGE_SIZE"] = 1
    try:
        html = clients["researcher"].get("/search?q=跨境+金融&page=1").get_data(as_text=True)
        assert 'rel="next"' in html and "page=2" in html
        page2 = clients["researcher"].get("/search?q=跨境+金融&page=2")
        assert page2.status_code == 200 and 'aria-current="page">2<' in page2.get_data(as_text=True)
    finally:
        site.app.config["SEARCH_PAGE_SIZE"] = 10


@pytest.mark.parametrize("lang", ["yue", "en"])
@pytest.mark.parametrize("q", ["", "文化 跨境 数据 海洋 律师"])
def test_lang_query_filters_experts_without_switching_the_ui(clients: dict[str, FlaskClient], lang: str,
                                                             q: str) -> None:
    """Every talent listed speaks the language and every other one is left out, so the
    test fails when the filter is ignored (each language leaves someone out)."""
    html = clients["researcher"].get(f"/search?q={q}&lang={lang}").get_data(as_text=True)
    assert "专家检索" in html  # still a Chinese UI
    speakers = {t["name"] for t in TALENTS if lang in t["languages"]}
    others = {t["name"] for t in TALENTS} - speakers
    assert speakers and others
    assert [n for n in speakers if n in html] and not [n for n in others if n in html], html


def test_ui_language_switch(site: Site) -> None:
    from tests.web.conftest import login

    c = site.app.test_client()
    login(c, "researcher")
    resp = c.get("/lang/en", headers={"Referer": "http://localhost/search?q=cloud"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/search?q=cloud"
    html = c.get("/search?q=cloud").get_data(as_text=True)
    assert "Expert search" in html and 'lang="en"' in html
    profile = c.get(f"/talents/{OWN}").get_data(as_text=True)
    assert "Banking" in profile and "Category A" in profile
    assert c.get("/lang/zh?next=https://evil.example/").headers["Location"] == "/"
    assert "专家检索" in c.get("/search").get_data(as_text=True)
    anon = site.app.test_client()
    anon.get("/lang/en")
    assert "Log in" in anon.get("/login").get_data(as_text=True)


def test_search_outage_is_a_503_page(site: Site, clients: dict[str, FlaskClient], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def down(*_a, **_k):  # type: ignore[no-untyped-def]
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(site.kb.search, "search", down)
    monkeypatch.setattr(site.kb.search, "similar", down)
    resp = clients["researcher"].get("/search?q=跨境")
    assert resp.status_code == 503
    assert "检索服务暂不可用" in resp.get_data(as_text=True)
    # a profile still shows, with a note instead of similar experts
    profile = clients["researcher"].get(f"/talents/{OWN}")
    assert profile.status_code == 200 and "检索服务暂不可用" in profile.get_data(as_text=True)


def test_similar_experts_page(clients: dict[str, FlaskClient]) -> None:
    resp = clients["organizer"].get(f"/talents/{OWN}/similar")
    assert resp.status_code == 200
    assert "林书衡" in resp.get_data(as_text=True)  # named in the heading


def test_filters_alone_browse(clients: dict[str, FlaskClient]) -> None:
    resp = clients["researcher"].get("/search?category=C")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "陈雅琳" in html and "林书衡" not in html
    intro = clients["researcher"].get("/search").get_data(as_text=True)
    assert "class=\"card intro\"" in intro  # nothing asked: the introduction, no query sent
