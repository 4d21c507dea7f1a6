"""No ``next`` parameter can send a browser off the site, on any page that honours one.

The targets include the forms browsers read differently from ``urlsplit``
(a backslash is a slash, tabs and newlines are dropped), which is how
"paths" such as ``/\\evil.example`` escape naive checks.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from tests.web.conftest import Site, csrf_token
from tests.web.data import PASSWORD
from web.redirects import referrer_path, safe_next

HOST = "kb.example"
ESCAPES = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    " //evil.example",
    "evil.example",
]
LOCAL = ["/", "/search?q=cloud&category=A", "/events/3#replies", "/talents/t-01/similar"]


def _browser_host(target: str) -> str:
    """Where a browser on https://kb.example/page goes for ``target`` (WHATWG-style leniency)."""
    lenient = target.replace("\\", "/").replace("\t", "").replace("\n", "").replace("\r", "").strip()
    return urlsplit(urljoin(f"https://{HOST}/page", lenient)).netloc


@given(st.text(alphabet=st.sampled_from(list("/\\:.@?#%\t\n abcevilx")), max_size=24))
def test_whatever_is_kept_stays_on_the_site(target: str) -> None:
    kept = safe_next(target, "/home")
    assert kept in (target, "/home")
    assert _browser_host(kept) == HOST


@pytest.mark.parametrize("target", ESCAPES)
def test_escapes_fall_back_to_the_default(target: str) -> None:
    assert _browser_host(target) != HOST or not target.startswith("/")  # each one is a real escape attempt
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ESCAPES + LOCAL)
def test_the_language_switch_never_leaves_the_site(site: Site, target: str) -> None:
    resp = site.app.test_client().get("/lang/en", query_string={"next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] == (target if target in LOCAL else "/")


def _referrer(target: str) -> str:
    """``target`` as the Referer a page of this site would send (full URLs as they are)."""
    return target if "://" in target else "http://localhost" + target


@pytest.mark.parametrize("target", [t for t in ESCAPES + LOCAL if "\n" not in t])  # no header carries one
def test_only_a_page_of_this_site_counts_as_where_one_came_from(site: Site, target: str) -> None:
    """The referrer is the way back of the language switch, the confirmation page and the error
    page: a same-host URL whose path leaves the site (``http://localhost//evil.example/x``) is none."""
    with site.app.test_request_context("/x", headers={"Referer": _referrer(target)}):
        came_from = referrer_path()
    assert came_from == (target.split("#")[0] if target in LOCAL else None)
    resp = site.app.test_client().get("/lang/en", headers={"Referer": _referrer(target)})
    assert resp.headers["Location"] == (target.split("#")[0] if target in LOCAL else "/")


@pytest.mark.parametrize("target", ESCAPES + LOCAL)
def test_login_never_leaves_the_site(site: Site, target: str) -> None:
    client: FlaskClient = site.app.test_client()
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"username": "researcher", "password": PASSWORD,
                                       "csrf_token": token, "next": target})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert _browser_host(location) == HOST
    if target in LOCAL:
        assert location == target


@pytest.fixture(scope="module")
def event_site(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An event and one talent account per target (each registers and cancels once)."""
    from kb.accounts import get_user, set_password
    from kb.context import KnowledgeBase
    from kb.settings import load_settings
    from tests.events.conftest import make_people, new_event
    from web.app import create_app

    kb = KnowledgeBase(load_settings({"data_dir": tmp_path_factory.mktemp("redirect-events"),
                                      "security.secret_key": "redirect-test-key", "search.embedder": "hashing"}))
    kb.init_db()
    people = make_people(kb, n_talents=len(ESCAPES + LOCAL))
    with kb.sessions() as session, session.begin():
        for rid in people.talents:
            set_password(session, get_user(session, f"u-{rid}"), PASSWORD)
    event_id = new_event(kb, people.organizer, capacity=100)
    yield create_app(kb, TESTING=True), event_id, sorted(people.talents)
    kb.close()


@pytest.mark.parametrize("target", ESCAPES + LOCAL)
def test_event_forms_never_leave_the_site(event_site, target: str) -> None:  # type: ignore[no-untyped-def]
    app, event_id, talents = event_site
    client: FlaskClient = app.test_client()
    token = csrf_token(client, "/login")
    username = f"u-{talents[(ESCAPES + LOCAL).index(target)]}"
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    token = csrf_token(client, "/account")
    for action in ("register", "unregister"):
        data = {"csrf_token": token, "next": target}
        if action == "unregister":  # asks first (web/confirm.py): that page's way back stays on the site too
            page = client.post(f"/events/{event_id}/{action}", data=data)
            assert page.status_code == 200
            back = re.search(r'<a href="([^"]*)">返回，不执行</a>', page.get_data(as_text=True))
            assert back and html.unescape(back.group(1)) == (target if target in LOCAL else "/"), target
            data["confirmed"] = "1"
        resp = client.post(f"/events/{event_id}/{action}", data=data)
        assert resp.status_code == 302, (action, resp.get_data(as_text=True)[:300])
        expected = target if target in LOCAL else f"/events/{event_id}"
        assert resp.headers["Location"] == expected, action
