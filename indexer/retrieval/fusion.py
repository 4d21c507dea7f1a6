"""Combine lexical and dense evidence per passage.

Two methods, both measured by ``python -m indexer.bench quality``:

* ``calibrated`` (default): each list is scaled by its best score, then mixed
  with a lexical weight proportional to how *visible* lexical evidence is for
  that passage: a Chinese query can only share words with Chinese text, so for
  an English passage the missing lexical score says nothing and the dense score
  stands in for it. ``visibility = 1 − |cjk_share(passage) − cjk_share(query)|``.
* ``rrf``: reciprocal-rank fusion of the two passage rankings (scale-free but
  blind to score gaps and to the language asymmetry above).
"""

from __future__ import annotations

import numpy as np

from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.params import RankingParams


def _scaled(values: np.ndarray) -> np.ndarray:
    """Divide by the best positive value (all zeros when there is none)."""
    clean = np.nan_to_num(values, nan=0.0)
    best = clean.max(initial=0.0)
    return clean / best if best > 1e-9 else np.zeros_like(clean)


def fuse_calibrated(cands: CandidateSet, query_share: float, mode: str, params: RankingParams) -> None:
    """Set ``cands.fused`` (see module docstring)."""
    ln, dn = _scaled(cands.lexical), _scaled(cands.dense)
    if mode == "lexical":
        cands.fused = ln
    elif mode == "dense":
        cands.fused = dn
    else:
        if params.visibility_weighting:
            w = params.lexical_weight * (1.0 - np.abs(cands.share - query_share))
        else:
            w = np.full(len(cands), params.lexical_weight)
        cands.fused = (1.0 - w) * dn + w * ln


def _ranks(scores: np.ndarray, present: np.ndarray, keys: list[str]) -> np.ndarray:
    """0-based rank among ``present`` entries by descending score (ties by key); -1 if absent."""
    ranks = np.full(scores.shape[0], -1, dtype=np.int64)
    idx = np.flatnonzero(present)
    order = sorted(idx.tolist(), key=lambda i: (-scores[i], keys[i]))
    ranks[order] = np.arange(len(order))
    return ranks


def fuse_rrf(cands: CandidateSet, mode: str, params: RankingParams) -> None:
    """Reciprocal-rank fusion, scaled so that first place in every list scores 1."""
    k = params.rrf_k
    total = np.zeros(len(cands))
    lists = 0
    if mode != "dense":
        ranks = _ranks(cands.lexical, cands.lexical > 0, cands.keys)
        total += np.where(ranks >= 0, 1.0 / (k + ranks + 1), 0.0)
        lists += 1
    if mode != "lexical":
        ranks = _ranks(np.nan_to_num(cands.dense, nan=-np.inf), cands.dense_hit, cands.keys)
        total += np.where(ranks >= 0, 1.0 / (k + ranks + 1), 0.0)
        lists += 1
    cands.fused = total * (k + 1) / max(lists, 1)
