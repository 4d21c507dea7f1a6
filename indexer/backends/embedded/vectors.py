"""Dense vectors of one language group: exact while small, int8 HNSW once large.

Multilingual e5 vectors share a large common component, so their cosines to a
query crowd into a narrow band (0.75–0.9) and int8 quantisation of the raw
vectors loses about 7% of the true top-k. The graph therefore stores
*standardised* vectors ``z = (x − m) / σ`` (per-dimension mean and spread),
normalised as usual for the cosine metric, and keeps each ``|z|``. Since

    x·q = m·q + z·(σ·q) = m·q + cos(z, σq) · |z| · |σq|

the exact cosine ``x·q`` is recovered from the graph's cosine, the stored norm
and two per-query constants. The graph ranks by ``cos(z, σq)``, which differs
from the target order by the factor ``|z|``, so it is searched with
over-fetching and the candidates are re-ranked by the recovered score.

The statistics need a few thousand vectors to be trustworthy, so a group
stays an exact float32 matrix until it reaches ``HNSW_MIN`` vectors; then they
are frozen for the life of the generation and the graph is built. Filtered
searches that leave few allowed passages are scored exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import Index

#: Graph parameters: see ``python -m indexer.bench scale`` for their effect.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
#: A group switches from an exact matrix to HNSW at this many vectors.
HNSW_MIN = 30_000
#: In graph mode, filtered searches over at most this many allowed passages are exact
#: (reading vectors back from the graph costs ~5 µs each); larger sets over-fetch.
EXACT_LIMIT = 2_000
#: Graph candidates fetched per wanted result (the graph order is only approximately the final one).
OVERFETCH = 2


class GroupVectors:
    """Passage vectors of one language group, keyed by passage id."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self.keys = np.zeros(0, dtype=np.int64)
        self.size = 0
        self.row_of = np.full(0, -1, dtype=np.int64)  # pid → matrix row (exact mode), -1 if absent
        self.index: Index | None = None
        self.offset = np.zeros(dim, dtype=np.float32)
        self.spread = np.ones(dim, dtype=np.float32)
        self.norms = np.zeros(0, dtype=np.float32)  # |z| per passage id (graph mode)

    def __len__(self) -> int:
        return len(self.index) if self.index is not None else self.size

    # -- updates ---------------------------------------------------------------------
    def add(self, pids: np.ndarray, vectors: np.ndarray, threads: int = 0) -> None:
        if len(pids) == 0:
            return
        pids = np.asarray(pids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.index is not None:
            self._graph_add(pids, vectors, threads)
            return
        need = self.size + len(pids)
        if need > self.matrix.shape[0]:
            capacity = max(need, 2 * self.matrix.shape[0], 256)
            matrix = np.zeros((capacity, self.dim), dtype=np.float32)
            matrix[: self.size] = self.matrix[: self.size]
            keys = np.zeros(capacity, dtype=np.int64)
            keys[: self.size] = self.keys[: self.size]
            self.matrix, self.keys = matrix, keys
        self.matrix[self.size : need] = vectors
        self.keys[self.size : need] = pids
        self._grow_rows(int(pids.max()) + 1)
        self.row_of[pids] = np.arange(self.size, need)
        self.size = need
        if self.size >= HNSW_MIN:
            self._build_graph(threads)

    def remove(self, pids: np.ndarray) -> None:
        if len(pids) == 0:
            return
        if self.index is not None:
            self.index.remove(np.asarray(pids, dtype=np.uint64))
            return
        for pid in np.asarray(pids, dtype=np.int64).tolist():
            row = int(self.row_of[pid]) if pid < self.row_of.shape[0] else -1
            if row < 0:
                continue
            self.row_of[pid] = -1
            last = self.size - 1
            if row != last:  # move the last row into the hole
                moved = int(self.keys[last])
                self.matrix[row] = self.matrix[last]
                self.keys[row] = moved
                self.row_of[moved] = row
            self.size = last

    def _build_graph(self, threads: int) -> None:
        """Freeze the standardisation statistics and move the vectors into an int8 graph."""
        data = self.matrix[: self.size]
        keys = self.keys[: self.size].copy()
        self.offset = data.mean(axis=0).astype(np.float32)
        self.spread = np.maximum(data.std(axis=0), 1e-4).astype(np.float32)
        self.index = Index(
            ndim=self.dim,
            metric="cos",
            dtype="i8",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self.keys = np.zeros(0, dtype=np.int64)
        self.row_of = np.full(0, -1, dtype=np.int64)
        self.size = 0
        for i in range(0, keys.shape[0], 50_000):
            self._graph_add(keys[i : i + 50_000], data[i : i + 50_000], threads)

    def _grow_rows(self, size: int) -> None:
        if size > self.row_of.shape[0]:
            grown = np.full(max(size, 2 * self.row_of.shape[0]), -1, dtype=np.int64)
            grown[: self.row_of.shape[0]] = self.row_of
            self.row_of = grown

    def _graph_add(self, pids: np.ndarray, vectors: np.ndarray, threads: int) -> None:
        z = (vectors - self.offset) / self.spread
        norms = np.linalg.norm(z, axis=1).astype(np.float32)
        top = int(pids.max()) + 1
        if top > self.norms.shape[0]:
            grown = np.zeros(max(top, 2 * self.norms.shape[0]), dtype=np.float32)
            grown[: self.norms.shape[0]] = self.norms
            self.norms = grown
        self.norms[pids] = norms
        assert self.index is not None
        self.index.add(pids.astype(np.uint64), z.astype(np.float32), threads=threads)

    # -- queries ---------------------------------------------------------------------
    def exact(self, query: np.ndarray, pids: np.ndarray) -> np.ndarray:
        """Cosine of ``query`` to each of ``pids`` (0 for unknown ids)."""
        pids = np.asarray(pids, dtype=np.int64)
        if pids.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        query = np.asarray(query, dtype=np.float32)
        if self.index is None:
            inside = pids < self.row_of.shape[0]
            rows = np.where(inside, self.row_of[np.where(inside, pids, 0)], -1)
            out = np.zeros(pids.shape[0], dtype=np.float32)
            ok = rows >= 0
            out[ok] = _matvec(self.matrix[rows[ok]], query)
            return out
        # usearch answers one key with a vector, several with a tuple holding None for unknown keys
        got: Any = self.index.get(pids.astype(np.uint64))
        found: list[np.ndarray | None] = [got] if pids.shape[0] == 1 else list(got)
        stored = [g if g is not None else np.zeros(self.dim, np.int8) for g in found]
        unit = np.vstack(stored).astype(np.float32)
        unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-9)
        z = unit * self.norms[np.minimum(pids, self.norms.shape[0] - 1)][:, None]
        return _matvec(z * self.spread + self.offset, query)

    def search(
        self,
        query: np.ndarray,
        n: int,
        allowed: np.ndarray | None = None,
        allowed_mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``n`` ``(pids, cosines)``.

        ``allowed`` restricts the search to those pids (None = all); ``allowed_mask``,
        a boolean array over passage ids, must then describe the same set (it makes
        membership tests O(1) when over-fetching from the graph).
        """
        size = len(self)
        if size == 0 or n <= 0 or (allowed is not None and len(allowed) == 0):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        query = np.asarray(query, dtype=np.float32)
        if self.index is None:
            if allowed is None:
                return _top(self.keys[: self.size], _matvec(self.matrix[: self.size], query), n)
            pids = np.asarray(allowed, dtype=np.int64)
            return _top(pids, self.exact(query, pids), n)
        if allowed is None or len(allowed) >= size:
            return self._graph(query, n, OVERFETCH * n)
        allowed = np.asarray(allowed, dtype=np.int64)
        if len(allowed) <= EXACT_LIMIT:
            return _top(allowed, self.exact(query, allowed), n)
        # Enough candidates that about n of them pass the filter; a slightly short
        # pool is fine (it only feeds fusion), an enormous graph search is not.
        fetch = min(size, math.ceil(n * size / len(allowed) * 1.2) + 16)
        if allowed_mask is None:
            allowed_mask = np.zeros(int(allowed.max()) + 1, dtype=bool)
            allowed_mask[allowed] = True
        return self._graph(query, n, fetch, allowed_mask)

    def _graph(
        self, query: np.ndarray, n: int, fetch: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Graph candidates (filtered by ``mask``) re-ranked by the recovered cosine ``x·q``."""
        assert self.index is not None
        scaled = query * self.spread
        matches = self.index.search(scaled, min(len(self.index), fetch), threads=1)
        keys = matches.keys.astype(np.int64)
        cosines = 1.0 - matches.distances.astype(np.float32)
        if mask is not None:
            inside = keys < mask.shape[0]
            inside[inside] = mask[keys[inside]]
            keys, cosines = keys[inside], cosines[inside]
        scores = float(self.offset @ query) + cosines * self.norms[keys] * float(np.linalg.norm(scaled))
        return _top(keys, scores, n)

    # -- persistence -----------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        meta = {"dim": self.dim, "mode": "graph" if self.index is not None else "exact"}
        if self.index is not None:
            self.index.save(str(path / "graph.usearch"))
            np.save(path / "offset.npy", self.offset)
            np.save(path / "spread.npy", self.spread)
            np.save(path / "norms.npy", self.norms)
        else:
            np.save(path / "matrix.npy", self.matrix[: self.size])
            np.save(path / "keys.npy", self.keys[: self.size])
        (path / "meta.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, path: Path, dim: int) -> GroupVectors:
        meta = json.loads((path / "meta.json").read_text())
        if int(meta["dim"]) != dim:
            raise ValueError(f"vector snapshot has dim {meta['dim']}, expected {dim}")
        vectors = cls(dim)
        if meta["mode"] == "graph":
            index = Index.restore(str(path / "graph.usearch"))
            if index is None:
                raise FileNotFoundError(path / "graph.usearch")
            # usearch defines the setter twice, so its annotations read as a read-only property
            index.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]
            vectors.index = index
            vectors.offset = np.load(path / "offset.npy")
            vectors.spread = np.load(path / "spread.npy")
            vectors.norms = np.load(path / "norms.npy")
        else:
            vectors.matrix = np.load(path / "matrix.npy")
            vectors.keys = np.load(path / "keys.npy")
            vectors.size = vectors.keys.shape[0]
            if vectors.size:
                vectors._grow_rows(int(vectors.keys.max()) + 1)
                vectors.row_of[vectors.keys] = np.arange(vectors.size)
        return vectors


def _matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` without BLAS threads.

    A threaded BLAS spends more time waking (and, on a busy machine, spinning)
    its threads than computing one matrix-vector product of this size:
    measured 7.8 ms with ``@`` against 2.7 ms with ``einsum`` for 23k × 384.
    """
    product: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return product


def _top(pids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``n`` by score, ties broken by pid (deterministic)."""
    idx = np.argpartition(-scores, n)[:n] if n < scores.shape[0] else np.arange(scores.shape[0])
    idx = idx[np.lexsort((pids[idx], -scores[idx]))]
    return pids[idx], scores[idx].astype(np.float32)
