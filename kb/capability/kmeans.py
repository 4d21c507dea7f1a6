"""Spherical k-means over unit vectors, deterministic for a seed.

numpy alone (no scikit-learn dependency for one algorithm): k-means++ seeding,
then Lloyd iterations on cosine similarity. Vectors are float32 and the
similarity matrix is computed a block at a time, so 100k passages × 40
centroids stays a few hundred megabytes at most.
"""

from __future__ import annotations

import numpy as np

_BLOCK = 20_000


def _normalize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (x / norms).astype(np.float32, copy=False)
    return out


def _nearest(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and similarity to the nearest centroid of each row."""
    labels = np.empty(x.shape[0], dtype=np.int64)
    best = np.empty(x.shape[0], dtype=np.float32)
    for start in range(0, x.shape[0], _BLOCK):
        sims = x[start : start + _BLOCK] @ centroids.T
        labels[start : start + _BLOCK] = sims.argmax(axis=1)
        best[start : start + _BLOCK] = sims.max(axis=1)
    return labels, best


def _seed(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each next centre drawn with probability ∝ its squared distance to the chosen ones."""
    centres = [int(rng.integers(x.shape[0]))]
    dist = np.maximum(0.0, 2.0 - 2.0 * (x @ x[centres[0]]))  # squared euclidean distance of unit vectors
    for _ in range(1, k):
        total = float(dist.sum())
        nxt = int(rng.choice(x.shape[0], p=dist / total)) if total > 0 else int(rng.integers(x.shape[0]))
        centres.append(nxt)
        dist = np.minimum(dist, np.maximum(0.0, 2.0 - 2.0 * (x @ x[nxt])))
    return x[centres].copy()


def kmeans(
    vectors: np.ndarray, k: int, *, seed: int = 17, iterations: int = 30, restarts: int = 4,
) -> tuple[np.ndarray, np.ndarray]:
    """``(labels, centroids)``: ``k`` clusters of the rows of ``vectors`` by cosine.

    The same input and seed always give the same labels. ``k`` is cut to the
    number of rows; an emptied cluster is re-seeded with the row farthest
    from its centre, so every returned cluster has members. Lloyd's
    iterations stop in a local optimum that depends on the seeding (two seeds
    in one group split it and merge two others), so the clustering is run
    ``restarts`` times from different seedings and the tightest result kept.
    """
    x = _normalize(np.asarray(vectors, dtype=np.float32))
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, x.shape[1] if x.ndim == 2 else 0), dtype=np.float32)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(max(1, restarts)):
        labels, centroids, fit = _lloyd(x, k, rng, iterations)
        if best is None or fit > best[0]:
            best = (fit, labels, centroids)
    assert best is not None
    return best[1], best[2]


def _lloyd(x: np.ndarray, k: int, rng: np.random.Generator, iterations: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One run from a k-means++ seeding: labels, centroids and the summed similarity to them."""
    n = x.shape[0]
    centroids = _seed(x, k, rng)
    labels = np.full(n, -1, dtype=np.int64)
    sims = np.zeros(n, dtype=np.float32)
    for _ in range(iterations):
        new, sims = _nearest(x, centroids)
        counts = np.bincount(new, minlength=k)
        for empty in np.flatnonzero(counts == 0):
            far = int(sims.argmin())
            new[far] = empty
            sims[far] = 1.0
        if np.array_equal(new, labels):
            break
        labels = new
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(k + 1))
        sums = np.stack([x[order[bounds[c] : bounds[c + 1]]].sum(axis=0) for c in range(k)])
        centroids = _normalize(sums)
    return labels, centroids, float(sims.sum())
