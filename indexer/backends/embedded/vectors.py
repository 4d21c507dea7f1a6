"""Dense vectors of one language group: usearch HNSW (int8) plus an exact path.

Unfiltered queries use the HNSW graph. When filters leave only a small share of
the group, graph search would have to over-fetch enormously, so the allowed
passages are scored exactly instead (their int8 vectors are read back from the
index); in between, the graph is searched with over-fetching and the result
falls back to exact scoring if too few allowed passages came back.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from usearch.index import Index

#: Graph parameters: measured with ``python -m indexer.bench scale``.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
#: Filtered searches over at most this many allowed passages are exact.
EXACT_LIMIT = 20_000


class GroupVectors:
    """Passage vectors of one language group, keyed by passage id."""

    def __init__(self, dim: int, index: Index | None = None) -> None:
        self.dim = dim
        self.index = index or Index(
            ndim=dim,
            metric="cos",
            dtype="i8",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def __len__(self) -> int:
        return len(self.index)

    def add(self, pids: np.ndarray, vectors: np.ndarray, threads: int = 0) -> None:
        if len(pids):
            self.index.add(
                np.asarray(pids, dtype=np.uint64), np.asarray(vectors, dtype=np.float32), threads=threads
            )

    def remove(self, pids: np.ndarray) -> None:
        if len(pids):
            self.index.remove(np.asarray(pids, dtype=np.uint64))

    def exact(self, query: np.ndarray, pids: np.ndarray) -> np.ndarray:
        """Cosine of ``query`` to each of ``pids`` (which must be in the index)."""
        if len(pids) == 0:
            return np.zeros(0, dtype=np.float32)
        got = self.index.get(np.asarray(pids, dtype=np.uint64))
        rows = [g if g is not None else np.zeros(self.dim, np.int8) for g in got]
        matrix = np.vstack(rows).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1)
        norms[norms == 0] = 1.0
        return (matrix @ query) / norms

    def search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``n`` ``(pids, cosines)``; ``allowed`` restricts to those pids (None = all)."""
        size = len(self.index)
        if size == 0 or n <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if allowed is None or len(allowed) >= size:
            return self._graph(query, min(n, size))
        if len(allowed) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if len(allowed) <= EXACT_LIMIT:
            return self._exact_top(query, allowed, n)
        fetch = min(size, math.ceil(n * size / len(allowed) * 1.5) + 32)
        pids, scores = self._graph(query, fetch)
        keep = np.isin(pids, allowed)
        if np.count_nonzero(keep) >= min(n, len(allowed)):
            return pids[keep][:n], scores[keep][:n]
        return self._exact_top(query, allowed, n)

    def _graph(self, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        matches = self.index.search(np.asarray(query, dtype=np.float32), n, threads=1)
        return matches.keys.astype(np.int64), (1.0 - matches.distances).astype(np.float32)

    def _exact_top(self, query: np.ndarray, allowed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        scores = np.concatenate(
            [self.exact(query, allowed[i : i + EXACT_LIMIT]) for i in range(0, len(allowed), EXACT_LIMIT)]
        )
        top = np.argpartition(-scores, n)[:n] if n < scores.shape[0] else np.arange(scores.shape[0])
        top = top[np.lexsort((allowed[top], -scores[top]))]
        return np.asarray(allowed)[top].astype(np.int64), scores[top]

    def save(self, path: Path) -> None:
        self.index.save(str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> GroupVectors:
        index = Index.restore(str(path))
        if index is None:
            raise FileNotFoundError(path)
        index.expansion_search = EXPANSION_SEARCH
        return cls(dim, index)
