"""Every download of personal data or of a file is ``Cache-Control: no-store``.

The routes are not listed by hand: every GET route of the app is fetched as
every role (with its own and someone else's ids, as in the route matrix), and
whatever answers as a file — an attachment disposition or a file type — must
forbid caching and carry no validator a cache could keep it by. A list of the
downloads the product is known to have makes sure the discovery finds them.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.security.conftest import ROLES, World
from tests.security.test_route_matrix import Caller, _cells
from tests.web.conftest import csrf_token
from web.security import is_download

KNOWN_DOWNLOADS = {
    "consultations.attachment", "consultations.dossier", "consultations.requests_csv",
    "consultations.invitations_csv", "consultations.request_invitations_csv",
    "events.calendar", "events_api.calendar", "events.attendees", "events.download_material",
    "events_api.download_material",
    "consultations.dossier_docx_page", "consultations_api.dossier_pdf_api", "consultations_api.dossier_docx_api",
    "consultations.ledger_document", "consultations.quarterly_docx", "consultations.quarterly_xlsx",
    "consultations_api.quarterly_docx_api", "consultations_api.quarterly_xlsx_api",
}


@pytest.fixture(scope="module")
def caller(world: World, web_clients: dict[str, FlaskClient]) -> Caller:
    return Caller(world, web_clients)


def test_every_download_is_no_store(world: World, caller: Caller) -> None:
    found, failures = set(), []
    for role in ROLES[1:]:
        for rule, method, _variant, url in _cells(world, writes=False):
            resp = caller(role, method, url)
            if resp.status_code != 200 or not is_download(resp):
                continue
            found.add(rule.endpoint)
            if resp.headers.get("Cache-Control") != "no-store" or "ETag" in resp.headers:
                failures.append(f"{role} {url}: Cache-Control={resp.headers.get('Cache-Control')!r} "
                                f"ETag={resp.headers.get('ETag')!r}")
        for url in ("/api/v1/events/{event}/attendees?format=csv", "/api/v1/events/{event}/attendees?format=xlsx"):
            resp = caller(role, "GET", url.format(event=world.ids["own"]["event"]))
            if resp.status_code == 200:
                found.add("events_api.attendees")
                if resp.headers.get("Cache-Control") != "no-store":
                    failures.append(f"{role} {url}: {resp.headers.get('Cache-Control')!r}")
    assert not failures, "\n".join(failures)
    assert KNOWN_DOWNLOADS | {"events_api.attendees"} <= found, sorted(KNOWN_DOWNLOADS - found)


def test_the_talent_export_is_no_store(world: World, web_clients: dict[str, FlaskClient]) -> None:
    """The one download behind a POST form (JSON Lines of every talent, optionally with contact data)."""
    client = web_clients["admin"]
    resp = client.post("/admin/export", data={"include_contact": "y", "csrf_token": csrf_token(client, "/admin/export")})
    assert resp.status_code == 200 and is_download(resp), resp.status_code
    assert resp.headers["Cache-Control"] == "no-store"
