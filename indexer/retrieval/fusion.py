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

from dataclasses import dataclass

from indexer.retrieval.params import RankingParams


@dataclass
class Candidate:
    """Everything known about one candidate passage."""

    key: str
    talent_id: str
    group: str
    cjk_share: float
    lexical: float = 0.0
    dense: float | None = None
    lexical_rank: int | None = None
    dense_rank: int | None = None
    fused: float = 0.0

    @property
    def matched_by(self) -> str:
        lexical = self.lexical > 0
        dense = self.dense_rank is not None
        if lexical and dense:
            return "both"
        return "lexical" if lexical else "dense"


def _max_positive(values: list[float]) -> float:
    best = max(values, default=0.0)
    return best if best > 1e-9 else 0.0


def fuse_calibrated(cands: list[Candidate], query_share: float, mode: str, params: RankingParams) -> None:
    """Set ``fused`` on every candidate (see module docstring)."""
    lmax = _max_positive([c.lexical for c in cands])
    dmax = _max_positive([c.dense for c in cands if c.dense is not None])
    for c in cands:
        ln = c.lexical / lmax if lmax else 0.0
        dn = (c.dense or 0.0) / dmax if dmax else 0.0
        if mode == "lexical":
            c.fused = ln
        elif mode == "dense":
            c.fused = dn
        else:
            w = params.lexical_weight * (1.0 - abs(c.cjk_share - query_share))
            c.fused = (1.0 - w) * dn + w * ln


def fuse_rrf(cands: list[Candidate], mode: str, params: RankingParams) -> None:
    """Reciprocal-rank fusion; ranks are 0-based positions in each list."""
    k = params.rrf_k
    for c in cands:
        score = 0.0
        if mode != "dense" and c.lexical_rank is not None:
            score += 1.0 / (k + c.lexical_rank + 1)
        if mode != "lexical" and c.dense_rank is not None:
            score += 1.0 / (k + c.dense_rank + 1)
        # Scale so the best possible score is 1, like the calibrated method.
        c.fused = score * (k + 1) / (2 if mode == "hybrid" else 1)


def assign_ranks(cands: list[Candidate]) -> None:
    """Rank positions by lexical and by dense score (ties broken by key)."""
    lex = sorted((c for c in cands if c.lexical > 0), key=lambda c: (-c.lexical, c.key))
    for i, c in enumerate(lex):
        c.lexical_rank = i
    dense = sorted((c for c in cands if c.dense_rank is not None), key=lambda c: (-(c.dense or 0.0), c.key))
    for i, c in enumerate(dense):
        c.dense_rank = i
