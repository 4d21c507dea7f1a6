"""Every route of the app × every role × own/other object: no way in without the right role.

tests/web/test_access.py walks the core pages' GETs against a hand-written
table; this walks *all* of ``app.url_map`` — the JSON API, consultations,
events, and every write method — with expectations derived from
kb.permissions (tests/security/routes.py). Each URL with an id is tried with
the role's own object and someone else's (another talent's outputs, another
unit's consultation, a draft event, an invitation to someone else ...), so
guessing ids gets nothing. No cell may answer 500, and refused writes leave
the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import MetaData, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from kb.actors import Actor
from kb.models import User
from kb.permissions import allowed
from tests.security.conftest import PDF, ROLES, World
from tests.security.routes import BODIES, FILE, FIXED, PARAMS, PUBLIC, QUERY, RULES, Objects, load
from tests.web.conftest import csrf_token
from tests.web.test_access import PAGES as CORE_PAGES

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Tables a refused request may touch: audit entries, login bookkeeping, token last-use.
BOOKKEEPING = {"audit_events", "users", "api_tokens", "notifications"}


def _rules(world: World) -> list[Rule]:
    return sorted(world.site.app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def test_every_route_has_a_rule(world: World) -> None:
    missing = sorted({r.endpoint for r in _rules(world)} - set(RULES))
    assert not missing, f"add these endpoints to tests/security/routes.py RULES: {missing}"


def test_core_page_table_agrees_with_the_permission_model(world: World) -> None:
    """tests/web/test_access.py writes its expectations by hand; they must say what kb.permissions says."""
    ids = world.ids["own"]
    with world.site.kb.sessions() as s:
        objs = load(s, ids)
        for role in ROLES[1:]:
            actor = _actor(s, role)
            for endpoint, who in CORE_PAGES.items():
                rule = RULES[endpoint]
                assert rule != PUBLIC
                hand = role in who if isinstance(who, set) else (role in {"commissioner", "admin"} or role == "talent")
                assert rule(actor, objs) == hand, f"{endpoint} for {role}"  # type: ignore[operator]


def _actor(session, role: str) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.of(session.scalar(select(User).where(User.username == role)))


def _variants(rule: Rule) -> list[str]:
    return ["own", "other"] if set(rule.arguments) & set(PARAMS) else ["own"]


def _url(world: World, rule: Rule, variant: str) -> str:
    ids = world.ids[variant]
    url = rule.rule
    for arg in rule.arguments:
        value = FIXED[arg] if arg in FIXED else ids[PARAMS[arg]]
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(value), url)
    return url + QUERY.get(rule.endpoint, "")


def _fingerprint(world: World) -> str:
    """A hash of every domain table's rows: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    meta = MetaData()
    meta.reflect(world.site.kb.engine)
    with world.site.kb.engine.connect() as conn:
        for name in sorted(set(meta.tables) - BOOKKEEPING - {"alembic_version"}):
            table = meta.tables[name]
            for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


class Caller:
    """Sends a request as a role: the browser session (+ CSRF token) for pages, a bearer token for /api."""

    def __init__(self, world: World, clients: dict[str, FlaskClient]) -> None:
        self.world, self.clients = world, clients
        self.api = world.site.app.test_client()
        self.tokens = {role: csrf_token(c, "/login" if role == "anon" else "/account") for role, c in clients.items()}

    def __call__(self, role: str, method: str, url: str, endpoint: str = ""):  # type: ignore[no-untyped-def]
        endpoint = endpoint or self._endpoint(method, url)
        body = dict(BODIES.get(endpoint, {})) if method in WRITES else {}
        upload = body.pop(FILE, None)
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.world.tokens[role]}"} if role != "anon" else {}
            if upload:
                return self.api.open(url, method=method, headers=headers, data={"file": (io.BytesIO(PDF), "a.pdf")})
            kwargs = {"json": body} if method in WRITES else {}
            return self.api.open(url, method=method, headers=headers, **kwargs)
        # a valid CSRF token, so what refuses the request is the permission check, not CSRF
        data = {**body, "csrf_token": self.tokens[role]} if method in WRITES else {}
        if upload:
            data["file"] = (io.BytesIO(PDF), "a.pdf")
        return self.clients[role].open(url, method=method, data=data)


    def _endpoint(self, method: str, url: str) -> str:
        """The endpoint a URL reaches, so a call made by URL alone still sends that endpoint's body;
        none for a URL no route answers (the 404/405 pages are requests too)."""
        try:
            endpoint, _args = self.world.site.app.url_map.bind("localhost").match(url.split("?")[0], method)
        except HTTPException:
            return ""
        return str(endpoint)


@pytest.fixture(scope="module")
def caller(world: World, web_clients: dict[str, FlaskClient]) -> Iterator[Caller]:
    yield Caller(world, web_clients)


def _cells(world: World, writes: bool) -> Iterator[tuple[Rule, str, str, str]]:
    for rule in _rules(world):
        if RULES.get(rule.endpoint) == PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method in WRITES) != writes:
                continue
            if rule.endpoint == "auth.logout":
                continue  # would end the shared session; tests/web/test_auth covers it
            for variant in _variants(rule):
                yield rule, method, variant, _url(world, rule, variant)


def _expect_allowed(world: World, role: str, endpoint: str, variant: str) -> bool:
    with world.site.kb.sessions() as s:
        return RULES[endpoint](_actor(s, role), load(s, world.ids[variant]))  # type: ignore[operator]


@pytest.mark.parametrize("role", ROLES)
def test_reads(world: World, caller: Caller, role: str) -> None:
    """GET every route: anonymous → login (pages) or 401 (API); allowed → 200; denied → 403/404."""
    failures = []
    for rule, method, variant, url in _cells(world, writes=False):
        resp = caller(role, method, url)
        got = resp.status_code
        if role == "anon":
            want = {401} if url.startswith("/api/") else {302}
            if got == 302 and "/login" not in resp.headers.get("Location", ""):
                failures.append(f"{role} {method} {url}: redirected to {resp.headers['Location']}")
        elif _expect_allowed(world, role, rule.endpoint, variant):
            want = {200}
        else:
            want = {403, 404}
        if got not in want:
            failures.append(f"{role} {method} {url} ({variant}): got {got}, expected {sorted(want)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_refused_writes_change_nothing(world: World, caller: Caller, role: str) -> None:
    """Every write a role may not make is refused (403/404, 401/login for anonymous) and leaves no trace."""
    before = _fingerprint(world)
    failures, tried = [], 0
    for rule, method, variant, url in _cells(world, writes=True):
        if role != "anon" and _expect_allowed(world, role, rule.endpoint, variant):
            continue
        tried += 1
        resp = caller(role, method, url, rule.endpoint)
        want = ({401} if url.startswith("/api/") else {302}) if role == "anon" else {403, 404}
        if resp.status_code not in want:
            failures.append(f"{role} {method} {url} ({variant}): got {resp.status_code}, expected {sorted(want)}")
    assert tried > 0
    assert not failures, "\n".join(failures)
    assert _fingerprint(world) == before, "a refused write changed the database"


def test_output_and_affiliation_ids_of_another_talent_are_not_reachable_through_ones_own_url(world: World, caller: Caller) -> None:
    """IDOR: talent A names its own profile in the URL but B's output id."""
    own, other_output = world.ids["own"]["talent"], world.ids["other"]["output"]
    before = _fingerprint(world)
    for method, url in [
        ("GET", f"/talents/{own}/outputs/{other_output}/edit"),
        ("POST", f"/talents/{own}/outputs/{other_output}/edit"),
        ("POST", f"/talents/{own}/outputs/{other_output}/delete"),
        ("PUT", f"/api/v1/talents/{own}/outputs/{other_output}"),
        ("DELETE", f"/api/v1/talents/{own}/outputs/{other_output}"),
        ("POST", f"/talents/{own}/affiliations/{world.ids['other']['affiliation']}/delete"),
    ]:
        resp = caller("talent", method, url)
        assert resp.status_code in (403, 404), f"{method} {url}: {resp.status_code}"
    assert _fingerprint(world) == before


def test_material_of_a_draft_event_is_not_reachable_through_a_published_event(world: World, caller: Caller) -> None:
    """IDOR: a published event's URL with a draft event's material id."""
    published, draft_material = world.ids["own"]["event"], world.ids["other"]["material"]
    for url in (f"/events/{published}/materials/{draft_material}",
                f"/api/v1/events/{published}/materials/{draft_material}"):
        assert caller("talent", "GET", url).status_code == 404, url


def test_no_role_is_denied_everything_it_may_do(world: World) -> None:
    """Guards the table itself: each role is allowed at least one read, so a broken predicate shows."""
    with world.site.kb.sessions() as s:
        objs: Objects = load(s, world.ids["own"])
        for role in ROLES[1:]:
            actor = _actor(s, role)
            assert allowed(actor, "search")
            assert sum(1 for r in RULES.values() if r != PUBLIC and r(actor, objs)) > 5  # type: ignore[operator]


LAST = ("delete", "unregister", "set_active", "reset_password", "transition", "change_state")


def test_allowed_writes_are_not_refused_and_never_500(world: World, caller: Caller) -> None:
    """The other half of the matrix: a role the model allows is not turned away, and no body makes a 500.

    Runs last in this module because it changes the shared site (it posts the
    minimal bodies of routes.BODIES, or none, so most end in a 400 validation
    answer; destructive calls go at the end of each role's turn).
    """
    failures, tried = [], 0
    plan = {role: [c for c in _cells(world, writes=True) if _expect_allowed(world, role, c[0].endpoint, c[2])]
            for role in ROLES[1:]}  # decided before anything changes
    for role, cells in plan.items():
        cells.sort(key=lambda c: any(word in c[0].endpoint for word in LAST))
        for rule, method, variant, url in cells:
            tried += 1
            resp = caller(role, method, url, rule.endpoint)
            if resp.status_code >= 500 or resp.status_code in (401, 403):
                failures.append(f"{role} {method} {url} ({variant}): {resp.status_code} "
                                f"{resp.get_data(as_text=True)[:200]!r}")
    assert tried > 50
    assert not failures, "\n".join(failures)


def test_ids_beyond_the_id_column_are_404_not_500(world: World, caller: Caller) -> None:
    """Found by the schema fuzz: an id past 2**63 reached SQLite (OverflowError) and answered 500."""
    failures = []
    for rule in _rules(world):
        ints = [a for a in rule.arguments if f"<int:{a}>" in rule.rule]
        if not ints:
            continue
        url = rule.rule
        for arg in rule.arguments:
            value = "99999999999999999999" if arg in ints else FIXED.get(arg, world.ids["own"].get(PARAMS.get(arg, ""), ""))
            url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = caller("admin", method, url, rule.endpoint)
            if resp.status_code != 404:
                failures.append(f"{method} {url}: {resp.status_code}")
    assert not failures, "\n".join(failures)
