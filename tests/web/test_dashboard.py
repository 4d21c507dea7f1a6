"""Dashboard figures (kb.dashboard) and the page that draws them."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from kb.actors import Actor
from kb.dashboard import figures
from kb.errors import PermissionDenied
from kb.models import Talent
from kb.queue import enqueue
from kb.talents.changes import SEARCH_TOPIC
from tests.web.activity import EVENT_TITLE, UNIT, add_activity
from tests.web.conftest import Site, login
from tests.web.data import OWN

CONSULTATION_ROLES = {"researcher", "commissioner", "admin"}  # consultation.stats
DASHBOARD_ROLES = CONSULTATION_ROLES | {"organizer"}  # dashboard.view


def test_figures(site: Site) -> None:
    with site.kb.sessions() as s, s.begin():
        old = s.query(Talent).filter_by(external_id="web-005").one()
        old.updated_at = datetime(2024, 6, 1)
        old.created_at = datetime(2024, 12, 5)
    with site.kb.sessions() as s:
        data = figures(s, Actor(None, "r", "researcher"), now=datetime(2026, 1, 1))
    cats = {c["code"]: c for c in data["categories"]}
    assert cats["A"] == {"code": "A", "count": 2, "target": 100}
    assert cats["B"]["target"] == 300 and cats["C"]["target"] == 600
    assert data["total"] == 5 and data["available"] == 4
    fields = {f["code"]: f["count"] for f in data["fields"]}
    assert fields["banking"] == 1 and fields["big_data"] == 1
    sectors = {x["code"]: x["count"] for x in data["sectors"]}
    assert sectors["internet_plus"] == 1  # web-002 has two internet_plus fields but counts once
    assert data["growth"][0] == {"month": "2024-12", "new": 1, "total": 1}
    assert data["growth"][-1]["total"] == 5
    fresh = {f["bucket"]: f["count"] for f in data["freshness"]}
    assert fresh["365+"] == 1
    assert data["pending_proposals"] == 0
    # Researchers may see consultation figures; events are shown to every dashboard role.
    assert data["consultations"]["requests_total"] == 0 and data["events"]["events"] == 0


def test_search_backlog_counts_the_index_changes_not_yet_applied(site: Site) -> None:
    researcher = Actor(None, "r", "researcher")
    site.kb.sync_search()
    with site.kb.sessions() as s:
        assert figures(s, researcher)["search_backlog"] == 0
    with site.kb.sessions() as s, s.begin():
        for talent_id in ("web-001", "web-003"):
            enqueue(s, SEARCH_TOPIC, {"talent": talent_id})
    with site.kb.sessions() as s:
        assert figures(s, researcher)["search_backlog"] == 2
    assert site.kb.sync_search().done == 2
    with site.kb.sessions() as s:
        assert figures(s, researcher)["search_backlog"] == 0


def test_figures_need_permission(site: Site) -> None:
    with site.kb.sessions() as s, pytest.raises(PermissionDenied):
        figures(s, Actor(None, "t", "talent", talent_id=1))


def test_page_embeds_figures_for_the_charts(clients: dict[str, FlaskClient]) -> None:
    resp = clients["organizer"].get("/dashboard/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    payload = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert payload["labels"]["categories"]["A"] == "A类菁英人才"
    assert 'src="/static/js/dashboard.js"' in html
    data = clients["organizer"].get("/dashboard/data.json").get_json()
    assert data["total"] == payload["figures"]["total"]
    assert clients["talent"].get("/dashboard/").status_code == 403


def test_search_backlog_counts_queued_changes(site: Site) -> None:
    from kb.talents.changes import queue_sync

    with site.kb.sessions() as s, s.begin():
        queue_sync(s, "web-001")
    with site.kb.sessions() as s:
        assert figures(s, Actor(None, "a", "admin"))["search_backlog"] >= 1
    site.kb.sync_search()
    with site.kb.sessions() as s:
        assert figures(s, Actor(None, "a", "admin"))["search_backlog"] == 0


def _payload(html: str) -> dict:
    return json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def activity(site: Site) -> None:
    """After the talent-only tests above: one consultation and one held event with the OWN talent."""
    add_activity(site, OWN)


@pytest.mark.parametrize("role", sorted(DASHBOARD_ROLES))
def test_consultation_figures_only_for_roles_allowed_them(
    site: Site, clients: dict[str, FlaskClient], activity: None, role: str,
) -> None:
    with site.kb.sessions() as s:
        data = figures(s, Actor(None, role, role))
    html = clients[role].get("/dashboard/").get_data(as_text=True)
    served = clients[role].get("/dashboard/data.json").get_json()
    embedded = _payload(html)["figures"]
    if role in CONSULTATION_ROLES:
        c = data["consultations"]
        assert c["requests_total"] == 1 and c["requests_by_unit"] == {UNIT: 1}
        assert c["requests_by_field"] == {"banking": 1}
        assert c["answer_rate"] == 1.0 and c["adoption_rate"] == 1.0
        assert c["time_to_first_response_hours"]["requests"] == 1
        assert [t["talent_id"] for t in c["most_consulted_talents"]] == [OWN]
        assert c["most_consulted_fields"] == [{"field": "banking", "advice": 1}]
        assert served["consultations"] == embedded["consultations"] == c
        for chart in ("consultUnits", "consultFields", "consultTalents", "consultAdvice"):
            assert f'data-chart="{chart}"' in html
        assert UNIT in html and f'href="/talents/{OWN}"' in html
        assert "100%" in html  # answer and adoption rate tiles
    else:
        # The organizer's dashboard has no consultation figures anywhere: not in the
        # page, not in the figures the charts read, not in data.json.
        assert data["consultations"] is None
        assert served["consultations"] is None and embedded["consultations"] is None
        assert 'id="consultations"' not in html and "consultUnits" not in html
        assert UNIT not in html and "林书衡" not in html


@pytest.mark.parametrize("role", sorted(DASHBOARD_ROLES))
def test_event_figures_for_every_dashboard_role(
    site: Site, clients: dict[str, FlaskClient], activity: None, role: str,
) -> None:
    html = clients[role].get("/dashboard/").get_data(as_text=True)
    served = clients[role].get("/dashboard/data.json").get_json()
    e = served["events"]
    assert e["events"] == 1 and sum(e["events_per_month"].values()) == 1
    assert e["registrations"]["registered"] == 1
    assert e["attendance"] == {"events_held": 1, "registered": 1, "attended": 1, "rate": 1.0}
    assert e["attendance_rate"] == 1.0 and e["fields_covered"] == {"banking": 1}
    assert _payload(html)["figures"]["events"] == e
    for chart in ("eventMonths", "eventRegistrations", "eventFields"):
        assert f'data-chart="{chart}"' in html
    assert _payload(html)["labels"]["registrations"]["registered"] == "已报名"
    assert EVENT_TITLE not in html  # aggregates only, no event or talent names


def test_event_and_consultation_figures_refused_without_the_dashboard(
    site: Site, clients: dict[str, FlaskClient], activity: None,
) -> None:
    assert clients["talent"].get("/dashboard/data.json").status_code == 403
    assert clients["anon"].get("/dashboard/data.json").status_code == 302



def test_dashboard_in_english(site: Site, activity: None) -> None:
    c = site.app.test_client()
    login(c, "researcher")
    c.get("/lang/en")
    html = c.get("/dashboard/").get_data(as_text=True)
    for text in ("Policy consultations", ">Events</span>", "Answer rate", "Attendance rate", "Most consulted experts"):
        assert text in html, text
    assert _payload(html)["labels"]["registrations"]["registered"] == "Registered"
