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
from tests.web.conftest import Site


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
    assert data["pending_proposals"] == 0 and data["search_backlog"] >= 0
    assert data["consultations"] is None and data["events"] is None


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
    from kb.talents import queue_sync

    with site.kb.sessions() as s, s.begin():
        queue_sync(s, "web-001")
    with site.kb.sessions() as s:
        assert figures(s, Actor(None, "a", "admin"))["search_backlog"] >= 1
    site.kb.sync_search()
    with site.kb.sessions() as s:
        assert figures(s, Actor(None, "a", "admin"))["search_backlog"] == 0
