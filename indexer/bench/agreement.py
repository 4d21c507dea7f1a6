"""How far two backends' rankings of the same queries agree, beyond the top result.

The embedded index and Elasticsearch run the same ranking code over the same
tokens and vectors, but their candidate lists come from different graph
searches (HNSW in usearch, int8 HNSW in Lucene) and their BM25 statistics from
different segment layouts, so the rankings may differ a little near the cut.
These figures say how much: the share of each query's top ``k`` both return,
how many queries have the same first result, and rank correlation over the
talents both return. ``python -m indexer.bench quality`` prints them when it
runs both backends, and the conformance tests hold them to bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: Depth the figures look at (the page a user reads).
TOP_K = 10


def overlap(a: Sequence[str], b: Sequence[str], k: int = TOP_K) -> float:
    """Share of the top ``k`` that both lists hold (1.0: the same talents, in any order)."""
    top_a, top_b = set(a[:k]), set(b[:k])
    depth = max(len(top_a), len(top_b))
    return len(top_a & top_b) / depth if depth else 1.0


def footrule(a: Sequence[str], b: Sequence[str], k: int = TOP_K) -> float:
    """Mean absolute rank shift of the talents both top-``k`` lists hold, in places (0: same order)."""
    rank_b = {t: i for i, t in enumerate(b[:k])}
    shifts = [abs(i - rank_b[t]) for i, t in enumerate(a[:k]) if t in rank_b]
    return sum(shifts) / len(shifts) if shifts else 0.0


def agreement(
    a: Mapping[str, Sequence[str]], b: Mapping[str, Sequence[str]], k: int = TOP_K
) -> dict[str, float | int | list[str]]:
    """Agreement figures over the queries both rankings answer (keyed by query id)."""
    qids = sorted(set(a) & set(b))
    if not qids:
        return {"queries": 0}
    overlaps = {q: overlap(a[q], b[q], k) for q in qids}
    return {
        "queries": len(qids),
        f"mean_overlap@{k}": round(sum(overlaps.values()) / len(qids), 4),
        f"min_overlap@{k}": round(min(overlaps.values()), 4),
        "same_first_share": round(sum(1 for q in qids if a[q][:1] == b[q][:1]) / len(qids), 4),
        f"same_top{k}_order_share": round(sum(1 for q in qids if list(a[q][:k]) == list(b[q][:k])) / len(qids), 4),
        f"mean_rank_shift@{k}": round(sum(footrule(a[q], b[q], k) for q in qids) / len(qids), 4),
        "least_agreeing": [q for q, _ in sorted(overlaps.items(), key=lambda kv: (kv[1], kv[0]))[:3]],
    }
