"""Administration: import with a per-line report, export, accounts, talents, audit."""

from __future__ import annotations

import io
import json
import re

from flask.testing import FlaskClient

from kb.models import Talent, User
from tests.web.conftest import Site, csrf_token, login
from tests.web.data import jsonl


def _upload(client: FlaskClient, name: str, data: bytes, dry_run: bool = False):  # type: ignore[no-untyped-def]
    form = {"csrf_token": csrf_token(client, "/account"), "file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def test_import_reports_the_bad_line(site: Site, clients: dict[str, FlaskClient]) -> None:
    good = {"id": "imp-001", "name": "郑晓岚", "category": "C", "fields": ["ecommerce"],
            "research_directions": ["跨境电商直播合规"]}
    bad = {"id": "imp-002", "name": "坏记录", "category": "Z", "fields": ["banking"], "research_directions": ["x"]}
    data = jsonl([good]) + b"{not json\n" + jsonl([bad])
    resp = _upload(clients["commissioner"], "batch.jsonl", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert re.search(r"<td>2</td>", html) and "invalid JSON" in html       # line 2: not JSON
    assert re.search(r"<td>3</td><td>imp-002</td>", html) and "category" in html  # line 3: bad category
    assert "<strong>1</strong> 条新建" in html and "<strong>2</strong> 条失败" in html
    with site.kb.sessions() as s:
        assert s.query(Talent).filter_by(external_id="imp-001").count() == 1
        assert s.query(Talent).filter_by(external_id="imp-002").count() == 0
    # saved and searchable at once
    assert "郑晓岚" in clients["researcher"].get("/search?q=跨境电商直播").get_data(as_text=True)


def test_import_csv_dry_run_and_wrong_type(site: Site, clients: dict[str, FlaskClient]) -> None:
    csv = "编号,姓名,类别,领域,研究方向\nimp-010,钱立新,B,funds,公募基金投研体系\n".encode()
    resp = _upload(clients["admin"], "名单.csv", csv, dry_run=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<strong>1</strong> 条将新建" in html and "没有保存任何记录" in html
    with site.kb.sessions() as s:
        assert s.query(Talent).filter_by(external_id="imp-010").count() == 0
    assert _upload(clients["admin"], "notes.txt", b"hello").status_code == 400


def test_upload_size_limit(site: Site, clients: dict[str, FlaskClient]) -> None:
    site.app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        resp = _upload(clients["admin"], "big.jsonl", b"x" * 5000)
        assert resp.status_code == 413 and "10 MB" in resp.get_data(as_text=True)
    finally:
        site.app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024


def test_export_download(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["commissioner"]
    token = csrf_token(c, "/account")
    plain = c.post("/admin/export", data={"csrf_token": token})
    assert plain.status_code == 200 and "attachment" in plain.headers["Content-Disposition"]
    records = [json.loads(line) for line in plain.get_data(as_text=True).splitlines()]
    assert {r["id"] for r in records} >= {"web-001", "web-005"}
    assert all("contact" not in r for r in records)
    with_contact = c.post("/admin/export", data={"csrf_token": token, "include_contact": "y"}).get_data(as_text=True)
    assert "lin@example.org" in with_contact
    audit = c.get("/admin/audit?action=talent.").get_data(as_text=True)
    assert "导出人才数据" in audit  # the action in words (web/labels.py), not its code


def test_accounts_create_disable_reset(site: Site, clients: dict[str, FlaskClient]) -> None:
    admin = clients["admin"]
    token = csrf_token(admin, "/account")
    resp = admin.post("/admin/users", data={
        "csrf_token": token, "username": "analyst", "display_name": "分析员", "role": "researcher",
        "unit": "罗湖区发展研究中心", "password": "quiet-river-2026x", "email": "",
    })
    assert resp.status_code == 200 and "已创建账号 analyst" in resp.get_data(as_text=True)
    dup = admin.post("/admin/users", data={"csrf_token": token, "username": "analyst", "role": "researcher",
                                           "password": "quiet-river-2026x"})
    assert dup.status_code == 409
    weak = admin.post("/admin/users", data={"csrf_token": token, "username": "weakling", "role": "researcher",
                                            "password": "short"})
    assert weak.status_code == 400
    with site.kb.sessions() as s:
        uid = s.query(User).filter_by(username="analyst").one().id
    c = site.app.test_client()
    login(c, "analyst", "quiet-river-2026x")
    assert c.get("/search").status_code == 200
    assert admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token, "active": "0", "confirmed": "1"}).status_code == 200
    assert c.get("/search").status_code == 302  # a disabled account's session ends
    assert admin.post(f"/admin/users/{uid}/active", data={"csrf_token": token, "active": "1"}).status_code == 200
    reset = admin.post(f"/admin/users/{uid}/password", data={"csrf_token": token}).get_data(as_text=True)
    new_password = re.search(r'<code class="token">([^<]+)</code>', reset).group(1)  # type: ignore[union-attr]
    login(site.app.test_client(), "analyst", new_password)
    with site.kb.sessions() as s:
        me = s.query(User).filter_by(username="admin").one().id
    assert admin.post(f"/admin/users/{me}/active", data={"csrf_token": token, "active": "0", "confirmed": "1"}).status_code == 409


def test_create_and_delete_talent(site: Site, clients: dict[str, FlaskClient]) -> None:
    c = clients["commissioner"]
    token = csrf_token(c, "/account")
    form = {"csrf_token": token, "external_id": "new-001", "name": "孙可心", "category": "C",
            "fields": ["robotics"], "research_directions": "服务机器人场景落地\n养老陪护机器人",
            "available_for_consultation": "y", "email": "sun@example.org"}
    resp = c.post("/admin/talents/new", data=form)
    assert resp.status_code == 302 and resp.headers["Location"] == "/talents/new-001"
    assert c.post("/admin/talents/new", data=form).status_code == 409  # the id is taken
    no_fields = c.post("/admin/talents/new", data={**form, "external_id": "new-002", "fields": []})
    assert no_fields.status_code == 400
    assert "孙可心" in clients["researcher"].get("/search?q=养老陪护机器人").get_data(as_text=True)
    listing = c.get("/admin/talents?category=C&field=robotics").get_data(as_text=True)
    assert "new-001" in listing and "web-001" not in listing
    assert c.post("/admin/talents/new-001/delete", data={"csrf_token": token}).status_code == 302
    assert c.get("/talents/new-001").status_code == 404
    assert "孙可心" not in clients["researcher"].get("/search?q=养老陪护机器人").get_data(as_text=True)


def test_audit_log_lists_contact_views(clients: dict[str, FlaskClient]) -> None:
    clients["researcher"].get("/talents/web-001")
    html = clients["admin"].get("/admin/audit?action=contact.").get_data(as_text=True)
    assert "查看联系方式" in html and "researcher" in html
    assert '<a href="/talents/web-001">林书衡</a>' in html  # the talent by name, not its number


def test_admin_index_lists_only_allowed_sections(clients: dict[str, FlaskClient]) -> None:
    commissioner = clients["commissioner"].get("/admin/").get_data(as_text=True)
    assert "待审核修改" in commissioner and "/admin/users" not in commissioner
    assert "/admin/users" in clients["admin"].get("/admin/").get_data(as_text=True)
