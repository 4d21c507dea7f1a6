"""Personal contact data: shown only to the roles allowed it, audited, never indexed.

The route matrix proves who reaches which page; this proves what the pages
and JSON *say*: every GET route of the app is fetched as each role and no
body may contain an e-mail address or phone number of a talent whose contact
that role may not see (kb.permissions ``talent.view_contact``). Then the
search index itself — the embedded index's files and the documents of a real
Elasticsearch index — is searched byte for byte for the same strings.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.actors import Actor
from kb.audit import recent
from kb.context import KnowledgeBase
from kb.models import Talent
from kb.permissions import allowed
from kb.settings import load_settings
from kb.talents.importer import import_file
from tests.security.conftest import ROLES, World
from tests.security.test_route_matrix import Caller, _actor, _cells
from tests.web.data import TALENTS, jsonl


def contacts(talent: dict) -> list[str]:
    return [v for v in (talent.get("contact") or {}).values() if v]


ALL_CONTACTS = sorted({c for t in TALENTS for c in contacts(t)})


@pytest.fixture(scope="module")
def caller(world: World, web_clients: dict[str, FlaskClient]) -> Caller:
    return Caller(world, web_clients)


def _forbidden(world: World, role: str) -> dict[str, str]:
    """contact string -> talent id, for the talents whose contact ``role`` may not see."""
    with world.site.kb.sessions() as s:
        actor = _actor(s, role)
        out = {}
        for record in TALENTS:
            talent = s.query(Talent).filter_by(external_id=record["id"]).one()
            if not allowed(actor, "talent.view_contact", talent):
                out.update({c: record["id"] for c in contacts(record)})
        return out


@pytest.mark.parametrize("role", ["talent", "researcher", "organizer"])
def test_no_page_or_json_shows_contact_data_to_a_role_not_allowed_it(world: World, caller: Caller, role: str) -> None:
    forbidden = _forbidden(world, role)
    assert forbidden, "the fixture must hide some contact from this role, or the test proves nothing"
    # queries near the contact data (a query is echoed back, so none spells a whole address)
    searches = [f"/search?q={q}" for q in ("跨境", "Zhou Mingyuan", "example.org", "0755")]
    searches += [f"/api/v1/search?q={q}" for q in ("跨境", "陈雅琳", "example.org", "00002002")]
    urls = [(u, "GET") for u in searches] + [(url, m) for _r, m, _v, url in _cells(world, writes=False)]
    leaks, fetched = [], 0
    for url, method in urls:
        resp = caller(role, method, url)
        if resp.status_code != 200:
            continue
        fetched += 1
        body = resp.get_data()  # bytes: some routes answer PDF, XLSX or CSV
        leaks += [f"{url}: {value} (of {tid})" for value, tid in forbidden.items() if value.encode() in body]
    assert fetched > 20
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("role", ROLES[1:])
def test_profile_and_api_carry_contact_exactly_when_allowed(world: World, caller: Caller, role: str) -> None:
    with world.site.kb.sessions() as s:
        actor = _actor(s, role)
        may = {t["id"]: allowed(actor, "talent.view_contact", s.query(Talent).filter_by(external_id=t["id"]).one())
               for t in TALENTS}
    for record in TALENTS:
        html = caller(role, "GET", f"/talents/{record['id']}").get_data(as_text=True)
        api = caller(role, "GET", f"/api/v1/talents/{record['id']}").get_json()
        for value in contacts(record):
            assert (value in html) == may[record["id"]], (role, record["id"], value)
        assert ("contact" in api) == may[record["id"]], (role, record["id"])
        if may[record["id"]]:
            assert set(api["contact"].values()) >= set(contacts(record))


def test_search_results_never_carry_contact_even_to_staff(world: World, caller: Caller) -> None:
    for role in ("admin", "commissioner"):
        for q in ("跨境", "lin@example.org", "0755-00002001", "海洋"):
            body = caller(role, "GET", f"/api/v1/search?q={q}&k=50").get_json()
            assert body.pop("query") == q  # the query is echoed; nothing else may carry the contact
            results = json.dumps(body, ensure_ascii=False)
            html = caller(role, "GET", "/search?q=跨境 海洋 数据").get_data(as_text=True)  # echoes its query too
            for value in ALL_CONTACTS:
                assert value not in results and value not in html, (role, q, value)


def test_every_contact_view_by_someone_else_is_audited(world: World, caller: Caller) -> None:
    """Researchers see an available talent's contact; each such view, page or API, leaves an audit entry."""
    target = "web-005"  # available for consultation, not the researcher's own
    with world.site.kb.sessions() as s:
        before = len(recent(s, limit=10_000, action_prefix="contact.view", object_id=target))
    assert "huang@example.org" in caller("researcher", "GET", f"/talents/{target}").get_data(as_text=True)
    assert caller("researcher", "GET", f"/api/v1/talents/{target}").get_json()["contact"]
    assert caller("organizer", "GET", f"/api/v1/talents/{target}").status_code == 200  # no contact: no entry
    with world.site.kb.sessions() as s:
        entries = recent(s, limit=10_000, action_prefix="contact.view", object_id=target)
    new = entries[: len(entries) - before]
    assert len(new) == 2 and {e.actor_label for e in new} == {"researcher"}


def _index_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def _needles(value: str) -> list[bytes]:
    """The value as it could be stored: UTF-8, UTF-16 (SQLite may use it), and its parts an analyser keeps."""
    out = [value.encode(), value.encode("utf-16-le")]
    if "@" in value:
        out.append(value.split("@")[0].encode() + b"@")
    else:
        out.append(value.replace("-", "").encode())  # a phone number without its dash
    return out


def test_embedded_index_files_hold_no_contact_data(world: World) -> None:
    root = world.site.data_dir / "search"  # SearchSettings.search_dir of the site
    files = _index_bytes(root)
    assert files and sum(len(b) for _p, b in files) > 10_000, f"no index under {root}"
    # the talents' other text is there, so the scan does look at the right files
    assert any("跨境理财通".encode() in b for _p, b in files)
    hits = [f"{p.relative_to(root)}: {v}" for v in ALL_CONTACTS for p, b in files if any(n in b for n in _needles(v))]
    assert not hits, hits


@pytest.mark.elasticsearch
def test_elasticsearch_documents_hold_no_contact_data(es_url: str, tmp_path: Path) -> None:
    name = f"kbsec-{uuid.uuid4().hex[:10]}"
    kb = KnowledgeBase(load_settings({"data_dir": tmp_path, "security.secret_key": "x",
                                      "search.backend": "elasticsearch", "search.elasticsearch_url": es_url,
                                      "search.elasticsearch_index": name, "search.embedder": "hashing"}))
    try:
        kb.init_db()
        assert import_file(kb.sessions, Path("t.jsonl"), Actor.system("test"), data=jsonl(TALENTS)).ok
        kb.sync_search()
        client = kb.search.backend.client
        client.indices.refresh(index=f"{name}*")
        docs = client.search(index=f"{name}*", query={"match_all": {}}, size=1000)["hits"]["hits"]
        mapping = json.dumps(client.indices.get_mapping(index=f"{name}*").body, ensure_ascii=False)
        text = json.dumps([d["_source"] for d in docs], ensure_ascii=False)
        assert len(docs) >= len(TALENTS) and "跨境理财通" in text
        for value in ALL_CONTACTS:
            assert value not in text and value.split("@")[0] + "@" not in text, value
        assert "contact" not in mapping and "email" not in mapping and "phone" not in mapping
    finally:
        try:
            client = kb.search.backend.client
            for index in client.indices.get(index=f"{name}*"):
                client.options(ignore_status=404).indices.delete(index=index)
        finally:
            kb.close()

