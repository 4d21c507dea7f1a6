"""The outbox drained exactly once by two ``kb worker --once`` processes at the same time.

tests/kb/test_queue.py races two *threads* over one engine. Here two separate
processes — own interpreters, own connection pools — share the SQLite file or
the PostgreSQL database. Each wraps the search backend's ``upsert`` to append
what it applies to a log, so the test sees every application, not only the
queue's own bookkeeping.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from kb.actors import Actor
from kb.models import QueueItem
from kb.queue import enqueue
from kb.talents.changes import SEARCH_TOPIC, apply_record
from tests.reliability.conftest import Place, corpus

RECORDING_WORKER = """
import os, sys, time, indexer
log, go = sys.argv[1], sys.argv[2]
original = indexer.ExpertSearch.upsert
def recording_upsert(self, docs):
    docs = list(docs)
    time.sleep(0.02 * len(docs))  # a backend that takes its time (4 s in all), so the workers overlap
    original(self, docs)
    with open(log, "a") as f:
        f.write("".join(f"{os.getpid()} {d.talent_id}\\n" for d in docs))
indexer.ExpertSearch.upsert = recording_upsert
import kb.context, kb.talents.search_sync
from kb.cli import main
# small batches: each worker claims a few items, applies them, comes back for more
kb.context.KnowledgeBase.sync_search = lambda self: kb.talents.search_sync.drain_search_queue(
    self.sessions, self.search, batch=10)
from indexer.analysis import get_analyzer
get_analyzer().query("预热")  # load the segmenter's dictionaries before the start line
open(f"{go}.ready-{os.getpid()}", "w").close()
while not os.path.exists(go):
    time.sleep(0.005)
main(["worker", "--once"])
"""


def test_two_worker_processes_apply_each_change_exactly_once(place: Place, tmp_path: Path) -> None:
    records = corpus(160, outputs=1)
    kb = place.kb()
    with kb.sessions() as s, s.begin():
        for rec in records:
            apply_record(s, rec, Actor.system("test"))  # each queues one search item
    with kb.sessions() as s, s.begin():
        for rec in records[:40]:  # and a second change for some: two items, one talent
            enqueue(s, SEARCH_TOPIC, {"talent": rec["id"]})
    with kb.sessions() as s:
        items = s.scalars(select(QueueItem).where(QueueItem.topic == SEARCH_TOPIC)).all()
        assert len(items) == 200 and all(i.state == "pending" for i in items)
    kb.close()

    log, go = tmp_path / "applied.log", tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", RECORDING_WORKER, str(log), str(go)], env=place.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    # both interpreters imported and initialised (a loaded CI machine takes seconds), then go
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    lines = [line.split() for line in log.read_text().splitlines()]
    per_talent = Counter(tid for _pid, tid in lines)
    pids = {pid for pid, _tid in lines}
    # every talent reached the index; no item was applied by both workers
    assert set(per_talent) == {r["id"] for r in records}
    twice = {tid: n for tid, n in per_talent.items() if n > 1}
    extra_items = {r["id"] for r in records[:40]}
    assert set(twice) <= extra_items and all(n <= 2 for n in twice.values()), twice
    assert sum(per_talent.values()) <= 200
    kb = place.kb()
    with kb.sessions() as s:
        items = s.scalars(select(QueueItem).where(QueueItem.topic == SEARCH_TOPIC)).all()
        assert all(i.state == "done" and i.attempts == 1 for i in items), Counter((i.state, i.attempts) for i in items)
    kb.close()
    assert len(pids) == 2, f"only one worker got work ({pids}); the race was not exercised"
