"""Time the capability map's topic build on N synthetic talents: ``python -m kb.capability.bench --talents 10000``.

The index is built from ``indexer.bench.synthetic`` (the scale benchmark's
talents: three directions, a bio and five outputs each, synthetic document
vectors at the default model's dimension, 384), in a temporary embedded
index; building it is not timed. Then, in the same process:

- baseline: reading every stored passage and its vector (``Backend.all_passages``),
  the floor any map built from the index pays;
- the topic build (``kb.capability.topics.build_topics``): read, centre,
  cluster, assign, label (jieba + c-TF-IDF);
- its stages, measured separately: k-means alone on the talent vectors, and
  term counting with labelling.

Needs and workload are not part of it: they cost one recommendation search
per recent need and two grouped queries, whatever the pool's size. The last
line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from indexer.bench.synthetic import SyntheticPassageEmbedder, synthetic_talents
from indexer.embedding import CachedEmbedder, load_model
from indexer.search import open_search
from indexer.settings import SearchSettings
from kb.capability import topics as topic_module
from kb.capability.kmeans import kmeans
from kb.capability.terms import count_terms, ctfidf

#: The default model's dimension; the synthetic vectors need no model, only its size.
DIM = 384


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(talents: int, data_dir: Path, seed: int = 7) -> dict[str, Any]:
    settings = SearchSettings(data_dir=data_dir, embedder=f"hashing:{DIM}")
    real = load_model(f"hashing:{DIM}", settings)
    search = open_search(settings, embedder=CachedEmbedder(SyntheticPassageEmbedder(real, 3), None))
    t0 = time.perf_counter()
    search.rebuild(synthetic_talents(talents, seed))
    index_s = time.perf_counter() - t0
    backend = search.backend

    t0 = time.perf_counter()
    passages = sum(len(batch) for batch in backend.all_passages())
    read_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    topics = topic_module.build_topics(backend)
    build_s = time.perf_counter() - t0

    # stages, measured apart: clustering the talent vectors, and counting and weighting terms
    pool = topic_module._read(backend.all_passages())
    ids, vectors = topic_module._talent_vectors(pool, topic_module._centred(pool))
    t0 = time.perf_counter()
    labels, _ = kmeans(vectors, topic_module.topic_count(len(ids)), seed=topic_module.SEED)
    kmeans_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    by_topic: dict[int, list[str]] = {}
    topic_of = dict(zip(ids, labels.tolist(), strict=True))
    for tid, kind, text in zip(pool.talent_ids, pool.kinds, pool.texts, strict=True):
        if kind in topic_module.TERM_KINDS:
            by_topic.setdefault(topic_of[tid], []).append(text)
    counted = [count_terms(texts) for texts in by_topic.values()]
    ctfidf([zh for zh, _ in counted])
    ctfidf([en for _, en in counted])
    terms_s = time.perf_counter() - t0
    search.close()
    return {
        "talents": talents, "passages": passages, "topics": len(topics),
        "index_build_s": round(index_s, 1),
        "baseline_read_vectors_s": round(read_s, 2),
        "map_topics_build_s": round(build_s, 2),
        "stage_kmeans_s": round(kmeans_s, 2), "stage_terms_labels_s": round(terms_s, 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="where to build the index (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-capability-bench-") as tmp:
        out = run(args.talents, args.data_dir or Path(tmp), args.seed)
    print(f"{out['talents']} synthetic talents, {out['passages']} passages, {out['topics']} topics "
          f"(index built in {out['index_build_s']} s, not counted)")
    print(f"baseline: read every passage vector from the index  {out['baseline_read_vectors_s']:>8.2f} s")
    print(f"capability map topics: build                        {out['map_topics_build_s']:>8.2f} s")
    print(f"  of which k-means on the talent vectors            {out['stage_kmeans_s']:>8.2f} s")
    print(f"  of which terms and labels                         {out['stage_terms_labels_s']:>8.2f} s")
    print(f"peak RSS {out['peak_rss_mb']} MB; 1-minute load average at the end {out['load_avg_1m']} on {os.cpu_count()} cores")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
