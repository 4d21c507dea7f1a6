"""Request bodies and response parsing for searches (pure functions, no I/O).

Queries only ever use ``term``/``terms``/``ids``/``knn`` clauses built from
analysed terms: user text is never parsed as query syntax. The same bodies
serve single requests and ``msearch``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from indexer.analysis import GROUPS
from indexer.backends.base import Filters, Hit, LexicalQuery
from indexer.backends.elasticsearch.mapping import PASSAGE_HIT_SOURCE, vector_field
from indexer.retrieval.params import BM25_K1

#: Dense-score requests are split into bodies of at most this many ids.
DENSE_SCORES_CHUNK = 1000
#: kNN hits are re-scored with the stored float vectors: the int8 index finds the
#: neighbours, but its quantised cosines differ from the exact ones by up to 0.1
#: with small segments, and match strength (``indexer.retrieval.match``) reads
#: cosines on an absolute scale that the embedded backend computes exactly.
RESCORE_EXACT = {"oversample": 1.0}


def filter_clauses(filters: Filters) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(filter, must_not)`` clauses reproducing ``Filters.accepts``."""
    clauses: list[dict[str, Any]] = []
    if filters.categories:
        clauses.append({"terms": {"category": list(filters.categories)}})
    if filters.fields:
        clauses.append({"terms": {"fields": list(filters.fields)}})
    if filters.available is not None:
        clauses.append({"term": {"available": filters.available}})
    if filters.languages:
        clauses.append({"terms": {"languages": list(filters.languages)}})
    must_not = [{"terms": {"talent_id": list(filters.exclude)}}] if filters.exclude else []
    return clauses, must_not


def lexical_should(query: LexicalQuery) -> list[dict[str, Any]]:
    should = [{"term": {"words": {"value": t, "boost": query.word_weight(t)}}} for t in query.words]
    should += [{"term": {"grams": {"value": t, "boost": query.gram_weight}}} for t in query.grams]
    return should


def lexical_body(query: LexicalQuery, filters: Filters, n: int) -> dict[str, Any]:
    clauses, must_not = filter_clauses(filters)
    return {
        "query": {
            "bool": {
                "filter": [{"term": {"doc_type": "passage"}}, *clauses],
                "must_not": must_not,
                "should": lexical_should(query),
                "minimum_should_match": 1,
            }
        },
        "size": n,
        "_source": PASSAGE_HIT_SOURCE,
        "track_total_hits": False,
    }


def dense_body(vector: np.ndarray, group: str, filters: Filters, n: int) -> dict[str, Any]:
    """kNN in the group's own graph (``vector_field``): filtered only by what the user filtered."""
    clauses, must_not = filter_clauses(filters)
    knn: dict[str, Any] = {
        "field": vector_field(group),
        "query_vector": np.asarray(vector, dtype=np.float32),  # orjson: float32 digits
        "k": n,
        "num_candidates": min(10_000, max(2 * n, 100)),
        "rescore_vector": RESCORE_EXACT,
    }
    if clauses or must_not:
        knn["filter"] = {"bool": {"filter": clauses, "must_not": must_not}}
    return {"knn": knn, "size": n, "_source": PASSAGE_HIT_SOURCE}


def lexical_scores_body(query: LexicalQuery, keys: Sequence[str]) -> dict[str, Any]:
    return {
        "query": {
            "bool": {
                "filter": [{"term": {"doc_type": "passage"}}, {"ids": {"values": list(keys)}}],
                "should": lexical_should(query),
                "minimum_should_match": 1,
            }
        },
        "size": len(keys),
        "_source": False,
        "track_total_hits": False,
    }


def dense_scores_bodies(vector: np.ndarray, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Exact cosine of the given passages: per ``DENSE_SCORES_CHUNK`` ids, a body per group field.

    The keys' groups are not known here; an ids filter smaller than ``k`` makes each
    body an exact scan of the few ids that have that group's field.
    """
    query_vector = np.asarray(vector, dtype=np.float32)
    bodies = []
    for i in range(0, len(keys), DENSE_SCORES_CHUNK):
        chunk = list(keys[i : i + DENSE_SCORES_CHUNK])
        for group in GROUPS:
            bodies.append(
                {
                    "knn": {
                        "field": vector_field(group),
                        "query_vector": query_vector,
                        "k": len(chunk),
                        "num_candidates": min(10_000, max(len(chunk), 10)),
                        "rescore_vector": RESCORE_EXACT,
                        "filter": {"ids": {"values": chunk}},
                    },
                    "size": len(chunk),
                    "_source": False,
                }
            )
    return bodies


def talent_query(filters: Filters) -> dict[str, Any]:
    clauses, must_not = filter_clauses(filters)
    return {"bool": {"filter": [{"term": {"doc_type": "talent"}}, *clauses], "must_not": must_not}}


def talents_by_id_query(talent_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "bool": {"filter": [{"term": {"doc_type": "talent"}}, {"terms": {"talent_id": list(talent_ids)}}]}
    }


def passages_of_query(talent_ids: Sequence[str]) -> dict[str, Any]:
    return {
        "bool": {"filter": [{"term": {"doc_type": "passage"}}, {"terms": {"talent_id": list(talent_ids)}}]}
    }


FACET_AGGS = {
    "category": {"terms": {"field": "category", "size": 1000}},
    "fields": {"terms": {"field": "fields", "size": 1000}},
    "available": {"terms": {"field": "available", "size": 2}},
    "languages": {"terms": {"field": "languages", "size": 1000}},
}


def bm25(score: Any) -> float:
    """Elasticsearch's ``BM25`` similarity is Lucene's legacy form, which multiplies
    every score by ``k1 + 1``; the embedded index and match strength use the
    current form without that constant."""
    return float(score) / (1.0 + BM25_K1)


def cosine(score: Any) -> float:
    """Elasticsearch reports cosine similarity as (1 + cos) / 2."""
    return 2.0 * float(score) - 1.0


def hits(resp: dict[str, Any], score: Callable[[Any], float] = float) -> list[Hit]:
    out = []
    for h in resp["hits"]["hits"]:
        src = h["_source"]
        out.append(Hit(h["_id"], src["talent_id"], src["group"], float(src["cjk_share"]), score(h["_score"])))
    return out


def score_map(resp: dict[str, Any], score: Callable[[Any], float] = float) -> dict[str, float]:
    return {h["_id"]: score(h["_score"]) for h in resp["hits"]["hits"]}


def facet_counts(resp: dict[str, Any]) -> dict[str, dict[str, int]]:
    out = {}
    for key, agg in resp["aggregations"].items():
        counts = {str(b.get("key_as_string", b["key"])): int(b["doc_count"]) for b in agg["buckets"]}
        out[key] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def ref_key(ref: str) -> tuple[int, str]:
    return (int(ref), "") if ref.isdigit() else (1 << 30, ref)


#: Display order of a talent's own passages.
KIND_ORDER = {"profile": 0, "direction": 1, "bio": 2, "output": 3}
