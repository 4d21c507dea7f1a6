"""Passages → talents.

A talent's score is its best passage plus a damped bonus for further strong
passages: ``best + alpha * Σ decay^i * max(0, s_i − floor * best)``. Several
directions and outputs on the topic lift an expert above someone with a
single mention, while weak extra passages add nothing (a prolific author is
not rewarded for volume alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.params import RankingParams


@dataclass(frozen=True)
class TalentScores:
    """Per-talent scores and, per talent, its candidate passages best first."""

    talents: list[str]
    scores: np.ndarray
    #: Candidate indices sorted by (talent, fused descending); ``starts[t]`` opens talent t.
    order: np.ndarray
    starts: np.ndarray

    def ranked(self) -> list[int]:
        """Talent positions by descending score, ties broken by talent id."""
        return sorted(range(len(self.talents)), key=lambda t: (-self.scores[t], self.talents[t]))

    def passages(self, t: int) -> np.ndarray:
        end = self.starts[t + 1] if t + 1 < len(self.starts) else self.order.shape[0]
        return self.order[self.starts[t] : end]


def aggregate(cands: CandidateSet, params: RankingParams) -> TalentScores:
    """Talent scores from ``cands.fused``, vectorised."""
    if len(cands) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return TalentScores([], np.zeros(0), empty, empty)
    codes: dict[str, int] = {}
    talent_idx = np.fromiter((codes.setdefault(t, len(codes)) for t in cands.talents), np.int64, len(cands))
    fused = cands.fused
    order = np.lexsort((-fused, talent_idx))
    sorted_talent = talent_idx[order]
    starts = np.flatnonzero(np.r_[True, sorted_talent[1:] != sorted_talent[:-1]])
    group_of = np.cumsum(np.r_[False, sorted_talent[1:] != sorted_talent[:-1]])
    rank = np.arange(order.shape[0]) - starts[group_of]
    values = fused[order]
    best = values[starts][group_of]
    extra = np.where(
        rank >= 1,
        params.agg_decay ** np.maximum(rank - 1, 0) * np.maximum(0.0, values - params.agg_floor * best),
        0.0,
    )
    bonus = np.bincount(group_of, weights=extra, minlength=starts.shape[0])
    scores = values[starts] + params.agg_alpha * bonus
    names = list(codes)
    # Groups are in talent-code order because lexsort's primary key is the talent code.
    return TalentScores([names[c] for c in sorted_talent[starts]], scores, order, starts)
