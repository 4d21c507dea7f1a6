"""A node of a three-node Elasticsearch cluster is killed during profile edits and searches.

The cluster is this test's own (``LocalCluster``: ``scripts/services up
--es-nodes 3`` in a temporary state folder, on free ports, never the shared
node), the index has one replica (``search.elasticsearch_replicas = auto``),
and the product is given every node's URL. The node holding the primary
shard is killed with ``kill -9`` while a thread searches without pause and
profiles are edited through the JSON API (each edit drained from the durable
queue at once, as the background worker would):

- no search fails, before, during or after the loss (latency is reported);
- ``/readyz`` says *degraded but ready* with the yellow cluster and two
  nodes, ``/metrics`` carries the colour and node count, then both say green
  with three once the node is back;
- once the cluster is green again, every talent edited is found by the text
  of its *last* edit: no update is lost.

``python -m indexer.bench.nodeloss`` measures the same loss with more load.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import SearchQuery
from indexer.bench.local_cluster import LocalCluster
from indexer.bench.nodeloss import SearchStream
from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.queue import pending_count
from kb.settings import load_settings
from kb.talents.changes import SEARCH_TOPIC
from kb.talents.importer import import_file
from tests.ops.test_metrics import value
from tests.reliability.conftest import corpus, write_jsonl

ALIAS = "nodeloss-test"
QUERIES = ("供应链金融", "方向3 研究", "专家7", "论文 2000")


@pytest.fixture(scope="module")
def cluster(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """``es_url`` only says Elasticsearch is expected here (and its node is built)."""
    c = LocalCluster(tmp_path_factory.mktemp("es-cluster"), nodes=3, heap="384m")
    c.up()
    try:
        yield c
    finally:
        c.down()  # this private cluster only


def bio(n: int, version: int) -> str:
    return f"专攻节点失联课题 nodeloss{n}v{version}"


@pytest.mark.elasticsearch
def test_a_node_killed_during_edits_and_searches(cluster: LocalCluster, tmp_path: Path) -> None:
    from web.app import create_app

    kb = KnowledgeBase(load_settings({"env": "development", "data_dir": tmp_path,
                                      "security.secret_key": "node-loss-test", "search.backend": "elasticsearch",
                                      "search.elasticsearch_url": cluster.url,
                                      "search.elasticsearch_index": ALIAS, "search.embedder": "hashing"}))
    kb.init_db()
    records = corpus(40, outputs=1)
    assert import_file(kb.sessions, write_jsonl(tmp_path / "t.jsonl", records), Actor.system("t")).ok
    kb.sync_search()
    cluster.wait_for("green", index=ALIAS, nodes=3)
    shards = cluster.get(f"/_cat/shards/{ALIAS}?format=json&h=prirep,state")
    assert sorted(s["prirep"] for s in shards) == ["p", "r"], "one replica on a cluster (auto)"

    with kb.sessions() as s, s.begin():
        token = issue_token(s, create_user(s, Actor.system("t"), "boss", "admin", "long-enough-pw-1"))
    api = create_app(kb, TESTING=True).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    green = api.get("/readyz").get_json()
    assert green["ready"] and green["degraded"] == [] and green["search_cluster"]["status"] == "green"
    assert green["search_cluster"]["nodes"] == 3

    latest: dict[int, int] = {}

    def edit(n: int) -> None:
        rid = records[n]["id"]
        version = api.get(f"/api/v1/talents/{rid}", headers=headers).get_json()["version"]
        latest[n] = latest.get(n, 0) + 1
        resp = api.patch(f"/api/v1/talents/{rid}", json={"bio": bio(n, latest[n])},
                         headers={**headers, "If-Match": f'"{version}"'})
        assert resp.status_code == 200, resp.get_json()
        kb.sync_search()  # what the worker does; a refused write stays queued

    stream = SearchStream(lambda i: kb.search.search(SearchQuery(QUERIES[i % len(QUERIES)], limit=10)))
    stream.phase = "warm-up"
    stream.start()
    try:
        while len(stream.samples) < 3:
            time.sleep(0.05)
        stream.phase = "before"
        for n in range(10):
            edit(n)
        victim = cluster.primary_node(ALIAS)
        stream.phase = "during"
        cluster.kill(victim)
        for n in range(5, 25):  # 5..9 a second time: their last version must win
            edit(n)
        cluster.wait_for("yellow", index=ALIAS, nodes=2)
        degraded = api.get("/readyz")
        body = degraded.get_json()
        assert degraded.status_code == 200, body
        assert body["degraded"] == ["search"] and body["search_cluster"]["status"] == "yellow", body
        assert body["search_cluster"]["nodes"] == 2
        metrics = api.get("/metrics").get_data(as_text=True)
        assert value(metrics, "kb_search_cluster_status", status="yellow") == 1
        assert value(metrics, "kb_search_cluster_nodes") == 2

        cluster.up()  # only the killed node starts, on its data, and rejoins
        cluster.wait_for("green", index=ALIAS, nodes=3)
        stream.phase = "after"
        for n in range(20, 30):
            edit(n)
    finally:
        stream.stop()

    # drain what the loss left queued (a refused write waits out a short back-off)
    deadline = time.monotonic() + 90
    while True:
        kb.sync_search()
        with kb.sessions() as s:
            if pending_count(s, SEARCH_TOPIC) == 0:
                break
        assert time.monotonic() < deadline, "queued edits never reached the index"
        time.sleep(1)

    summary = {phase: stream.summary(phase) for phase in ("before", "during", "after")}
    print(f"\nnode loss (killed node {victim}, the primary's): {summary}")
    assert all(summary[p]["searches"] > 0 for p in summary), summary
    assert not stream.errors, stream.errors[:5]

    for n, version in sorted(latest.items()):
        hits = kb.search.search(SearchQuery(f"nodeloss{n}v{version}", mode="lexical", limit=3)).results
        assert hits and hits[0].talent_id == records[n]["id"], f"talent {n} lost its edit {version}"
    assert kb.search.info()["talents"] == 40

    again = api.get("/readyz").get_json()
    assert again["ready"] and again["degraded"] == [] and again["search_cluster"] == {
        "status": "green", "nodes": 3, "data_nodes": 3, "unassigned_shards": 0}
    kb.search.backend.drop()
    kb.close()
