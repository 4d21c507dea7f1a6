"""The capability map on the dashboard: rebuild, charts with table views, exports, who sees what."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from kb.capability.service import build_handler
from tests.web.activity import add_activity
from tests.web.conftest import Site, csrf_token

DATA = re.compile(r'<script type="application/json" id="capability-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def built(site: Site, clients: dict[str, FlaskClient]) -> Site:
    """One consultation with an invitation, and a map built the way the admin asks for it."""
    add_activity(site, "web-001")
    admin = clients["admin"]
    page = admin.get("/dashboard/").get_data(as_text=True)
    assert "尚未生成能力地图" in page and 'action="/dashboard/capability/build"' in page
    resp = admin.post("/dashboard/capability/build", data={"csrf_token": csrf_token(admin, "/dashboard/")})
    assert resp.status_code == 302
    assert "正在排队生成" in admin.get("/dashboard/").get_data(as_text=True)
    assert build_handler(site.kb)().done == 1  # what kb worker (or the serving process) runs
    return site


def test_the_map_shows_charts_with_table_views_to_dashboard_roles(built: Site, clients: dict[str, FlaskClient]) -> None:
    for role in ("admin", "commissioner", "researcher", "organizer"):
        html = clients[role].get("/dashboard/").get_data(as_text=True)
        assert 'id="capability-built"' in html, role
        assert 'data-capability-chart="topics"' in html and '<details class="table-view">' in html
        assert "vendor/chartjs/chart.umd.min.js" in html and "js/capability.js" in html
        charts = json.loads(DATA.search(html).group(1))  # type: ignore[union-attr]
        assert charts["topics"]["labels"] and len(charts["topics"]["series"]) == 3
        consultation = role != "organizer"
        assert ('id="capability-gaps"' in html) == consultation and ("workload" in charts) == consultation
        assert ('action="/dashboard/capability/build"' in html) == (role in ("admin", "commissioner"))
    workload = json.loads(DATA.search(clients["admin"].get("/dashboard/").get_data(as_text=True)).group(1))["workload"]  # type: ignore[union-attr]
    assert workload["share"][-1] == 100.0  # the one invitation, held by the top decile onwards


def test_the_charting_library_is_bundled_and_loaded_only_on_the_dashboard(built: Site, clients: dict[str, FlaskClient]) -> None:
    admin = clients["admin"]
    lib = admin.get("/static/vendor/chartjs/chart.umd.min.js")
    assert lib.status_code == 200 and b"Chart.js v4" in lib.data[:200]
    assert admin.get("/static/vendor/chartjs/LICENSE.md").status_code == 200
    assert "chart.umd" not in admin.get("/search").get_data(as_text=True)


def test_english_pages_name_topics_in_english(built: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["researcher"]
    c.get("/lang/en")
    try:
        html = c.get("/dashboard/").get_data(as_text=True)
        assert "Capability map" in html and "Topics of the talent pool" in html
        labels = json.loads(DATA.search(html).group(1))["topics"]["labels"]  # type: ignore[union-attr]
        assert all(label and not re.search(r"[\u4e00-\u9fff]", label) for label in labels)
    finally:
        c.get("/lang/zh")


def _cell(value: object) -> object:
    """A cell as a number when it is one (CSV has "1.0" where XLSX has 1), else as text."""
    text = "" if value is None else str(value)
    try:
        return float(text)
    except ValueError:
        return text


@pytest.mark.parametrize("table", ["topics", "gaps", "workload", "never_asked"])
def test_every_table_downloads_as_csv_and_xlsx_with_the_same_rows(built: Site, clients: dict[str, FlaskClient],
                                                                   table: str) -> None:
    admin = clients["admin"]
    c = admin.get(f"/dashboard/capability/export?table={table}&format=csv")
    x = admin.get(f"/dashboard/capability/export?table={table}&format=xlsx")
    assert c.status_code == x.status_code == 200
    assert c.mimetype == "text/csv" and x.mimetype.endswith("spreadsheetml.sheet")
    assert f"capability-{table}.csv" in c.headers["Content-Disposition"]
    rows = [[_cell(v) for v in r] for r in csv.reader(io.StringIO(c.data.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(x.data)).active
    assert sheet is not None
    xrows = [[_cell(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    assert rows == xrows and len(rows[0]) >= 3
    assert all(" " in h for h in rows[0])  # bilingual headers
    if table == "topics":
        assert len(rows) > 1


def test_consultation_tables_are_refused_to_organizers(built: Site, clients: dict[str, FlaskClient]) -> None:
    organizer = clients["organizer"]
    assert organizer.get("/dashboard/capability/export?table=topics&format=csv").status_code == 200
    assert organizer.get("/dashboard/capability/export?table=gaps&format=csv").status_code == 403
    assert organizer.get("/dashboard/capability/export?table=nope&format=csv").status_code == 404


def test_only_staff_may_ask_for_a_rebuild(built: Site, clients: dict[str, FlaskClient]) -> None:
    researcher = clients["researcher"]
    resp = researcher.post("/dashboard/capability/build", data={"csrf_token": csrf_token(researcher, "/dashboard/")})
    assert resp.status_code == 403
