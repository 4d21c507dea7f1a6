"""Every page a role may not open, and every link to something missing, ends on a page that says so plainly.

Generated over the app's URL map: each GET page without parameters for each
role (the 403s), and each page with an id, given one that does not exist (the
404s), in Chinese and English. Each such page must have a next link, no
developer string, and a 403 must say who may do it.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.data import ACCOUNTS

DEVELOPER = re.compile(r"may not |\bno such\b|\bnot found\b(?! )|\['|Traceback|#\d+|\b[a-z]+\.[a-z_]+\.?[a-z_]*\b")
CJK = re.compile(r"[\u4e00-\u9fff]")
SKIP_PREFIXES = ("/api/", "/static/", "/lang/", "/metrics", "/healthz", "/readyz", "/logout")


def get_rules(app: Flask) -> list[tuple[str, list[str]]]:
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.rule.startswith(SKIP_PREFIXES):
            continue
        out.append((rule.rule, sorted(rule.arguments)))
    return sorted(out)


def main_text(page: str) -> str:
    body = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def check(resp, where: str, ui: str) -> None:  # type: ignore[no-untyped-def]
    page = resp.get_data(as_text=True)
    assert "data-next" in page, f"{where}: no next link"
    text = main_text(page)
    found = DEVELOPER.search(text)
    assert found is None, f"{where} ({ui}): developer string {found.group(0)!r} in {text.strip()[:200]!r}"
    if ui == "en":
        assert not CJK.search(text), f"{where}: Chinese on the English page: {text.strip()[:200]!r}"


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("username", sorted(ACCOUNTS))
def test_forbidden_pages_say_who_may(app: Flask, clients: dict[str, FlaskClient], username: str, ui: str) -> None:
    client = clients[username]
    client.get(f"/lang/{ui}")
    seen = 0
    try:
        for path, args in get_rules(app):
            if args:
                continue
            resp = client.get(path)
            if resp.status_code != 403:
                continue
            seen += 1
            check(resp, f"{username} {path}", ui)
            text = main_text(resp.get_data(as_text=True))
            assert ("只有" in text or "您只能" in text or "只对" in text) if ui == "zh" else ("Only" in text or "You cannot" in text), \
                f"{username} {path}: does not say who may"
    finally:
        client.get("/lang/zh")
    if username != "admin":
        assert seen, f"{username} meets no forbidden page: the crawl found nothing to check"


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_missing_things_lead_on(app: Flask, clients: dict[str, FlaskClient], ui: str) -> None:
    client = clients["admin"]
    client.get(f"/lang/{ui}")
    seen = 0
    try:
        for path, args in get_rules(app):
            if not args:
                continue
            url = path
            for arg in args:
                url = re.sub(rf"<(?:[a-z]+:)?{arg}>", "999999" if "id" in arg else "no-such-thing", url)
            resp = client.get(url)
            if resp.status_code != 404 or not resp.mimetype.startswith("text/html"):
                continue
            seen += 1
            check(resp, url, ui)
    finally:
        client.get("/lang/zh")
    assert seen > 5, "the crawl found too few pages with an id"
