"""The access matrix: every page of the web blueprints × every role × own/other talent.

Expectations are written out here (not derived from kb.permissions) so this
test checks the documented matrix in docs/permissions.md. A route missing
from the table fails the test, so new pages cannot skip the check. No cell
may be a 500: a logged-in user meets a 403 page, an anonymous one the login.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.models import Output, Talent, User
from tests.web.conftest import Site, csrf_token
from tests.web.data import OTHER, OWN

ALL = {"talent", "researcher", "organizer", "commissioner", "admin"}
STAFF = {"commissioner", "admin"}
SELF_OR_STAFF = "self-or-staff"  # a talent on its own profile, or staff

# endpoint → who gets 200 (a set of roles, or SELF_OR_STAFF)
PAGES: dict[str, set[str] | str] = {
    "search.home": ALL,
    "search.search": ALL,
    "search.similar": ALL,
    "search.knowledge": ALL,
    "talents.profile": ALL,
    "talents.history": SELF_OR_STAFF,
    "talents.edit": SELF_OR_STAFF,
    "talents.new_output": SELF_OR_STAFF,
    "talents.edit_output": SELF_OR_STAFF,
    "talents.import_outputs": SELF_OR_STAFF,
    "dashboard.index": {"researcher", "organizer", "commissioner", "admin"},
    "dashboard.data": {"researcher", "organizer", "commissioner", "admin"},
    "dashboard.capability_export": {"researcher", "organizer", "commissioner", "admin"},  # the topics table
    "admin.index": STAFF,
    "admin.users": {"admin"},
    "admin.invite": STAFF,
    "admin.talents": STAFF,
    "admin.new_talent": STAFF,
    "admin.delete_talent": STAFF,
    "admin.reviews": STAFF,
    "admin.import_page": STAFF,
    "admin.export": STAFF,
    "admin.audit_log": STAFF,
    "admin.system_status": {"admin"},
    "auth.account": ALL,
    "auth.password": ALL,
    "auth.tokens": ALL,
    "admin.user_tokens": {"admin"},
}
# Pages anyone may open, or that need a secret token: checked in their own tests.
OPEN = {"auth.login", "auth.invitation", "i18n.switch", "static"}
MINE = ("search.", "talents.", "dashboard.", "admin.", "auth.", "i18n.")

SUBJECTS = [
    ("anon", OWN), ("anon", OTHER),
    ("talent", OWN), ("talent", OTHER),
    ("researcher", OWN), ("organizer", OWN), ("commissioner", OTHER), ("admin", OWN),
]


def _get_routes(app: Flask) -> dict[str, str]:
    return {r.endpoint: r.rule for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.endpoint.startswith(MINE)}


def test_every_page_is_in_the_matrix(app: Flask) -> None:
    missing = set(_get_routes(app)) - set(PAGES) - OPEN
    assert not missing, f"add these pages to PAGES with their expected roles: {sorted(missing)}"


def _url(site: Site, rule: str, talent_id: str) -> str:
    with site.kb.sessions() as s:
        talent = s.query(Talent).filter_by(external_id=talent_id).one()
        output = s.query(Output).filter_by(talent_id=talent.id).order_by(Output.id).first()
        account_id = s.query(User.id).filter_by(username="talent").scalar()
    url = rule.replace("<external_id>", talent_id)
    url = url.replace("<int:output_id>", str(output.id if output else 1))
    url = url.replace("<int:user_id>", str(account_id))
    return url.replace("/search", "/search?q=跨境") if rule == "/search" else url


def _expected(who: set[str] | str, role: str, talent_id: str) -> int:
    if role == "anon":
        return 302
    if who == SELF_OR_STAFF:
        return 200 if role in STAFF or (role == "talent" and talent_id == OWN) else 403
    return 200 if role in who else 403


@pytest.mark.parametrize(("role", "talent_id"), SUBJECTS, ids=[f"{r}-{t}" for r, t in SUBJECTS])
def test_access_matrix(site: Site, clients: dict[str, FlaskClient], role: str, talent_id: str) -> None:
    client = clients[role]
    failures = []
    for endpoint, rule in sorted(_get_routes(site.app).items()):
        if endpoint in OPEN:
            continue
        url = _url(site, rule, talent_id)
        resp = client.get(url)
        want = _expected(PAGES[endpoint], role, talent_id)
        if resp.status_code != want:
            failures.append(f"{url}: got {resp.status_code}, expected {want}")
        elif want == 302:
            assert "/login" in resp.headers["Location"]
        elif want == 403:
            assert "无权访问" in resp.get_data(as_text=True)
    assert not failures, "\n".join(failures)


# Write endpoints: a denied role must get 403 (with a valid CSRF token), never a 500 or a change.
WRITES = [
    ("/talents/{t}/edit", {"name": "x", "research_directions": "x", "fields": "banking"}),
    ("/talents/{t}/outputs/new", {"type": "paper", "title": "x"}),
    ("/talents/{t}/affiliations", {"affiliation-organization": "x", "affiliation-from_year": "2010"}),
    ("/talents/{t}/affiliations/1/delete", {}),
    ("/admin/users", {"username": "mallory", "role": "admin", "password": "long-enough-pw-1"}),
    ("/admin/invite", {"email": "a@example.org", "talent": "web-004", "role": "talent"}),
    ("/admin/talents/new", {"external_id": "x-1", "name": "x", "category": "A", "research_directions": "x"}),
    ("/admin/talents/{t}/delete", {}),
    ("/admin/import", {}),
    ("/admin/export", {}),
    ("/admin/reviews/1", {"decision": "approve"}),
    ("/admin/users/1/active", {"active": "0"}),
    ("/admin/users/1/password", {}),
]


@pytest.mark.parametrize("role", ["talent", "researcher", "organizer"])
def test_denied_writes_are_403(site: Site, clients: dict[str, FlaskClient], role: str) -> None:
    client = clients[role]
    token = csrf_token(client, "/account")
    failures = []
    for path, data in WRITES:
        url = path.replace("{t}", OTHER)
        resp = client.post(url, data={**data, "csrf_token": token})
        if resp.status_code != 403:
            failures.append(f"{url}: {resp.status_code}")
    assert not failures, failures
    with site.kb.sessions() as s:
        assert s.query(Talent).filter_by(external_id=OTHER).one().name == "陈雅琳"


def test_commissioner_cannot_manage_accounts(clients: dict[str, FlaskClient]) -> None:
    c = clients["commissioner"]
    token = csrf_token(c, "/account")
    resp = c.post("/admin/users", data={"username": "x2", "role": "admin", "password": "long-enough-pw-1",
                                        "csrf_token": token})
    assert resp.status_code == 403
