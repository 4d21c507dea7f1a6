"""Credentials and sessions through the browser and the API.

- every login failure answers alike and costs one argon2 verification;
- a session cookie captured before logout, a password change or reset, or
  disabling the account is refused afterwards (server-side invalidation);
- API tokens: listed and revoked by their owner (page and API) and by admins,
  revoked by a password change or reset and by disabling the account, refused
  once expired;
- an attack on an account name slows it down but never locks its owner out;
- one invitation link raced by several browsers creates one account.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kb import accounts, api_tokens
from kb.actors import Actor
from kb.models import ApiToken, User, utcnow
from tests.web.conftest import Site, build_site, csrf_token, login, post
from tests.web.data import PASSWORD

SYSTEM = Actor.system("credential tests")
ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')
_serial = itertools.count()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from build_site(tmp_path_factory)


@pytest.fixture(scope="module")
def admin(site: Site) -> FlaskClient:
    client = site.app.test_client()
    login(client, "admin")
    return client


class Clock:
    """A monotonic clock the test moves by hand, so backoff waits take no real time."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(site: Site) -> Iterator[Clock]:
    throttle = site.app.extensions["login_throttle"]
    fake = Clock()
    saved = throttle.per_address.clock, throttle.per_account.clock
    throttle.per_address.clock = throttle.per_account.clock = fake
    throttle.reset()
    yield fake
    throttle.per_address.clock, throttle.per_account.clock = saved
    throttle.reset()


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts argon2 verifications (the cost of a login), instead of timing them."""
    made: list[int] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        made.append(1)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return made


def new_account(site: Site, role: str = "researcher", password: str | None = PASSWORD) -> tuple[str, int]:
    name = f"cred{next(_serial)}-{role}"
    with site.kb.sessions() as s, s.begin():
        user = accounts.create_user(s, SYSTEM, name, role, password, unit="罗湖区发展研究中心")
        s.flush()
        return name, user.id


def new_token(site: Site, username: str, lifetime_days: int | None = None) -> tuple[str, str]:
    """(secret, public id) of a fresh token of ``username``."""
    with site.kb.sessions() as s, s.begin():
        issued = api_tokens.issue(s, accounts.get_user(s, username), "tests", lifetime_days=lifetime_days)
        return issued.secret, issued.token.public_id


def attempt(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def api_works(site: Site, secret: str) -> bool:
    status = site.app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
    assert status in (200, 401)
    return status == 200


# --- login answers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def targets(site: Site, admin: FlaskClient) -> dict[str, str]:
    """One account for each way a login can fail."""
    wrong, _ = new_account(site)
    no_password, _ = new_account(site, password=None)
    disabled, uid = new_account(site)
    assert post(admin, f"/admin/users/{uid}/active", {"active": "0", "confirmed": "1"}).status_code == 200
    return {"wrong password": wrong, "no password": no_password, "disabled": disabled,
            "disabled, right password": disabled, "unknown": "no-such-account"}


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=st.sampled_from(["unknown", "wrong password", "no password", "disabled", "disabled, right password"]),
       guess=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30))
def test_every_login_failure_answers_alike_and_costs_one_verification(
    site: Site, targets: dict[str, str], verifications: list[int], case: str, guess: str,
) -> None:
    site.app.extensions["login_throttle"].reset()
    password = PASSWORD if case == "disabled, right password" else guess
    if not password.strip() or password == PASSWORD and case != "disabled, right password":
        return  # the form's own "required" check, or by chance the right password
    verifications.clear()
    resp = attempt(site.app.test_client(), targets[case], password)
    assert resp.status_code == 401
    assert len(verifications) == 1, case
    assert ERROR.findall(resp.get_data(as_text=True)) == ["用户名或密码错误。"]
    assert "kb_device" not in resp.headers.get("Set-Cookie", "")


def test_a_good_login_costs_one_verification_too(site: Site, verifications: list[int]) -> None:
    name, _ = new_account(site)
    verifications.clear()
    assert attempt(site.app.test_client(), name, PASSWORD).status_code == 302
    assert len(verifications) == 1


def test_a_throttled_name_answers_alike_whether_it_exists_or_not(
    site: Site, clock: Clock, verifications: list[int],
) -> None:
    """The per-account backoff keys on the name as typed, so a 429 does not reveal an account."""
    existing, _ = new_account(site)
    answers = {}
    for name in (existing, "ghost-account"):
        for i in range(site.app.config["LOGIN_ACCOUNT_ATTEMPTS"]):
            assert attempt(site.app.test_client(), name, "wrong-guess-1", f"192.0.2.{i}").status_code == 401
        verifications.clear()
        resp = attempt(site.app.test_client(), name, "wrong-guess-1", "192.0.2.200")
        answers[name] = (resp.status_code, resp.headers.get("Retry-After"), ERROR.findall(resp.get_data(as_text=True)))
        assert verifications == []  # refused without looking at the password
    assert answers[existing] == answers["ghost-account"]
    assert answers[existing][0] == 429


def test_an_attack_on_the_admin_name_does_not_lock_the_admin_out(site: Site, clock: Clock) -> None:
    """Hard locks let anyone lock out the administrators; backoff only makes them wait, at most the cap,
    and not at all in a browser that logged in as admin before (its device cookie)."""
    throttle = site.app.extensions["login_throttle"]
    own_browser = site.app.test_client()
    assert attempt(own_browser, "admin", PASSWORD, "10.0.0.1").status_code == 302
    own_browser.delete_cookie("kb_session")  # the browser was closed; its device cookie stays
    # a botnet: every failure from a different address, each waiting out the backoff so it counts
    for i in range(40):
        clock.now += throttle.wait(f"198.18.0.{i}", "admin")
        assert attempt(site.app.test_client(), "admin", f"guess-{i}-xyz", f"198.18.0.{i}").status_code == 401
    assert throttle.per_account.wait("admin") == site.app.config["LOGIN_ACCOUNT_BACKOFF_CAP"]
    # a browser that never logged in as admin waits, at most the cap, and then gets in
    fresh = site.app.test_client()
    waiting = attempt(fresh, "admin", PASSWORD, "10.8.8.8")
    assert waiting.status_code == 429
    wait = int(waiting.headers["Retry-After"])
    assert 0 < wait <= site.app.config["LOGIN_ACCOUNT_BACKOFF_CAP"]
    assert "秒后再试" in waiting.get_data(as_text=True)
    clock.now += wait
    assert attempt(fresh, "admin", PASSWORD, "10.8.8.8").status_code == 302
    # the attack goes on; the admin's own browser, from yet another address, gets in at once
    for i in range(40):
        clock.now += throttle.wait(f"198.18.1.{i}", "admin")
        assert attempt(site.app.test_client(), "admin", f"guess-{i}-abc", f"198.18.1.{i}").status_code == 401
    assert attempt(site.app.test_client(), "admin", PASSWORD, "10.7.7.7").status_code == 429
    assert attempt(own_browser, "admin", PASSWORD, "10.9.9.9").status_code == 302


@pytest.mark.parametrize("cookie", ["another account's", "tampered", "expired", "signed with another key"])
def test_only_a_genuine_device_cookie_of_that_account_skips_the_wait(
    site: Site, clock: Clock, monkeypatch: pytest.MonkeyPatch, cookie: str,
) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from web.auth import device

    victim, _ = new_account(site)
    browser = site.app.test_client()
    assert attempt(browser, "researcher", PASSWORD, "10.0.0.2").status_code == 302  # a device cookie of another account
    genuine = browser.get_cookie(device.COOKIE, path="/login")
    assert genuine is not None
    value = {
        "another account's": genuine.value,
        "tampered": genuine.value[:-2] + ("AA" if not genuine.value.endswith("AA") else "BB"),
        "expired": URLSafeTimedSerializer(site.app.config["SECRET_KEY"], salt="login-device").dumps(victim),
        "signed with another key": URLSafeTimedSerializer("not-the-key", salt="login-device").dumps(victim),
    }[cookie]
    for i in range(site.app.config["LOGIN_ACCOUNT_ATTEMPTS"]):
        assert attempt(site.app.test_client(), victim, "wrong-guess-1", f"192.0.2.{i}").status_code == 401
    holder = site.app.test_client()
    holder.set_cookie(device.COOKIE, value, path="/login")
    if cookie == "expired":  # read six months and a minute after it was signed
        import itsdangerous.timed

        now = itsdangerous.timed.time.time()
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + device.MAX_AGE + 60)
    assert attempt(holder, victim, PASSWORD, "10.0.0.3").status_code == 429


def test_one_address_trying_many_names_is_slowed_down(site: Site, clock: Clock) -> None:
    free = site.app.config["LOGIN_THROTTLE_ATTEMPTS"]
    for i in range(free):
        assert attempt(site.app.test_client(), f"name-{i}", "wrong-guess-1", "203.0.113.5").status_code == 401
    assert attempt(site.app.test_client(), "admin", PASSWORD, "203.0.113.5").status_code == 429
    assert attempt(site.app.test_client(), "admin", PASSWORD, "203.0.113.6").status_code == 302


# --- sessions ------------------------------------------------------------------------------


def _change_own_password(site: Site, browser: FlaskClient, admin: FlaskClient, uid: int) -> None:
    new = "changed-secret-" + str(uid) + "x"
    assert post(browser, "/account/password", {"current_password": PASSWORD, "new_password": new,
                                                "confirm": new}).status_code == 302


SESSION_ENDERS: dict[str, Callable[[Site, FlaskClient, FlaskClient, int], None]] = {
    "logout": lambda site, browser, admin, uid: post(browser, "/logout"),
    "password change": _change_own_password,
    "admin password reset": lambda site, browser, admin, uid: post(admin, f"/admin/users/{uid}/password"),
    "disable": lambda site, browser, admin, uid: post(admin, f"/admin/users/{uid}/active", {"active": "0", "confirmed": "1"}),
}


@pytest.mark.parametrize("event", SESSION_ENDERS)
def test_a_cookie_captured_before_the_event_is_refused_after_it(site: Site, admin: FlaskClient, event: str) -> None:
    name, uid = new_account(site)
    browser = site.app.test_client()
    login(browser, name)
    captured = browser.get_cookie("kb_session")
    assert captured is not None

    def replay() -> int:
        thief = site.app.test_client()
        thief.set_cookie("kb_session", captured.value)
        return thief.get("/account").status_code

    assert replay() == 200  # the copy works while the session lives
    SESSION_ENDERS[event](site, browser, admin, uid)
    assert replay() == 302  # sent to the login page
    assert site.app.test_client().get("/account").status_code == 302
    if event == "password change":
        assert browser.get("/account").status_code == 200  # the browser that changed it stays in


def test_logout_ends_the_accounts_other_sessions_too(site: Site) -> None:
    name, _ = new_account(site)
    first, second = site.app.test_client(), site.app.test_client()
    login(first, name)
    login(second, name)
    post(first, "/logout")
    assert second.get("/account").status_code == 302


# --- tokens --------------------------------------------------------------------------------


TOKEN_REVOKERS = {k: v for k, v in SESSION_ENDERS.items() if k != "logout"}


@pytest.mark.parametrize("event", TOKEN_REVOKERS)
def test_tokens_are_revoked_by(site: Site, admin: FlaskClient, event: str) -> None:
    name, uid = new_account(site)
    secrets = [new_token(site, name)[0] for _ in range(2)]
    browser = site.app.test_client()
    login(browser, name)
    assert all(api_works(site, s) for s in secrets)
    TOKEN_REVOKERS[event](site, browser, admin, uid)
    assert not any(api_works(site, s) for s in secrets)
    page = admin.get(f"/admin/users/{uid}/tokens").get_data(as_text=True)
    assert page.count("已撤销") >= 2 and "有效</span>" not in page


def test_logout_leaves_api_tokens_working(site: Site) -> None:
    name, _ = new_account(site)
    secret, _ = new_token(site, name)
    browser = site.app.test_client()
    login(browser, name)
    post(browser, "/logout")
    assert api_works(site, secret)


@pytest.mark.parametrize("offset", [timedelta(days=-1), timedelta(seconds=-1), timedelta(minutes=5), None])
def test_an_expired_token_is_refused(site: Site, offset: timedelta | None) -> None:
    name, _ = new_account(site)
    secret, public_id = new_token(site, name, lifetime_days=30)
    with site.kb.sessions() as s, s.begin():
        row = s.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
        row.expires_at = utcnow() + offset if offset is not None else None  # type: ignore[union-attr]
    expected_ok = offset is None or offset > timedelta(0)
    assert api_works(site, secret) == expected_ok
    listed = site.app.test_client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"})
    if expected_ok:
        assert [t["state"] for t in listed.get_json()["tokens"]] == ["active"]


def test_the_owner_creates_lists_and_revokes_tokens_on_the_page_and_in_the_api(site: Site) -> None:
    name, _ = new_account(site)
    browser = site.app.test_client()
    login(browser, name)
    page = post(browser, "/account/token", {"label": "nightly sync", "lifetime": "30"}).get_data(as_text=True)
    secret = re.search(r'<code class="token">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    assert "nightly sync" in page
    assert secret not in browser.get("/account/tokens").get_data(as_text=True)  # shown once
    other_secret, _ = new_token(site, name)
    h = {"Authorization": f"Bearer {other_secret}"}
    api = site.app.test_client()
    tokens = api.get("/api/v1/tokens", headers=h).get_json()["tokens"]
    mine = next(t for t in tokens if t["label"] == "nightly sync")
    assert mine["state"] == "active" and mine["expires_at"] and mine["last_used_at"] is None
    assert secret not in str(tokens) and "token_hash" not in str(tokens)
    assert api_works(site, secret)
    assert next(t for t in api.get("/api/v1/tokens", headers=h).get_json()["tokens"]
                if t["id"] == mine["id"])["last_used_at"]
    assert api.delete(f"/api/v1/tokens/{mine['id']}", headers=h).status_code == 204
    assert not api_works(site, secret)
    assert api.delete(f"/api/v1/tokens/{mine['id']}", headers=h).status_code == 204  # idempotent
    # and on the page
    assert post(browser, f"/account/tokens/{_id_of(site, other_secret)}/revoke", {"confirmed": "1"}).status_code == 302
    assert not api_works(site, other_secret)


def _id_of(site: Site, secret: str) -> str:
    with site.kb.sessions() as s:
        return s.scalar(select(ApiToken.public_id).where(ApiToken.token_hash == api_tokens.digest(secret)))  # type: ignore[return-value]


def _surfaces(site: Site, owner_id: int, public_id: str, caller: FlaskClient, caller_secret: str) -> dict[str, int]:
    """Try to see and revoke someone's token everywhere; the status of each attempt."""
    h = {"Authorization": f"Bearer {caller_secret}"}
    return {
        "admin list": caller.get(f"/admin/users/{owner_id}/tokens").status_code,
        "account page revoke": post(caller, f"/account/tokens/{public_id}/revoke", {"confirmed": "1"}).status_code,
        "admin page revoke": post(caller, f"/admin/users/{owner_id}/tokens/{public_id}/revoke", {"confirmed": "1"}).status_code,
        "api revoke": site.app.test_client().delete(f"/api/v1/tokens/{public_id}", headers=h).status_code,
    }


@pytest.mark.parametrize("role", ["researcher", "organizer", "commissioner", "talent"])
@pytest.mark.parametrize("surface", ["admin list", "account page revoke", "admin page revoke", "api revoke"])
def test_nobody_but_the_owner_and_admins_sees_or_revokes_a_token(site: Site, role: str, surface: str) -> None:
    owner, owner_id = new_account(site, "researcher")
    secret, public_id = new_token(site, owner)
    caller = site.app.test_client()
    login(caller, role)  # the web tests' account of that role
    caller_secret, _ = new_token(site, role)
    status = _surfaces(site, owner_id, public_id, caller, caller_secret)[surface]
    assert status in (403, 404), (role, surface, status)
    assert api_works(site, secret)
    if surface == "admin list":
        assert public_id not in caller.get(f"/admin/users/{owner_id}/tokens").get_data(as_text=True)


@pytest.mark.parametrize("surface", ["account page revoke", "admin page revoke", "api revoke"])
def test_an_admin_revokes_anyones_token(site: Site, admin: FlaskClient, surface: str) -> None:
    owner, owner_id = new_account(site, "organizer")
    secret, public_id = new_token(site, owner)
    page = admin.get(f"/admin/users/{owner_id}/tokens").get_data(as_text=True)
    assert public_id in page
    admin_secret, _ = new_token(site, "admin")
    status = _surfaces(site, owner_id, public_id, admin, admin_secret)[surface]
    assert status in (204, 302), (surface, status)
    assert not api_works(site, secret)


# --- invitations ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_site(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> Iterator[Site]:
    """The app over a throw-away PostgreSQL database (no talents: the race needs none)."""
    import uuid

    from sqlalchemy import create_engine, text

    from kb.context import KnowledgeBase
    from kb.settings import load_settings
    from web.app import create_app

    name = f"kb_{uuid.uuid4().hex[:12]}"
    server = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    data_dir = tmp_path_factory.mktemp("kb-pg")
    kb = KnowledgeBase(load_settings({
        "env": "development", "data_dir": data_dir, "security.secret_key": "test-secret-key",
        "database.url": server.url.set(database=name).render_as_string(hide_password=False),
    }))
    kb.init_db()
    try:
        yield Site(kb, create_app(kb, TESTING=True), data_dir)
    finally:
        kb.close()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_one_invitation_link_raced_by_several_browsers_creates_one_account(
    request: pytest.FixtureRequest, database: str,
) -> None:
    site: Site = request.getfixturevalue("site" if database == "sqlite" else "postgres_site")
    with site.kb.sessions() as s, s.begin():
        link = accounts.invite(s, SYSTEM, "racer@example.org", None, role="organizer")
    browsers = [site.app.test_client() for _ in range(4)]
    tokens = [csrf_token(b, f"/invite/{link}") for b in browsers]
    start = threading.Barrier(len(browsers))
    answers: list[tuple[int, str]] = [(0, "")] * len(browsers)

    def accept(i: int) -> None:
        start.wait()
        resp = browsers[i].post(f"/invite/{link}", data={
            "csrf_token": tokens[i], "username": f"racer{i}", "password": PASSWORD, "confirm": PASSWORD})
        answers[i] = (resp.status_code, resp.get_data(as_text=True))

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(302) == 1, statuses
    for status, body in answers:
        if status == 409:
            assert "该邀请链接刚刚已被使用" in body
        else:
            assert status in (302, 404), status  # 404: arrived after the winner had committed
    with site.kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(User).where(User.username.like("racer%"))) == 1
