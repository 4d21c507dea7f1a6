"""Language-centred dense scoring — the cross-lingual calibration.

Multilingual embedders place every text near its *language's* centroid, so a
Chinese query is closer to any Chinese passage than to an on-topic English
one. Subtracting the per-language mean vector from both sides removes that
shared language component (Libovický et al., 2020, "On the Language Neutrality
of Pre-trained Multilingual Representations"):

    score(p) = (p − μ_lang(p)) · (q − μ_lang(q)) / |q − μ_lang(q)|

Expanded, this is ``p · q̂ − μ_lang(p) · q̂`` with ``q̂`` the normalised centred
query, i.e. an ordinary cosine search with ``q̂`` over the *raw* stored
vectors inside each language group, minus one constant per group. So the
index keeps raw vectors, ANN/kNN works unchanged, and the centroids — running
sums per group, like BM25's document frequencies — can change freely as
talents are added. A small group's mean is shrunk towards zero (a pseudo-count
of zero vectors), so with only a handful of passages the group is simply not
centred — raw cosine — instead of being centred on a noisy estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.backends.base import Centroids


def group_means(centroids: Centroids, prior: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Shrunk mean vector per group, and the global mean for groups the index lacks."""
    total = sum(centroids.counts.values())
    dims = {v.shape[0] for v in centroids.sums.values()}
    if total == 0 or not dims:
        return {}, np.zeros(0, dtype=np.float64)
    global_mean: np.ndarray = np.sum(list(centroids.sums.values()), axis=0) / total
    means = {
        g: centroids.sums[g] / (centroids.counts[g] + prior)
        for g in centroids.sums
        if centroids.counts.get(g, 0) > 0
    }
    return means, global_mean


@dataclass(frozen=True)
class DenseQuery:
    """A centred query: the unit search vector and each group's offset."""

    unit: np.ndarray
    offsets: dict[str, float]
    default_offset: float

    def score(self, cosine: float, group: str) -> float:
        """Centred score of a passage from its cosine to ``unit``."""
        return cosine - self.offsets.get(group, self.default_offset)


def center_query(
    vector: np.ndarray, query_group: str, centroids: Centroids, prior: float, center: bool = True
) -> DenseQuery:
    """Centre a raw (unit) query vector with the current corpus statistics.

    With ``center=False`` the query is left raw (plain cosine, every offset 0) but
    the groups are still listed, so retrieval keeps its per-language pools.
    """
    means, global_mean = group_means(centroids, prior)
    q = np.asarray(vector, dtype=np.float64)
    if not center:
        return DenseQuery(q.astype(np.float32), dict.fromkeys(means, 0.0), 0.0)
    if not means:
        return DenseQuery(q.astype(np.float32), {}, 0.0)
    centred = q - means.get(query_group, global_mean)
    norm = float(np.linalg.norm(centred))
    unit = centred / norm if norm > 1e-9 else q
    offsets = {g: float(m @ unit) for g, m in means.items()}
    return DenseQuery(unit.astype(np.float32), offsets, float(global_mean @ unit))
