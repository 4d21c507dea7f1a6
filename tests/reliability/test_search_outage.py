"""The search index goes away and comes back: edits are saved, stay queued, and the index converges.

The first test stops a real Elasticsearch node (its own, started with
``scripts/services`` in a private state dir and ports, never the shared one)
in the middle of a series of profile edits made through the JSON API, then
starts it again on its data. The second pins down the queue's side of a
long outage: however many times the index was unreachable, a queued change
is never given up.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from indexer import SearchQuery, SearchUnavailable
from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import QueueItem, Talent, utcnow
from kb.queue import MAX_ATTEMPTS, pending_count
from kb.settings import load_settings
from kb.talents.changes import SEARCH_TOPIC
from kb.talents.importer import import_file
from kb.talents.search_sync import drain_search_queue
from tests.reliability.conftest import corpus, write_jsonl

SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A private Elasticsearch node driven by scripts/services (state dir and ports of its own)."""

    def __init__(self, state: Path) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "KB_SERVICES_DIR": str(state), "KB_ES_PORT": str(self.port),
                    "KB_ES_TRANSPORT_PORT": str(_free_port()), "KB_PG_PORT": str(_free_port()),
                    "KB_ES_HEAP": "512m"}
        self.url = f"http://127.0.0.1:{self.port}"

    def services(self, *args: str, keep_data: bool = False) -> None:
        env = {**self.env, "KB_ES_KEEP_DATA": "1"} if keep_data else self.env
        proc = subprocess.run([str(SERVICES), *args], env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def node(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """``es_url`` only says Elasticsearch is expected here (and its node is built)."""
    n = Node(tmp_path_factory.mktemp("es-node"))
    n.services("up", "elasticsearch")
    try:
        yield n
    finally:
        n.services("down", "elasticsearch")  # this private node only


@pytest.mark.elasticsearch
def test_node_stopped_mid_edits_then_back(node: Node, tmp_path: Path) -> None:
    from web.app import create_app

    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": tmp_path,
                                      "security.secret_key": "outage-test", "search.backend": "elasticsearch",
                                      "search.elasticsearch_url": node.url,
                                      "search.elasticsearch_index": "outage", "search.embedder": "hashing"}))
    kb.init_db()
    records = corpus(30, outputs=1)
    assert import_file(kb.sessions, write_jsonl(tmp_path / "t.jsonl", records), Actor.system("t")).ok
    kb.sync_search()
    with kb.sessions() as s, s.begin():
        token = issue_token(s, create_user(s, Actor.system("t"), "boss", "admin", "long-enough-pw-1"))
    api = create_app(kb, TESTING=True).test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def edit(n: int) -> None:
        rid = records[n]["id"]
        version = api.get(f"/api/v1/talents/{rid}", headers=headers).get_json()["version"]
        resp = api.patch(f"/api/v1/talents/{rid}", json={"bio": f"专攻课题代号甲乙{n:02d}号"},
                         headers={**headers, "If-Match": f'"{version}"'})
        assert resp.status_code == 200, resp.get_json()

    for n in range(5):
        edit(n)
    node.services("stop", "elasticsearch")
    for n in range(5, 15):
        edit(n)  # saved although the index is down
    assert api.get("/api/v1/search?q=课题代号", headers=headers).status_code == 503
    # load balancers see it: not ready because of search alone (the retries backing off are not
    # queue lag), and the index lag the metrics report is the age of the first unapplied edit
    ready = api.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["not_ready"] == ["search"], ready.get_json()
    lag = [line for line in api.get("/metrics").get_data(as_text=True).splitlines()
           if line.startswith("kb_index_lag_seconds ")]
    assert len(lag) == 1 and float(lag[0].split()[1]) > 0
    with kb.sessions() as s:
        assert pending_count(s, SEARCH_TOPIC) == 10
        assert all(f"甲乙{n:02d}号" in s.scalar(select(Talent.bio).where(Talent.external_id == records[n]["id"]))
                   for n in range(15))

    node.services("up", "elasticsearch", keep_data=True)
    # the failed items wait out their back-off (seconds after a short outage), then converge
    with kb.sessions() as s, s.begin():
        due = s.scalar(select(QueueItem.run_after).order_by(QueueItem.run_after.desc()).limit(1))
    wait = max(0.0, (due - utcnow()).total_seconds())
    assert wait < 60, "a short outage must not push the retry minutes away"
    import time

    time.sleep(wait + 0.1)
    report = kb.sync_search()
    assert report.done == 10 and not report.failed
    with kb.sessions() as s:
        assert pending_count(s, SEARCH_TOPIC) == 0
    assert api.get("/readyz").status_code == 200
    for n in range(15):
        hits = kb.search.search(SearchQuery(f"专攻课题代号甲乙{n:02d}号", mode="lexical", limit=3)).results
        assert hits and hits[0].talent_id == records[n]["id"], n
    assert kb.search.info()["talents"] == 30
    kb.close()


class DownIndex:
    """An index that is unreachable until told otherwise; records what it applied."""

    def __init__(self) -> None:
        self.up, self.applied = False, []

    def upsert(self, docs) -> None:  # type: ignore[no-untyped-def]
        if not self.up:
            raise SearchUnavailable("index down")
        self.applied += [d.talent_id for d in docs]

    def delete(self, ids) -> None:  # type: ignore[no-untyped-def]
        if not self.up:
            raise SearchUnavailable("index down")


def test_a_long_outage_never_gives_queued_changes_up(tmp_path: Path) -> None:
    """Found while writing the test above: after MAX_ATTEMPTS failures (about two hours of
    back-off) a queued change turned 'dead' and never reached the index again."""
    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": tmp_path, "security.secret_key": "x"}))
    kb.init_db()
    assert import_file(kb.sessions, write_jsonl(tmp_path / "t.jsonl", corpus(3, outputs=1)), Actor.system("t")).ok
    index = DownIndex()
    for _ in range(MAX_ATTEMPTS + 5):
        report = drain_search_queue(kb.sessions, index)  # type: ignore[arg-type]
        assert report.failed == 3
        with kb.sessions() as s, s.begin():  # let the back-off pass at once
            s.execute(update(QueueItem).values(run_after=utcnow() - timedelta(seconds=1)))
    with kb.sessions() as s:
        states = {i.state for i in s.scalars(select(QueueItem))}
    assert states == {"pending"}
    index.up = True
    assert drain_search_queue(kb.sessions, index).done == 3  # type: ignore[arg-type]
    assert sorted(index.applied) == [f"r-{i:05d}" for i in range(3)]
    kb.close()
