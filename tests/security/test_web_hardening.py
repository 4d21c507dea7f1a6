"""CSRF on every state-changing route, security headers on every kind of response, password policy.

tests/web/test_auth.py proves these on a few examples (one POST without a
token, the headers of one page, session renewal, lockout and throttling);
here the routes come from ``app.url_map``, so a new form cannot forget CSRF
and a new response type (CSV, PDF, calendar, problem+json) cannot lose its
headers unnoticed.
"""

from __future__ import annotations

import string

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.accounts import MIN_PASSWORD, check_password_policy
from kb.errors import ValidationError
from tests.security.conftest import World
from tests.security.routes import BODIES, FILE
from tests.security.test_route_matrix import WRITES, Caller, _cells, _fingerprint, _rules, _url, _variants


@pytest.fixture(scope="module")
def caller(world: World, web_clients: dict[str, FlaskClient]) -> Caller:
    return Caller(world, web_clients)


@pytest.mark.parametrize("token", ["none", "forged"])
def test_every_form_post_needs_the_csrf_token(world: World, web_clients: dict[str, FlaskClient], token: str) -> None:
    """As admin (who may do nearly everything), every non-API write without a valid token is a 400, changing nothing."""
    before = _fingerprint(world)
    failures, tried = [], 0
    for rule in _rules(world):
        if rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & set(WRITES)):
            for variant in _variants(rule):
                url = _url(world, rule, variant)
                body = {k: v for k, v in BODIES.get(rule.endpoint, {}).items() if k != FILE}
                if token == "forged":
                    body["csrf_token"] = "IjEyMzQ1Ig.forged.token"
                tried += 1
                for role in ("admin", "talent"):
                    resp = web_clients[role].open(url, method=method, data=body)
                    if resp.status_code != 400:
                        failures.append(f"{role} {method} {url}: {resp.status_code}")
    assert tried >= 50, tried
    assert not failures, "\n".join(failures)
    assert _fingerprint(world) == before
    # the refusal did not end the session either
    assert web_clients["admin"].get("/account").status_code == 200


def test_api_writes_ignore_the_browser_session(world: World, web_clients: dict[str, FlaskClient]) -> None:
    """The API is exempt from CSRF only because cookies never authenticate there."""
    before = _fingerprint(world)
    for rule in _rules(world):
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & set(WRITES)):
            url = _url(world, rule, "own")
            resp = web_clients["admin"].open(url, method=method, json=BODIES.get(rule.endpoint, {}))
            assert resp.status_code == 401, f"{method} {url}: {resp.status_code}"
    assert _fingerprint(world) == before


HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _check_headers(resp, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = [f"{where}: {k}={resp.headers.get(k)!r}" for k, v in HEADERS.items() if resp.headers.get(k) != v]
    csp = resp.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp or "unsafe-inline" in csp:
        problems.append(f"{where}: CSP {csp!r}")
    return problems


def test_security_headers_on_every_kind_of_response(world: World, caller: Caller) -> None:
    """HTML pages, 403/404/400/405 pages, redirects, JSON, problem+json, CSV, XLSX, PDF, ICS, files, static."""
    problems, kinds = [], set()
    for role in ("admin", "talent", "anon"):
        for _rule, method, _variant, url in _cells(world, writes=False):
            resp = caller(role, method, url)
            kinds.add((resp.status_code, resp.mimetype))
            problems += _check_headers(resp, f"{role} {url} {resp.status_code}")
    extra = [("/static/css/app.css", "anon"), ("/nope", "admin"), ("/api/v1/nope", "admin"), ("/login", "anon"),
             ("/api/v1/openapi.json", "anon"), ("/lang/en", "anon")]
    for url, role in extra:
        resp = caller(role, "GET", url)
        kinds.add((resp.status_code, resp.mimetype))
        problems += _check_headers(resp, f"{role} {url} {resp.status_code}")
    resp = caller("admin", "DELETE", "/account")  # 405
    problems += _check_headers(resp, "405")
    assert not problems, "\n".join(problems[:40])
    mimetypes = {m for _s, m in kinds}
    assert {"text/html", "application/json", "application/problem+json", "text/csv", "application/pdf",
            "text/calendar", "text/css"} <= mimetypes, mimetypes
    assert {200, 302, 401, 403, 404} <= {s for s, _m in kinds}


def test_html_pages_are_not_cached_and_cookies_are_locked_down(world: World, web_clients: dict[str, FlaskClient]) -> None:
    resp = web_clients["admin"].get("/talents/web-001")
    assert resp.headers["Cache-Control"] == "no-store"
    fresh = world.site.app.test_client()
    cookie = fresh.get("/login").headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@settings(max_examples=300, deadline=None)
@given(password=st.text(alphabet=string.printable + "密码口令", max_size=30),
       username=st.sampled_from(["", "admin", "lin"]))
def test_password_policy(password: str, username: str) -> None:
    """Accepted exactly when long enough, varied enough and not containing the user name."""
    weak = (len(password) < MIN_PASSWORD or len(set(password)) < 4
            or (username != "" and username.lower() in password.lower()))
    if weak:
        with pytest.raises(ValidationError):
            check_password_policy(password, username)
    else:
        check_password_policy(password, username)


def test_new_accounts_and_invitations_apply_the_policy(world: World, caller: Caller,
                                                      web_clients: dict[str, FlaskClient]) -> None:
    from tests.web.conftest import post

    resp = post(web_clients["admin"], "/admin/users", {"username": "weakling", "role": "researcher",
                                                       "password": "aaaaaaaaaaaa"})
    assert resp.status_code == 400
    with world.site.kb.sessions() as s:
        from kb.models import User

        assert s.query(User).filter_by(username="weakling").count() == 0
