"""A node lost: searches and writes against a three-node Elasticsearch cluster while one node dies.

    python -m indexer.bench.nodeloss [--talents 300] [--seconds 8] [--heap 384m]

Starts its own cluster (``LocalCluster``: a temporary state folder and free
ports, never the shared test node), indexes a synthetic corpus with one
replica, then runs a stream of searches in a thread while the main thread
keeps rewriting talents in bulk batches. Three phases of ``--seconds`` each:

- *before*: all nodes up (the baseline of the same run);
- *during*: the node holding the index's primary shard is killed with
  ``kill -9`` at the phase's start (the worst node to lose: every write must
  wait for the replica's promotion);
- *after*: the node is started again, rejoins, and the cluster is green
  (the searches while it restarts still count as *during*).

A write the cluster refuses (unreachable, timed out) is kept and retried, as
the product's durable queue does (``kb.talents.search_sync``). At the end
every talent written is searched for by the unique word of its last version:
``lost_updates`` counts those not found. Prints a table per phase (searches,
errors, p50/p95/max), the cluster's start time, memory and the seconds it was
yellow, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer.bench.local_cluster import LocalCluster
from indexer.documents import TalentDoc
from indexer.errors import SearchUnavailable
from indexer.models import SearchQuery

PHASES = ("before", "during", "after")
QUERIES = ("供应链金融 风险", "跨境理财通", "精算 定价", "碳中和 绿色金融", "数字人民币", "health insurance pricing")


@dataclass
class Sample:
    phase: str
    ms: float
    ok: bool


@dataclass
class SearchStream:
    """Searches one after another in a thread; each sample is labelled with the phase it ran in."""

    search: Callable[[int], object]
    phase: str = "before"
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="nodeloss-searches", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            phase = self.phase
            started = time.perf_counter()
            try:
                self.search(i)
                ok = True
            except Exception as exc:  # noqa: BLE001 - every failure a user would see counts as an error
                ok = False
                self.errors.append(f"{phase}: {type(exc).__name__}: {exc}"[:300])
            self.samples.append(Sample(phase, (time.perf_counter() - started) * 1000, ok))
            i += 1

    def summary(self, phase: str) -> dict[str, Any]:
        """Searches, errors and latency percentiles of one phase (failed searches count in the latency)."""
        ms = np.array([s.ms for s in self.samples if s.phase == phase])
        errors = sum(1 for s in self.samples if s.phase == phase and not s.ok)
        if not len(ms):
            return {"searches": 0, "errors": errors, "p50_ms": None, "p95_ms": None, "max_ms": None}
        return {"searches": int(len(ms)), "errors": errors,
                "p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
                "max_ms": round(float(ms.max()), 1)}


def marker(talent: int, version: int) -> str:
    """The one word only this version of this talent contains (ASCII: one token for any analyzer)."""
    return f"nlm{talent}x{version}"


def talent_doc(i: int, version: int) -> TalentDoc:
    return TalentDoc(
        talent_id=f"nl-{i:05d}", name=f"专家{i}", category="A", fields=("finance",),
        research_directions=(f"方向{i % 37}", "供应链金融"),
        bio=f"{QUERIES[i % len(QUERIES)]} 研究 {marker(i, version)}",
    )


@dataclass
class Writer:
    """Rewrites talents in batches; a refused batch is kept and retried (the durable queue's job)."""

    upsert: Callable[[list[TalentDoc]], object]
    talents: int
    batch: int = 20
    versions: dict[int, int] = field(default_factory=dict)
    pending: dict[int, TalentDoc] = field(default_factory=dict)
    refused: int = 0
    written: int = 0
    _next: int = 0

    def step(self) -> None:
        for _ in range(self.batch):
            i = self._next % self.talents
            self._next += 1
            self.versions[i] = self.versions.get(i, 0) + 1
            self.pending[i] = talent_doc(i, self.versions[i])
        self.flush()

    def flush(self) -> bool:
        """Try every pending write once; True when none is left."""
        if not self.pending:
            return True
        docs = list(self.pending.values())
        try:
            self.upsert(docs)
        except SearchUnavailable:
            self.refused += 1
            return False
        self.written += len(docs)
        for doc in docs:
            i = int(doc.talent_id.split("-")[1])
            if self.pending.get(i) is doc:
                del self.pending[i]
        return True


def lost_updates(search: Any, versions: dict[int, int]) -> list[str]:
    """Talents whose last version is not what a search for its word finds first."""
    lost = []
    for i, version in sorted(versions.items()):
        hits = search.search(SearchQuery(marker(i, version), mode="lexical", limit=3, with_facets=False)).results
        if not hits or hits[0].talent_id != f"nl-{i:05d}":
            lost.append(f"nl-{i:05d}")
    return lost


def run(talents: int, seconds: float, heap: str, state: Path) -> dict[str, Any]:
    from indexer.search import open_search
    from indexer.settings import SearchSettings

    cluster = LocalCluster(state, nodes=3, heap=heap)
    start_s = cluster.up()
    try:
        settings = SearchSettings(data_dir=state / "data", backend="elasticsearch", elasticsearch_url=cluster.url,
                                  elasticsearch_index="nodeloss", embedder="hashing")
        search = open_search(settings)
        search.upsert(talent_doc(i, 0) for i in range(talents))
        cluster.wait_for("green", index="nodeloss")
        rss_mb = cluster.rss_mb()
        stream = SearchStream(lambda i: search.search(SearchQuery(QUERIES[i % len(QUERIES)], limit=10)))
        writer = Writer(search.upsert, talents)
        stream.phase = "warm-up"  # first searches load what later ones reuse: not part of any phase
        stream.start()
        while len(stream.samples) < 3:
            time.sleep(0.05)
        victim = cluster.primary_node("nodeloss")
        yellow_s = restart_s = 0.0
        for phase in PHASES:
            if phase == "after":
                # still "during" until the node is back and every copy assigned again
                restart_s = cluster.up()  # only the missing node starts, on its data, and rejoins
                yellow_s = cluster.wait_for("green", index="nodeloss", nodes=3)
            stream.phase = phase
            if phase == "during":
                cluster.kill(victim)
            phase_end = time.perf_counter() + seconds
            while time.perf_counter() < phase_end:
                writer.step()
        stream.stop()
        deadline = time.perf_counter() + 60
        while not writer.flush() and time.perf_counter() < deadline:
            time.sleep(0.5)
        lost = lost_updates(search, writer.versions)
        search.backend.drop()  # type: ignore[attr-defined]
        search.close()
    finally:
        cluster.down()
    return {
        "bench": "nodeloss", "nodes": 3, "heap": heap, "talents": talents, "phase_seconds": seconds,
        "killed_node": victim, "cluster_start_s": round(start_s, 1), "cluster_rss_mb": round(rss_mb),
        "restart_s": round(restart_s, 1), "green_again_after_restart_s": round(yellow_s, 1),
        "during_s": round(seconds + restart_s + yellow_s, 1),
        "phases": {p: stream.summary(p) for p in PHASES},
        "writes": writer.written, "refused_batches": writer.refused, "talents_written": len(writer.versions),
        "lost_updates": len(lost), "errors_sample": stream.errors[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer.bench.nodeloss", description=__doc__.split("\n")[0])
    parser.add_argument("--talents", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--heap", default="384m", help="heap of each node")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-nodeloss-") as tmp:
        result = run(args.talents, args.seconds, args.heap, Path(tmp))
    print(f"three nodes up in {result['cluster_start_s']} s, {result['cluster_rss_mb']} MiB resident; "
          f"killed node {result['killed_node']} (the primary's), restarted in {result['restart_s']} s, "
          f"green again {result['green_again_after_restart_s']} s later", file=sys.stderr)
    print(f"{'phase':8} {'searches':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}", file=sys.stderr)
    for phase, s in result["phases"].items():
        print(f"{phase:8} {s['searches']:>9} {s['errors']:>7} {s['p50_ms']!s:>8} {s['p95_ms']!s:>8} "
              f"{s['max_ms']!s:>8}", file=sys.stderr)
    print(f"writes {result['writes']} ({result['refused_batches']} batches refused and retried), "
          f"talents written {result['talents_written']}, lost updates {result['lost_updates']}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["lost_updates"] else 0


if __name__ == "__main__":
    sys.exit(main())
