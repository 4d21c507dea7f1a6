"""Exports, trails, the API and the audit log show no field the page would hide.

The review downloaded the invitation list of a public request as an uninvited
talent, and read the titles, invitees, decline reasons, attachment names,
rating comments and adoption text of confidential consultations in the audit
log as a commissioner. This module builds one request for every
confidentiality × owning unit, each with a unique marker string planted in
every field (title, background, parties, selection reason, decline reason,
advice, attachment name, rating comment, adoption text), plus a draft event and
a talent's event proposal with markers in their titles. Then, for every
account (each role; talents invited as adviser, as decliner, or not at all;
researchers of the owning unit and of another):

- what the rule (``kb.visibility``) grants is computed per marker;
- the pages (request page, one's own invitation page) must show no marker
  beyond it;
- every export and reading of the trail (CSV exports in every scope, each
  request's CSV, trail page and API, the JSON API, the audit log) must show no
  marker beyond it either;
- and, as the control that makes the test able to fail, an administrator's
  exports and audit log do show every marker.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.consultations import invitations as cinv
from kb.consultations import outcome, selection
from kb.consultations.attachments import Upload
from kb.consultations.requests import create_request, open_request
from kb.context import KnowledgeBase
from kb.events.manage import create_event
from kb.events.proposals import propose
from kb.models import Event, Talent, User, utcnow
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.models.event_extras import EventProposal
from kb.settings import load_settings
from kb.talents import changes as kt
from kb.visibility import (
    event_visible,
    invitation_visible,
    proposal_visible,
    request_managed,
    request_visible,
)
from tests.web.conftest import Site, build_site, login, populate
from tests.web.data import PASSWORD

SYSTEM = Actor.system("export visibility tests")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEVELS = ("public", "unit", "confidential")
UNITS = {"u1": ("researcher", "罗湖区发展研究中心"), "u2": ("researcher2", "福田区科技创新局")}
# Per unit: (adviser, decliner) as (account, talent id); "talent2" is invited nowhere.
EXPERTS = {"u1": (("talent", "web-001"), ("talent3", "web-003")),
           "u2": (("talent3", "web-003"), ("talent4", "web-004"))}
ACCOUNTS = ("talent", "talent2", "talent3", "talent4", "researcher", "researcher2", "organizer", "commissioner",
            "admin")
MARK = re.compile(r"MK[0-9a-z]+Q")


def _mark(*parts: str) -> str:
    return "MK" + "".join(parts).replace("-", "") + "Q"


@dataclass
class Planted:
    """Each marker and the rule that says who may read it."""

    site: Site
    markers: dict[str, Callable[[Actor, Any], bool]] = field(default_factory=dict)
    objects: dict[str, tuple[type, int]] = field(default_factory=dict)  # marker -> object it belongs to
    requests: list[int] = field(default_factory=list)
    invitations: list[int] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    def plant(self, marker: str, rule: Callable[[Actor, Any], bool], model: type, object_id: int) -> str:
        self.markers[marker] = rule
        self.objects[marker] = (model, object_id)
        return marker

    def allowed_markers(self, username: str) -> set[str]:
        with self.site.kb.sessions() as s:
            actor = Actor.of(s.scalar(select(User).where(User.username == username)))
            return {m for m, rule in self.markers.items() if rule(actor, s.get(*self.objects[m]))}


def _facts(actor: Actor, request: Any) -> bool:
    return request_visible(actor, request)


def _managed(actor: Actor, request: Any) -> bool:
    return request_managed(actor, request)


def _invitation(actor: Actor, invitation: Any) -> bool:
    return invitation_visible(actor, invitation)


def _need(title: str, background: str, level: str, parties: str) -> dict[str, Any]:
    return {"title": title, "background": background, "questions": "问题？", "fields": ["banking"],
            "deadline": date.today() + timedelta(days=20), "experts_wanted": 2, "form": "written",
            "confidentiality": level, "parties": [parties]}


def _actor(s: Any, username: str) -> Actor:
    return Actor.of(s.scalar(select(User).where(User.username == username)))


def _plant(site: Site) -> Planted:
    planted = Planted(site)
    kb = site.kb
    with kb.sessions() as s, s.begin():
        create_user(s, SYSTEM, "researcher2", "researcher", PASSWORD, unit=UNITS["u2"][1])
        create_user(s, SYSTEM, "talent3", "talent", PASSWORD, talent=kt.get_talent(s, "web-003"))
        create_user(s, SYSTEM, "talent4", "talent", PASSWORD, talent=kt.get_talent(s, "web-004"))
    for level, unit in itertools.product(LEVELS, UNITS):
        key = f"{level[:3]}{unit}"
        with kb.sessions() as s, s.begin():
            owner = _actor(s, UNITS[unit][0])
            (adviser_user, adviser_id), (decliner_user, decliner_id) = EXPERTS[unit]
            adviser, decliner = kt.get_talent(s, adviser_id), kt.get_talent(s, decliner_id)
            req = create_request(s, owner, _need(_mark(key, "title"), _mark(key, "background"), level,
                                                 _mark(key, "parties")))
            open_request(s, owner, req)
            s.flush()
            selection.add_expert(s, owner, req, adviser, _mark(key, "select"))
            inv_a, inv_d = cinv.invite(s, owner, req, [adviser, decliner])
            s.flush()
            cinv.decline(s, _actor(s, decliner_user), inv_d, _mark(key, "reason"))
            advice = cinv.submit_advice(s, _actor(s, adviser_user), inv_a, _mark(key, "advice"),
                                        [Upload(_mark(key, "attachment") + ".pdf", PDF)],
                                        data_dir=kb.settings.data_dir)
            s.flush()
            outcome.rate_advice(s, owner, advice, 4, _mark(key, "rating"))
            outcome.record_adoption(s, owner, advice, "partial", _mark(key, "adoption"))
            s.flush()
            planted.requests.append(req.id)
            planted.invitations += [inv_a.id, inv_d.id]
            for name in ("title", "background"):
                planted.plant(_mark(key, name), _facts, ConsultationRequest, req.id)
            for name in ("parties", "select"):
                planted.plant(_mark(key, name), _managed, ConsultationRequest, req.id)
            planted.plant(_mark(key, "reason"), _invitation, ConsultationInvitation, inv_d.id)
            for name in ("advice", "attachment", "rating", "adoption"):
                planted.plant(_mark(key, name), _invitation, ConsultationInvitation, inv_a.id)
    with kb.sessions() as s, s.begin():
        organizer = _actor(s, "organizer")
        start = datetime.combine(utcnow().date() + timedelta(days=9), datetime.min.time()) + timedelta(hours=6)
        draft = create_event(s, organizer, {"kind": "salon", "title": _mark("draft", "event"), "start_at": start,
                                            "end_at": start + timedelta(hours=2), "timezone": "Asia/Shanghai",
                                            "place": "罗湖", "capacity": 10})
        talent = s.get(Talent, _actor(s, "talent2").talent_id)
        proposal = propose(s, _actor(s, "talent2"), talent, "topic", _mark("proposal", "title"), "说明")
        s.flush()
        planted.plant(_mark("draft", "event"), event_visible, Event, draft.id)
        planted.plant(_mark("proposal", "title"), proposal_visible, EventProposal, proposal.id)
        for username in ACCOUNTS:
            planted.tokens[username] = issue_token(s, s.scalar(select(User).where(User.username == username)),
                                                   "export visibility")
    return planted


def _postgres_site(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> Iterator[Site]:
    """The web tests' site over a throw-away PostgreSQL database: the ``visible`` scope of the lists
    (and so of the exports) is an SQL filter, whose answer may differ between databases."""
    from web.app import create_app

    name = f"kb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    data_dir = tmp_path_factory.mktemp("kb-pg")
    kb = KnowledgeBase(load_settings({
        "env": "development", "data_dir": data_dir, "security.secret_key": "test-secret-key",
        "search.embedder": "hashing", "database.url": admin.url.set(database=name).render_as_string(hide_password=False),
    }))
    try:
        populate(kb)
        yield Site(kb, create_app(kb, TESTING=True), data_dir)
    finally:
        kb.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def planted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    if request.param == "sqlite":
        sites = build_site(tmp_path_factory)
    else:
        sites = _postgres_site(tmp_path_factory, request.getfixturevalue("pg_url"))
    for site in sites:
        yield _plant(site)


@pytest.fixture(scope="module")
def browsers(planted: Planted) -> dict[str, FlaskClient]:
    out = {}
    for username in ACCOUNTS:
        client = planted.site.app.test_client()
        login(client, username)
        out[username] = client
    return out


def _found(text: str) -> set[str]:
    return set(MARK.findall(text))


def _get(client: FlaskClient, url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = client.get(url, headers=headers)
    return resp.status_code, resp.get_data(as_text=True) if resp.status_code == 200 else ""


def _page_markers(planted: Planted, client: FlaskClient) -> set[str]:
    seen: set[str] = set()
    for rid in planted.requests:
        seen |= _found(_get(client, f"/consultations/{rid}")[1])
    for iid in planted.invitations:
        seen |= _found(_get(client, f"/consultations/invitations/{iid}")[1])
    return seen


def _export_urls(planted: Planted) -> list[str]:
    """Every export and every reading of the trail, page and API, for every scope and request."""
    urls = [f"/consultations/export/{kind}.csv?scope={scope}" for kind in ("requests", "invitations")
            for scope in ("visible", "mine", "unit", "invited")]
    urls += ["/admin/audit", "/api/v1/consultations"]
    # the capability map's tables, read as every account; the planted requests are not gaps (they match),
    # so the gap titles' own rule per role is tested in tests/capability/test_gaps_workload.py
    urls += [f"/dashboard/capability/export?table={table}&format=csv"
             for table in ("gaps", "workload", "never_asked", "topics")]
    for rid in planted.requests:
        urls += [f"/consultations/{rid}/invitations.csv", f"/consultations/{rid}/trail",
                 f"/api/v1/consultations/{rid}/trail", f"/api/v1/consultations/{rid}"]
    urls += [f"/api/v1/consultations/invitations/{iid}" for iid in planted.invitations]
    return urls


@pytest.mark.parametrize("username", ACCOUNTS)
def test_pages_show_no_more_than_the_rule(planted: Planted, browsers: dict[str, FlaskClient], username: str) -> None:
    leaked = _page_markers(planted, browsers[username]) - planted.allowed_markers(username)
    assert not leaked, f"{username}'s pages show {sorted(leaked)}"


@pytest.mark.parametrize("username", ACCOUNTS)
def test_exports_trails_api_and_audit_log_show_no_more_than_the_rule(
    planted: Planted, browsers: dict[str, FlaskClient], username: str,
) -> None:
    allowed = planted.allowed_markers(username)
    failures = []
    for url in _export_urls(planted):
        client = planted.site.app.test_client() if url.startswith("/api/") else browsers[username]
        status, body = _get(client, url, planted.tokens[username] if url.startswith("/api/") else None)
        assert status < 500, f"{username} {url}: {status}"
        leaked = _found(body) - allowed
        if leaked:
            failures.append(f"{url}: {sorted(leaked)}")
    assert not failures, f"{username} reads hidden fields:\n" + "\n".join(failures)


def test_the_rule_separates_the_cases_it_should(planted: Planted) -> None:
    """Guards the generated cases: each kind of reader gets a different, non-trivial share."""
    every = set(planted.markers)
    assert planted.allowed_markers("admin") == every
    uninvited = planted.allowed_markers("talent2")
    assert uninvited and all("pub" in m or "proposal" in m for m in uninvited)
    assert not any(word in m for m in uninvited for word in ("reason", "advice", "attachment", "parties"))
    own_unit, other_unit = planted.allowed_markers("researcher"), planted.allowed_markers("researcher2")
    assert _mark("conu1", "parties") in own_unit and _mark("conu1", "title") not in other_unit
    commissioner = planted.allowed_markers("commissioner")
    assert _mark("pubu2", "title") in commissioner and _mark("uniu2", "title") not in commissioner
    assert _mark("draft", "event") not in commissioner and _mark("proposal", "title") not in commissioner
    adviser = planted.allowed_markers("talent")
    assert _mark("conu1", "rating") in adviser and _mark("conu1", "reason") not in adviser


def test_an_administrator_reads_every_marker_in_the_exports_and_the_audit_log(
    planted: Planted, browsers: dict[str, FlaskClient],
) -> None:
    """The control: the markers are really in the exported data, so their absence above means something."""
    admin = browsers["admin"]

    def planted_as(*fields: str) -> set[str]:
        return {m for m in planted.markers if any(m.endswith(f + "Q") for f in fields)}

    audit = _found(_get(admin, "/admin/audit")[1])
    assert planted_as("title", "select", "reason", "attachment", "rating", "adoption", "event") <= audit
    csv = _found(_get(admin, "/consultations/export/invitations.csv?scope=visible")[1])
    csv |= _found(_get(admin, "/consultations/export/requests.csv?scope=visible")[1])
    assert planted_as("parties", "reason", "advice", "attachment", "rating", "adoption") <= csv
    assert {m for m in planted_as("title") if "proposal" not in m} <= csv


# Exports examined elsewhere, and why; any other export or trail route must be in _export_urls.
COVERED_ELSEWHERE = {
    "admin.export": "talent JSON Lines, staff only; contact data per role in test_personal_data",
    "consultations.dossier": "PDF for the request's managers only (route matrix), who may read every field",
    "consultations.attachment": "the file itself; who may fetch it is the route matrix's attachment rule",
    **dict.fromkeys(("consultations.dossier_docx_page", "consultations_api.dossier_pdf_api",
                     "consultations_api.dossier_docx_api"),
                    "the dossier model shared with the PDF, for managers only (route matrix); "
                    "tests/consultations/test_dossier_docx.py"),
    "consultations.ledger_document": "the adopting document's file; who may fetch it is the route matrix's "
                                     "read_ledger rule (kb.visibility.ledger_visible)",
    **dict.fromkeys(("consultations.quarterly_docx", "consultations.quarterly_xlsx",
                     "consultations_api.quarterly_docx_api", "consultations_api.quarterly_xlsx_api"),
                    "per request kb.visibility: tests/consultations/test_quarterly.py reads both formats per role"),
    "events.attendees": "organizers only (route matrix); no consultation data",
    "events_api.attendees": "organizers only (route matrix); no consultation data",
    "events.calendar": "the event's own facts, for those who may see the event (route matrix)",
    "events_api.calendar": "the event's own facts, for those who may see the event (route matrix)",
    "events.download_material": "the event's materials, for those who may see the event (route matrix)",
    "events_api.download_material": "the event's materials, for those who may see the event (route matrix)",
}


def test_every_export_and_trail_route_is_examined(planted: Planted) -> None:
    """A new export, trail or log route cannot ship without being read for hidden fields here."""
    from tests.security.test_downloads import KNOWN_DOWNLOADS

    app = planted.site.app
    words = ("csv", "xlsx", "trail", "audit", "export", "dossier", "calendar", "download", "attachment")
    exporting = {r.endpoint for r in app.url_map.iter_rules() if any(w in r.endpoint for w in words)}
    exporting |= KNOWN_DOWNLOADS
    adapter = app.url_map.bind("localhost")
    examined = {adapter.match(url.split("?")[0], method="GET")[0] for url in _export_urls(planted)}
    missing = sorted(exporting - examined - set(COVERED_ELSEWHERE))
    assert not missing, f"read these for hidden fields in _export_urls, or say where they are covered: {missing}"


def test_every_notification_reaches_only_readers_of_what_it_tells(planted: Planted) -> None:
    """Inbox and e-mail: each consultation notice links a request or an invitation, and its recipient
    may read that object on the page; no notice carries a marker its recipient may not read."""
    from kb.models import Notification

    with planted.site.kb.sessions() as s:
        notices = list(s.scalars(select(Notification).where(Notification.kind.startswith("consultation."))))
        assert len(notices) >= 4 * len(planted.requests)
        failures = []
        for n in notices:
            user = s.get(User, n.user_id)
            actor = Actor.of(user)
            kind, number = n.link.strip("/").split("/")[-2:]
            if kind == "invitations":
                ok = invitation_visible(actor, s.get(ConsultationInvitation, int(number)))
            else:
                ok = request_managed(actor, s.get(ConsultationRequest, int(number)))
            leaked = _found(n.title + n.body) - planted.allowed_markers(user.username)
            if not ok or leaked:
                failures.append(f"{user.username} {n.kind} {n.link}: may read={ok} leaked={sorted(leaked)}")
    assert not failures, "\n".join(failures)
