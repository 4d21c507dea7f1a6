"""Passages → talents.

A talent's score is its best passage plus a damped bonus for further strong
passages: ``best + alpha * Σ decay^i * max(0, s_i − floor * best)``. Several
directions and outputs on the topic lift an expert above someone with a
single mention, while weak extra passages add nothing (a prolific author is
not rewarded for volume alone).
"""

from __future__ import annotations

from collections import defaultdict

from indexer.retrieval.fusion import Candidate
from indexer.retrieval.params import RankingParams


def aggregate(cands: list[Candidate], params: RankingParams) -> dict[str, float]:
    """Talent scores from fused passage scores."""
    per_talent: dict[str, list[float]] = defaultdict(list)
    for c in cands:
        per_talent[c.talent_id].append(c.fused)
    scores = {}
    for talent_id, values in per_talent.items():
        values.sort(reverse=True)
        best = values[0]
        bonus = sum(
            params.agg_decay**i * max(0.0, v - params.agg_floor * best) for i, v in enumerate(values[1:])
        )
        scores[talent_id] = best + params.agg_alpha * bonus
    return scores


def passages_by_talent(cands: list[Candidate]) -> dict[str, list[Candidate]]:
    """Each talent's candidate passages, best first."""
    out: dict[str, list[Candidate]] = defaultdict(list)
    for c in sorted(cands, key=lambda c: (-c.fused, c.key)):
        out[c.talent_id].append(c)
    return out
