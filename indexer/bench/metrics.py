"""Ranking metrics for graded relevance judgments.

Conventions (printed by the quality benchmark too):

* NDCG@10 with *linear* gain (gain = grade, as trec_eval does) and log2
  discount; the ideal ranking is built from all judged talents of the query.
* Recall@10 counts talents with grade ≥ 1.
* MRR is the reciprocal rank of the first talent with grade ≥ 2 ("clearly
  relevant"), 0 when none is in the ranking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Linear-gain NDCG@k of ``ranking`` against ``grades`` (unlisted ids have grade 0)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([grades.get(t, 0) for t in ranking[:k]]) / ideal


def recall_at(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Share of talents with grade ≥ 1 found in the top ``k``."""
    relevant = {t for t, g in grades.items() if g >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int], min_grade: int = 2) -> float:
    """1/rank of the first talent with grade ≥ ``min_grade``."""
    for i, talent in enumerate(ranking):
        if grades.get(talent, 0) >= min_grade:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Mean NDCG@10 / Recall@10 / MRR over the queries in ``qrels``."""
    qids = [q for q in qrels if qrels[q]]
    if not qids:
        return {"ndcg@10": 0.0, "recall@10": 0.0, "mrr": 0.0, "queries": 0}
    n = len(qids)
    return {
        "ndcg@10": sum(ndcg_at(rankings.get(q, []), qrels[q]) for q in qids) / n,
        "recall@10": sum(recall_at(rankings.get(q, []), qrels[q]) for q in qids) / n,
        "mrr": sum(reciprocal_rank(rankings.get(q, []), qrels[q]) for q in qids) / n,
        "queries": n,
    }
