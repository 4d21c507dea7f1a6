"""Login, logout, lockout, throttling, CSRF, session handling, headers, invitations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from kb.accounts import invite
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.settings import DEFAULT_SECRET, load_settings
from kb.talents.changes import get_talent
from tests.web.conftest import CSRF_META, Site, build_site, csrf_token, login, post
from tests.web.data import PASSWORD


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # a small throttle limit so the per-IP test needs few requests
    yield from build_site(tmp_path_factory, LOGIN_THROTTLE_ATTEMPTS=8)


def test_login_and_logout(site: Site) -> None:
    c = site.app.test_client()
    assert c.get("/search").status_code == 302
    resp = login(c, "researcher")
    assert resp.headers["Location"] == "/"
    assert c.get("/search").status_code == 200
    assert post(c, "/logout").status_code == 302
    assert c.get("/search").status_code == 302


def test_login_redirects_to_next_but_never_off_site(site: Site) -> None:
    c = site.app.test_client()
    token = csrf_token(c)
    resp = c.post("/login", data={"username": "researcher", "password": PASSWORD, "csrf_token": token,
                                  "next": "/talents/web-001"})
    assert resp.headers["Location"] == "/talents/web-001"
    c2 = site.app.test_client()
    token = csrf_token(c2)
    resp = c2.post("/login", data={"username": "researcher", "password": PASSWORD, "csrf_token": token,
                                   "next": "https://evil.example/"})
    assert resp.headers["Location"] == "/"


def test_talent_lands_on_its_own_profile(site: Site) -> None:
    resp = login(site.app.test_client(), "talent")
    assert resp.headers["Location"] == "/talents/web-001"


def test_wrong_password_is_refused_with_a_message(site: Site) -> None:
    c = site.app.test_client()
    resp = login(c, "organizer", "wrong-password", expect_ok=False)
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_failures_on_one_account_make_it_wait_not_lock(site: Site) -> None:
    """After five failures the name waits (429, Retry-After) instead of being locked;
    tests/web/test_credentials.py shows the owner gets in after the wait."""
    c = site.app.test_client()
    for _ in range(5):
        assert login(c, "talent2", "wrong-password", expect_ok=False).status_code == 401
    resp = login(c, "talent2", PASSWORD, expect_ok=False)
    assert resp.status_code == 429
    assert 0 < int(resp.headers["Retry-After"]) <= site.app.config["LOGIN_ACCOUNT_BACKOFF_CAP"]


def test_per_ip_throttling(site: Site) -> None:
    site.app.extensions["login_throttle"].reset()
    c = site.app.test_client()
    for i in range(8):  # different unknown accounts: only the IP throttle can stop this
        assert login(c, f"nobody{i}", "wrong-password", expect_ok=False).status_code == 401
    resp = login(c, "admin", PASSWORD, expect_ok=False)
    assert resp.status_code == 429
    assert "Retry-After" in resp.headers
    other_ip = site.app.test_client()
    token = csrf_token(other_ip)
    ok = other_ip.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert ok.status_code == 302
    site.app.extensions["login_throttle"].reset()


def test_post_without_csrf_token_is_refused(site: Site) -> None:
    c = site.app.test_client()
    login(c, "talent")
    resp = c.post("/talents/web-001/edit", data={"bio": "changed without a token"})
    assert resp.status_code == 400
    assert "表单安全校验失败" in resp.get_data(as_text=True)
    anon = site.app.test_client()
    assert anon.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 400


def test_session_is_renewed_on_login(site: Site) -> None:
    c = site.app.test_client()
    with c.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "en"
    login(c, "researcher")
    with c.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["lang"] == "en"  # the UI language survives
        assert sess["_user_id"]


def test_password_change_ends_other_sessions(site: Site) -> None:
    first, second = site.app.test_client(), site.app.test_client()
    login(first, "organizer")
    login(second, "organizer")
    resp = post(first, "/account/password", {"current_password": PASSWORD, "new_password": "a-new-long-secret-9",
                                             "confirm": "a-new-long-secret-9"})
    assert resp.status_code == 302
    assert first.get("/account").status_code == 200      # this session goes on
    assert second.get("/account").status_code == 302     # the other one is logged out
    bad = post(first, "/account/password", {"current_password": "nope", "new_password": "x-another-secret-1",
                                            "confirm": "x-another-secret-1"})
    assert bad.status_code == 400
    weak = post(first, "/account/password", {"current_password": "a-new-long-secret-9", "new_password": "short",
                                             "confirm": "short"})
    assert weak.status_code == 400
    assert post(first, "/account/password", {"current_password": "a-new-long-secret-9", "new_password": PASSWORD,
                                             "confirm": PASSWORD}).status_code == 302


def test_security_headers_and_cookie_flags(site: Site) -> None:
    c = site.app.test_client()
    resp = c.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    token = CSRF_META.search(resp.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    resp = c.post("/login", data={"username": "researcher", "password": PASSWORD, "csrf_token": token})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development


def test_no_inline_script_in_pages(site: Site) -> None:
    c = site.app.test_client()
    login(c, "admin")
    for path in ("/", "/search?q=跨境", "/talents/web-001", "/dashboard/", "/admin/users"):
        html = c.get(path).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (path, head)
        assert "onclick=" not in html and "style=" not in html


def test_production_refuses_the_default_secret(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web.app import create_app

    kb = KnowledgeBase(load_settings(environ={"KB_DATA_DIR": str(tmp_path), "KB_ENV": "production"}))
    assert kb.settings.security.secret_key == DEFAULT_SECRET
    with pytest.raises(RuntimeError, match="KB_SECRET_KEY"):
        create_app(kb)
    kb2 = KnowledgeBase(load_settings(environ={"KB_DATA_DIR": str(tmp_path), "KB_ENV": "production",
                                               "KB_SECRET_KEY": "a-real-production-secret"}))
    app = create_app(kb2)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_invitation_flow(site: Site) -> None:
    admin = site.app.test_client()
    login(admin, "commissioner")
    resp = post(admin, "/admin/invite", {"email": "wu@example.org", "talent": "web-004", "role": "talent"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "/invite/" in html
    link = html.split('id="invite-link">', 1)[1].split("<", 1)[0]
    path = link.split("localhost", 1)[-1]
    newcomer = site.app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "吴志强" in page.get_data(as_text=True)
    token = csrf_token(newcomer, path)
    weak = newcomer.post(path, data={"username": "wuzq", "password": "short", "confirm": "short", "csrf_token": token})
    assert weak.status_code == 400  # the user's input is checked by kb's password policy
    ok = newcomer.post(path, data={"username": "wuzq", "password": "zhiqiang-secret-2026",
                                   "confirm": "zhiqiang-secret-2026", "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"] == "/talents/web-004"
    assert newcomer.get("/talents/web-004/edit").status_code == 200
    assert site.app.test_client().get(path).status_code == 404  # used once


def test_invitation_for_a_talent_with_an_account_is_refused(site: Site) -> None:
    c = site.app.test_client()
    login(c, "admin")
    resp = post(c, "/admin/invite", {"email": "x@example.org", "talent": "web-001", "role": "talent"})
    assert resp.status_code == 409
    with site.kb.sessions() as s, s.begin():
        token = invite(s, Actor.system("t"), "y@example.org", get_talent(s, "web-005"))
    client: FlaskClient = site.app.test_client()
    assert client.get(f"/invite/{token}x").status_code == 404


def test_throttle_uses_the_forwarded_address_behind_a_proxy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flask import request

    from web.app import create_app

    # The proxy count is a setting (web.proxy_count), here from the variable operators know it by.
    kb = KnowledgeBase(load_settings(environ={"KB_DATA_DIR": str(tmp_path), "KB_SECRET_KEY": "k",
                                              "KB_PROXY_COUNT": "1"}))
    app = create_app(kb, TESTING=True)

    @app.get("/_ip")
    def ip() -> str:
        return request.remote_addr or ""

    resp = app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.get_data(as_text=True) == "203.0.113.9"
