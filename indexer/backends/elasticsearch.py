"""The Elasticsearch 8 backend: versioned indices behind an alias.

One document per passage (terms pre-analysed by our analyzer and indexed with
a ``whitespace`` analyzer, so Elasticsearch scores exactly our tokens with the
same BM25 parameters; an ``int8_hnsw`` cosine ``dense_vector``), one document
per talent (filters, facets, browse order) and one per language group holding
the centroid sums. Lexical and kNN candidates are fetched as two requests and
fused in Python by the shared ranking code (server-side RRF needs a paid
licence). ``rebuild`` fills ``<alias>-v<N+1>`` and swaps the alias in one
atomic ``update_aliases`` call, so searches never see a half-built index.

Queries only ever use ``term``/``terms``/``ids``/``knn`` clauses built from
analysed terms: user text is never parsed as query syntax.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from indexer.backends.base import (
    Backend,
    Centroids,
    Filters,
    Hit,
    IndexMeta,
    LexicalQuery,
    PassageRecord,
    RebuildSession,
    StoredPassage,
    TalentRecord,
)
from indexer.errors import IndexMismatch, SearchUnavailable
from indexer.retrieval.params import BM25_B, BM25_K1

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a process trusts its cached centroids when it did not write itself.
CENTROID_TTL_S = 1.0
#: Passages per bulk request.
BULK_CHUNK = 500
#: Deep browse pages are allowed up to this offset.
MAX_RESULT_WINDOW = 200_000
_PASSAGE_SOURCE = ["talent_id", "group", "cjk_share"]


def _talent_doc_id(talent_id: str) -> str:
    return f"t\x1f{talent_id}"


def _tomb_doc_id(talent_id: str) -> str:
    return f"x\x1f{talent_id}"


def _centroid_doc_id(group: str) -> str:
    return f"c\x1f{group}"


def encode_vec16(vector: np.ndarray) -> str:
    """Vector as base64 float16: compact, and the same rounding the embedded backend stores."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def decode_vec16(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32)


def index_body(meta: IndexMeta) -> dict[str, Any]:
    """Settings and explicit mapping of one generation."""
    keyword = {"type": "keyword"}
    stored_only = {"type": "keyword", "index": False, "doc_values": False}
    bm25_text = {"type": "text", "analyzer": "kb_terms", "similarity": "kb_bm25"}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "max_result_window": MAX_RESULT_WINDOW,
            "similarity": {"kb_bm25": {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
            "analysis": {"analyzer": {"kb_terms": {"type": "custom", "tokenizer": "whitespace"}}},
        },
        "mappings": {
            "_meta": meta.as_dict(),
            "dynamic": "strict",
            "_source": {"excludes": ["vector"]},
            "properties": {
                "doc_type": keyword,
                "talent_id": keyword,
                "category": keyword,
                "fields": keyword,
                "available": {"type": "boolean"},
                "languages": keyword,
                "sort_key": keyword,
                "updated": {"type": "double"},
                "name": stored_only,
                "name_en": stored_only,
                "title": stored_only,
                "organization": stored_only,
                "kind": keyword,
                "ref": keyword,
                "text": {"type": "text", "index": False},
                "group": keyword,
                "cjk_share": {"type": "float"},
                "words": bm25_text,
                "grams": bm25_text,
                "vec16": {"type": "binary"},
                "vector": {
                    "type": "dense_vector",
                    "dims": meta.dim,
                    "index": True,
                    "similarity": "cosine",
                    "index_options": {"type": "int8_hnsw", "m": 16, "ef_construction": 100},
                },
                "count": {"type": "long"},
                "sum": {"type": "double", "index": False, "doc_values": False},
            },
        },
    }


def filter_clauses(filters: Filters) -> tuple[list[dict], list[dict]]:
    """``(filter, must_not)`` clauses reproducing ``Filters.accepts``."""
    clauses: list[dict] = []
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


def _talent_source(record: TalentRecord, now: float) -> dict[str, Any]:
    return {
        "doc_type": "talent",
        "talent_id": record.talent_id,
        "name": record.name,
        "name_en": record.name_en,
        "category": record.category,
        "fields": list(record.fields),
        "title": record.title,
        "organization": record.organization,
        "available": record.available,
        "languages": list(record.languages),
        "sort_key": record.sort_key,
        "updated": now,
    }


def _talent_from_source(src: dict[str, Any]) -> TalentRecord:
    return TalentRecord(
        talent_id=src["talent_id"],
        name=src.get("name", ""),
        name_en=src.get("name_en", ""),
        category=src.get("category", ""),
        fields=tuple(src.get("fields", ())),
        title=src.get("title", ""),
        organization=src.get("organization", ""),
        available=bool(src.get("available", True)),
        languages=tuple(src.get("languages", ())),
    )


def _passage_source(p: PassageRecord, record: TalentRecord) -> dict[str, Any]:
    vector16 = np.asarray(p.vector, dtype=np.float16)
    return {
        "doc_type": "passage",
        "talent_id": p.talent_id,
        "category": record.category,
        "fields": list(record.fields),
        "available": record.available,
        "languages": list(record.languages),
        "kind": p.kind,
        "ref": p.ref,
        "text": p.text,
        "group": p.group,
        "cjk_share": p.cjk_share,
        "words": " ".join(p.words),
        "grams": " ".join(p.grams),
        "vec16": encode_vec16(vector16),
        "vector": vector16.astype(np.float32).tolist(),
    }


class ElasticsearchBackend(Backend):
    """Talks to an Elasticsearch 8 node through the official client."""

    kind = "elasticsearch"

    def __init__(self, url: str, alias: str, meta: IndexMeta, timeout: float = 10.0) -> None:
        from elasticsearch import Elasticsearch

        self.url = url
        self.alias = alias
        self.meta = meta
        self.client = Elasticsearch(url, request_timeout=timeout, max_retries=1, retry_on_timeout=False)
        self._ready = False
        self._centroids: tuple[float, Centroids] | None = None
        try:
            self._ensure()
        except SearchUnavailable:
            log.warning("Elasticsearch at %s is unreachable; will retry on first use", url)

    # -- plumbing ------------------------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        """Run a client call, turning transport failures into ``SearchUnavailable``."""
        from elastic_transport import ConnectionError as TransportConnectionError
        from elastic_transport import ConnectionTimeout, SerializationError
        from elasticsearch import ApiError

        try:
            return fn()
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise SearchUnavailable(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        except ApiError as exc:
            if exc.meta.status in (429, 502, 503, 504):
                raise SearchUnavailable(f"Elasticsearch at {self.url} cannot serve: {exc}") from exc
            raise
        except SerializationError as exc:
            raise SearchUnavailable(f"Elasticsearch at {self.url} sent an unreadable answer: {exc}") from exc

    def _concrete(self) -> list[str]:
        resp = self._call(lambda: self.client.options(ignore_status=404).indices.get_alias(name=self.alias))
        body = resp.body if hasattr(resp, "body") else resp
        if not isinstance(body, dict) or "error" in body or body.get("status") == 404:
            return []
        return sorted(body)

    def _versions(self) -> list[int]:
        resp = self._call(
            lambda: self.client.options(ignore_status=404).indices.get(index=f"{self.alias}-v*")
        )
        body = resp.body if hasattr(resp, "body") else resp
        pattern = re.compile(rf"^{re.escape(self.alias)}-v(\d+)$")
        return sorted(int(m.group(1)) for name in body if (m := pattern.match(name)))

    def _create_index(self, version: int) -> str:
        name = f"{self.alias}-v{version}"
        body = index_body(self.meta)
        self._call(
            lambda: self.client.indices.create(
                index=name, settings=body["settings"], mappings=body["mappings"]
            )
        )
        return name

    def _ensure(self) -> None:
        """Create the first generation, or check the live one's metadata."""
        if self._ready:
            return
        concrete = self._concrete()
        if not concrete:
            name = self._create_index(max(self._versions(), default=0) + 1)
            self._call(
                lambda: self.client.indices.update_aliases(
                    actions=[{"add": {"index": name, "alias": self.alias}}]
                )
            )
            concrete = [name]
        mapping = self._call(lambda: self.client.indices.get_mapping(index=concrete[0]))
        stored = mapping[concrete[0]]["mappings"].get("_meta", {})
        try:
            theirs = IndexMeta(
                stored["embedder"], int(stored["dim"]), stored["analyzer"], int(stored["schema"])
            )
        except KeyError as exc:
            raise IndexMismatch(f"index {concrete[0]} has no search metadata; rebuild it") from exc
        diff = self.meta.differences(theirs)
        if diff:
            raise IndexMismatch(
                f"index {concrete[0]} was built differently: {'; '.join(diff)}. Run a rebuild."
            )
        self._ready = True

    def _search(self, **kwargs: Any) -> dict:
        self._ensure()
        kwargs.setdefault("index", self.alias)
        return self._call(lambda: self.client.search(**kwargs))

    # -- lifecycle ---------------------------------------------------------------------
    def ping(self) -> None:
        self._call(lambda: self.client.info())
        self._ensure()

    def close(self) -> None:
        self.client.close()

    def info(self) -> dict:
        self._ensure()
        concrete = self._concrete()
        return {
            "backend": self.kind,
            "url": self.url,
            "alias": self.alias,
            "index": concrete[0] if concrete else None,
            "generation": concrete[0].rsplit("-v", 1)[-1] if concrete else None,
            "talents": self.talent_count(),
        }

    def talent_count(self) -> int:
        self._ensure()
        resp = self._call(lambda: self.client.count(index=self.alias, query={"term": {"doc_type": "talent"}}))
        return int(resp["count"])

    # -- writes ----------------------------------------------------------------------
    def _old_passages(self, index: str, talent_ids: Sequence[str]) -> list[dict]:
        """``_id``, group and vec16 of the current passages of these talents (for centroid updates)."""
        out: list[dict] = []
        for i in range(0, len(talent_ids), 500):
            chunk = list(talent_ids[i : i + 500])
            search_after = None
            while True:
                kwargs: dict[str, Any] = {
                    "index": index,
                    "query": {
                        "bool": {
                            "filter": [{"term": {"doc_type": "passage"}}, {"terms": {"talent_id": chunk}}]
                        }
                    },
                    "source": ["group", "vec16", "talent_id"],
                    "size": 5000,
                    "sort": [{"talent_id": "asc"}, {"kind": "asc"}, {"ref": "asc"}],
                }
                if search_after:
                    kwargs["search_after"] = search_after
                hits = self._call(lambda kw=kwargs: self.client.search(**kw))["hits"]["hits"]
                out += [{"_id": h["_id"], **h["_source"]} for h in hits]
                if len(hits) < 5000:
                    break
                search_after = hits[-1]["sort"]
        return out

    def _write(
        self,
        index: str,
        talents: Sequence[TalentRecord],
        passages: Sequence[PassageRecord],
        refresh: bool,
        track_centroids: bool = True,
    ) -> dict[str, list]:
        """Replace these talents in ``index``; returns the centroid delta it caused."""
        now = time.time()
        records = {t.talent_id: t for t in talents}
        old = self._old_passages(index, list(records)) if track_centroids else []
        delta: dict[str, list] = {}
        new_ids = {p.key for p in passages}
        actions: list[dict] = []
        for hit in old:
            _add(delta, hit["group"], decode_vec16(hit["vec16"]), -1)
            if hit["_id"] not in new_ids:
                actions.append({"_op_type": "delete", "_index": index, "_id": hit["_id"]})
        for record in records.values():
            actions.append(
                {
                    "_index": index,
                    "_id": _talent_doc_id(record.talent_id),
                    "_source": _talent_source(record, now),
                }
            )
            actions.append({"_op_type": "delete", "_index": index, "_id": _tomb_doc_id(record.talent_id)})
        for p in passages:
            record = records.get(p.talent_id)
            if record is None:
                continue
            actions.append({"_index": index, "_id": p.key, "_source": _passage_source(p, record)})
            _add(delta, p.group, np.asarray(p.vector, dtype=np.float16).astype(np.float32), +1)
        self._bulk_tolerant(index, actions, refresh)
        return delta

    def _bulk_tolerant(self, index: str, actions: list[dict], refresh: bool) -> None:
        """Bulk where deleting an absent document is fine (404s are not errors)."""
        from elasticsearch import helpers

        for i in range(0, len(actions), BULK_CHUNK * 2):
            chunk = actions[i : i + BULK_CHUNK * 2]
            last = i + BULK_CHUNK * 2 >= len(actions)
            _, errors = self._call(
                lambda c=chunk, r=(refresh if last else False): helpers.bulk(
                    self.client.options(request_timeout=120),
                    c,
                    refresh=r,
                    raise_on_error=False,
                    stats_only=False,
                )
            )
            real = [e for e in errors if next(iter(e.values())).get("status") != 404]
            if real:
                raise RuntimeError(f"bulk indexing failed: {real[:3]}")
        if not actions and refresh:
            self.refresh_index(index)

    def _apply_centroid_delta(self, index: str, delta: dict[str, list], attempts: int = 20) -> None:
        """Add per-group count/sum deltas with optimistic concurrency (several writers are fine)."""
        for group, (count, vector) in delta.items():
            doc_id = _centroid_doc_id(group)
            for _ in range(attempts):
                resp = self._call(
                    lambda d=doc_id: self.client.options(ignore_status=404).get(index=index, id=d)
                )
                body = resp.body if hasattr(resp, "body") else resp
                if body.get("found"):
                    total = int(body["_source"]["count"]) + count
                    summed = np.asarray(body["_source"]["sum"], dtype=np.float64) + vector
                    occ = {"if_seq_no": body["_seq_no"], "if_primary_term": body["_primary_term"]}
                else:
                    total, summed, occ = count, vector, {"op_type": "create"}
                source = {
                    "doc_type": "centroid",
                    "group": group,
                    "count": max(0, total),
                    "sum": summed.tolist(),
                }
                resp = self._call(
                    lambda d=doc_id, s=source, o=occ: self.client.options(ignore_status=409).index(
                        index=index, id=d, document=s, refresh=True, **o
                    )
                )
                status = resp.meta.status if hasattr(resp, "meta") else 200
                if status != 409:
                    break
            else:
                raise RuntimeError(f"could not update the centroid of group {group!r}: too much contention")
        self._centroids = None

    def refresh_index(self, index: str) -> None:
        self._call(lambda: self.client.indices.refresh(index=index))

    def _live_index(self) -> str:
        self._ensure()
        concrete = self._concrete()
        if not concrete:
            self._ready = False
            self._ensure()
            concrete = self._concrete()
        return concrete[0]

    def upsert(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        index = self._live_index()
        delta = self._write(index, talents, passages, refresh=True)
        self._apply_centroid_delta(index, delta)

    def delete(self, talent_ids: Iterable[str]) -> None:
        self.delete_in(self._live_index(), list(dict.fromkeys(talent_ids)))

    def delete_in(self, index: str, ids: Sequence[str]) -> None:
        """Remove talents from one concrete index, leaving tombstones for a running rebuild."""
        if not ids:
            return
        old = self._old_passages(index, ids)
        delta: dict[str, list] = {}
        actions: list[dict] = []
        now = time.time()
        for hit in old:
            _add(delta, hit["group"], decode_vec16(hit["vec16"]), -1)
            actions.append({"_op_type": "delete", "_index": index, "_id": hit["_id"]})
        for talent_id in ids:
            actions.append({"_op_type": "delete", "_index": index, "_id": _talent_doc_id(talent_id)})
            actions.append(
                {
                    "_index": index,
                    "_id": _tomb_doc_id(talent_id),
                    "_source": {"doc_type": "tombstone", "talent_id": talent_id, "updated": now},
                }
            )
        self._bulk_tolerant(index, actions, refresh=True)
        self._apply_centroid_delta(index, delta)

    def begin_rebuild(self) -> RebuildSession:
        self._ensure()
        return ElasticsearchRebuild(self)

    # -- reads -------------------------------------------------------------------------------
    @staticmethod
    def _hits(resp: dict, score: Callable[[float], float] = float) -> list[Hit]:
        out = []
        for h in resp["hits"]["hits"]:
            src = h["_source"]
            out.append(
                Hit(h["_id"], src["talent_id"], src["group"], float(src["cjk_share"]), score(h["_score"]))
            )
        return out

    def _lexical_clause(self, query: LexicalQuery) -> list[dict]:
        should = [{"term": {"words": {"value": t, "boost": query.word_weight(t)}}} for t in query.words]
        should += [{"term": {"grams": {"value": t, "boost": query.gram_weight}}} for t in query.grams]
        return should

    # Request bodies (shared by single requests and msearch) ------------------------------
    def _lexical_body(self, query: LexicalQuery, filters: Filters, n: int) -> dict:
        clauses, must_not = filter_clauses(filters)
        return {
            "query": {
                "bool": {
                    "filter": [{"term": {"doc_type": "passage"}}, *clauses],
                    "must_not": must_not,
                    "should": self._lexical_clause(query),
                    "minimum_should_match": 1,
                }
            },
            "size": n,
            "_source": _PASSAGE_SOURCE,
            "track_total_hits": False,
        }

    def _dense_body(self, vector: np.ndarray, group: str, filters: Filters, n: int) -> dict:
        clauses, must_not = filter_clauses(filters)
        return {
            "knn": {
                "field": "vector",
                "query_vector": np.asarray(vector, dtype=np.float32).tolist(),
                "k": n,
                "num_candidates": min(10_000, max(2 * n, 100)),
                "filter": {
                    "bool": {
                        "filter": [{"term": {"doc_type": "passage"}}, {"term": {"group": group}}, *clauses],
                        "must_not": must_not,
                    }
                },
            },
            "size": n,
            "_source": _PASSAGE_SOURCE,
        }

    def _lexical_scores_body(self, query: LexicalQuery, keys: Sequence[str]) -> dict:
        return {
            "query": {
                "bool": {
                    "filter": [{"term": {"doc_type": "passage"}}, {"ids": {"values": list(keys)}}],
                    "should": self._lexical_clause(query),
                    "minimum_should_match": 1,
                }
            },
            "size": len(keys),
            "_source": False,
            "track_total_hits": False,
        }

    @staticmethod
    def _dense_scores_body(vector: np.ndarray, keys: Sequence[str]) -> dict:
        return {
            "knn": {
                "field": "vector",
                "query_vector": np.asarray(vector, dtype=np.float32).tolist(),
                "k": len(keys),
                "num_candidates": min(10_000, max(len(keys), 10)),
                "filter": {"ids": {"values": list(keys)}},
            },
            "size": len(keys),
            "_source": False,
        }

    def _run(self, bodies: list[dict]) -> list[dict]:
        """Several searches in one round trip (``msearch``); a failed one raises."""
        if not bodies:
            return []
        self._ensure()
        searches: list[dict] = []
        for body in bodies:
            searches += [{"index": self.alias}, body]
        resp = self._call(lambda: self.client.msearch(searches=searches))
        out = []
        for item in resp["responses"]:
            if "error" in item:
                status = int(item.get("status", 500))
                if status >= 500 or status == 429:
                    raise SearchUnavailable(f"Elasticsearch search failed: {item['error']}")
                raise RuntimeError(f"Elasticsearch search failed: {item['error']}")
            out.append(item)
        return out

    @staticmethod
    def _cosine_hits(resp: dict) -> list[Hit]:
        # Elasticsearch reports cosine similarity as (1 + cos) / 2.
        return ElasticsearchBackend._hits(resp, lambda s: 2.0 * float(s) - 1.0)

    @staticmethod
    def _score_map(resp: dict, cosine: bool = False) -> dict[str, float]:
        if cosine:
            return {h["_id"]: 2.0 * float(h["_score"]) - 1.0 for h in resp["hits"]["hits"]}
        return {h["_id"]: float(h["_score"]) for h in resp["hits"]["hits"]}

    # Backend API ---------------------------------------------------------------------------
    def lexical_top(self, query: LexicalQuery, filters: Filters, n: int) -> list[Hit]:
        if not query:
            return []
        return self._hits(self._run([self._lexical_body(query, filters, n)])[0])

    def lexical_scores(self, query: LexicalQuery, keys: Sequence[str]) -> dict[str, float]:
        if not query or not keys:
            return {}
        return self._score_map(self._run([self._lexical_scores_body(query, keys)])[0])

    def dense_top(self, vector: np.ndarray, group: str, filters: Filters, n: int) -> list[Hit]:
        return self._cosine_hits(self._run([self._dense_body(vector, group, filters, n)])[0])

    def dense_scores(self, vector: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
        if not keys:
            return {}
        bodies = [self._dense_scores_body(vector, keys[i : i + 1000]) for i in range(0, len(keys), 1000)]
        out: dict[str, float] = {}
        for resp in self._run(bodies):
            out.update(self._score_map(resp, cosine=True))
        return out

    def candidates(self, lexical, vector, groups, filters, n_lexical, n_dense):
        bodies = [self._lexical_body(lexical, filters, n_lexical)] if lexical else []
        if vector is not None:
            bodies += [self._dense_body(vector, g, filters, n_dense) for g in groups]
        responses = self._run(bodies)
        lex = self._hits(responses.pop(0)) if lexical else []
        dense = (
            {g: self._cosine_hits(r) for g, r in zip(groups, responses, strict=True)}
            if vector is not None
            else {}
        )
        return lex, dense

    def rescore(self, lexical, lexical_keys, vector, dense_keys):
        want_lex = bool(lexical and lexical_keys)
        want_dense = vector is not None and bool(dense_keys)
        bodies = [self._lexical_scores_body(lexical, lexical_keys)] if want_lex else []
        if want_dense:
            bodies += [
                self._dense_scores_body(vector, dense_keys[i : i + 1000])
                for i in range(0, len(dense_keys), 1000)
            ]
        responses = self._run(bodies)
        lex = self._score_map(responses.pop(0)) if want_lex else {}
        dense: dict[str, float] = {}
        for resp in responses:
            dense.update(self._score_map(resp, cosine=True))
        return lex, dense

    def centroids(self) -> Centroids:
        cached = self._centroids
        if cached is not None and time.monotonic() - cached[0] < CENTROID_TTL_S:
            return cached[1]
        resp = self._search(
            query={"term": {"doc_type": "centroid"}}, size=100, source=["group", "count", "sum"]
        )
        sums, counts = {}, {}
        for h in resp["hits"]["hits"]:
            src = h["_source"]
            sums[src["group"]] = np.asarray(src["sum"], dtype=np.float64)
            counts[src["group"]] = int(src["count"])
        value = Centroids(sums, counts)
        self._centroids = (time.monotonic(), value)
        return value

    def passages(self, keys: Sequence[str]) -> dict[str, StoredPassage]:
        if not keys:
            return {}
        self._ensure()
        resp = self._call(
            lambda: self.client.mget(
                index=self.alias,
                ids=list(keys),
                source=["talent_id", "kind", "ref", "text", "group", "cjk_share"],
            )
        )
        out = {}
        for doc in resp["docs"]:
            if doc.get("found"):
                s = doc["_source"]
                out[doc["_id"]] = StoredPassage(
                    doc["_id"],
                    s["talent_id"],
                    s["kind"],
                    s["ref"],
                    s["text"],
                    s["group"],
                    float(s["cjk_share"]),
                )
        return out

    def talent_passages(self, talent_id: str) -> list[StoredPassage]:
        resp = self._search(
            query={
                "bool": {"filter": [{"term": {"doc_type": "passage"}}, {"term": {"talent_id": talent_id}}]}
            },
            size=1000,
            source=["talent_id", "kind", "ref", "text", "group", "cjk_share"],
        )
        out = [
            StoredPassage(
                h["_id"], s["talent_id"], s["kind"], s["ref"], s["text"], s["group"], float(s["cjk_share"])
            )
            for h in resp["hits"]["hits"]
            for s in [h["_source"]]
        ]
        order = {"profile": 0, "direction": 1, "bio": 2, "output": 3}
        return sorted(out, key=lambda p: (order.get(p.kind, 9), _ref_key(p.ref)))

    def talents(self, talent_ids: Sequence[str]) -> dict[str, TalentRecord]:
        if not talent_ids:
            return {}
        self._ensure()
        resp = self._call(
            lambda: self.client.mget(index=self.alias, ids=[_talent_doc_id(t) for t in talent_ids])
        )
        out = {}
        for doc in resp["docs"]:
            if doc.get("found") and doc["_source"].get("doc_type") == "talent":
                record = _talent_from_source(doc["_source"])
                out[record.talent_id] = record
        return out

    def _talent_query(self, filters: Filters) -> dict:
        clauses, must_not = filter_clauses(filters)
        return {"bool": {"filter": [{"term": {"doc_type": "talent"}}, *clauses], "must_not": must_not}}

    def browse(self, filters: Filters, offset: int, limit: int) -> tuple[list[str], int]:
        resp = self._search(
            query=self._talent_query(filters),
            sort=[{"sort_key": "asc"}, {"talent_id": "asc"}],
            from_=offset,
            size=limit,
            source=["talent_id"],
            track_total_hits=True,
        )
        return [h["_source"]["talent_id"] for h in resp["hits"]["hits"]], int(resp["hits"]["total"]["value"])

    def facet_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        return self._facets(self._talent_query(filters))

    def facets_for(self, talent_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        if not talent_ids:
            return {key: {} for key in ("category", "fields", "available", "languages")}
        query = {
            "bool": {"filter": [{"term": {"doc_type": "talent"}}, {"terms": {"talent_id": list(talent_ids)}}]}
        }
        return self._facets(query)

    def _facets(self, query: dict) -> dict[str, dict[str, int]]:
        aggs = {
            "category": {"terms": {"field": "category", "size": 1000}},
            "fields": {"terms": {"field": "fields", "size": 1000}},
            "available": {"terms": {"field": "available", "size": 2}},
            "languages": {"terms": {"field": "languages", "size": 1000}},
        }
        resp = self._search(query=query, size=0, aggs=aggs, track_total_hits=False)
        out = {}
        for key, agg in resp["aggregations"].items():
            counts = {str(b.get("key_as_string", b["key"])): int(b["doc_count"]) for b in agg["buckets"]}
            out[key] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        return out


def _ref_key(ref: str) -> tuple[int, str]:
    return (int(ref), "") if ref.isdigit() else (1 << 30, ref)


def _add(delta: dict[str, list], group: str, vector: np.ndarray, sign: int) -> None:
    entry = delta.setdefault(group, [0, np.zeros(vector.shape[0], dtype=np.float64)])
    entry[0] += sign
    entry[1] += sign * vector.astype(np.float64)


class ElasticsearchRebuild(RebuildSession):
    """Fills ``<alias>-v<N+1>``, then swaps the alias atomically and drops older generations.

    Writes that reach the live index while the rebuild runs are carried over at
    commit: the live index's ``_seq_no`` at the start marks what the rebuild
    already covers, and every talent or tombstone document written after it is
    copied into the new index before (and once more right after) the swap.
    """

    def __init__(self, backend: ElasticsearchBackend) -> None:
        self.backend = backend
        live = backend._concrete()
        self.old = live[0] if live else None
        self.seen_seq = self._max_seq(self.old) if self.old else -1
        version = max(backend._versions(), default=0) + 1
        self.index = backend._create_index(version)
        backend._call(
            lambda: backend.client.indices.put_settings(index=self.index, settings={"refresh_interval": "-1"})
        )
        self.sums: dict[str, list] = {}
        self.seen: set[str] = set()

    def _max_seq(self, index: str) -> int:
        b = self.backend
        b.refresh_index(index)
        resp = b._call(
            lambda: b.client.search(
                index=index, sort=[{"_seq_no": "desc"}], size=1, source=False, seq_no_primary_term=True
            )
        )
        hits = resp["hits"]["hits"]
        return int(hits[0]["_seq_no"]) if hits else -1

    def add(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        # Only a talent repeated within one rebuild has old passages to account for.
        repeated = any(t.talent_id in self.seen for t in talents)
        self.seen.update(t.talent_id for t in talents)
        delta = self.backend._write(self.index, talents, passages, refresh=False, track_centroids=repeated)
        for group, (count, vector) in delta.items():
            entry = self.sums.setdefault(group, [0, np.zeros(vector.shape[0], dtype=np.float64)])
            entry[0] += count
            entry[1] += vector

    def _copy_recent(self) -> bool:
        """Copy talents written to the old index after ``seen_seq``; True if there were any."""
        b = self.backend
        if self.old is None:
            return False
        b.refresh_index(self.old)
        resp = b._call(
            lambda: b.client.search(
                index=self.old,
                query={
                    "bool": {
                        "filter": [
                            {"terms": {"doc_type": ["talent", "tombstone"]}},
                            {"range": {"_seq_no": {"gt": self.seen_seq}}},
                        ]
                    }
                },
                sort=[{"_seq_no": "asc"}],
                size=10_000,
                seq_no_primary_term=True,
            )
        )
        hits = resp["hits"]["hits"]
        if not hits:
            return False
        self.seen_seq = max(int(h["_seq_no"]) for h in hits)
        latest = {h["_source"]["talent_id"]: h["_source"] for h in hits}
        gone = [t for t, src in latest.items() if src["doc_type"] == "tombstone"]
        live = [_talent_from_source(src) for src in latest.values() if src["doc_type"] == "talent"]
        passages: list[PassageRecord] = []
        ids = [h["_id"] for h in b._old_passages(self.old, [t.talent_id for t in live])]
        for i in range(0, len(ids), 500):
            docs = b._call(lambda c=ids[i : i + 500]: b.client.mget(index=self.old, ids=c))["docs"]
            for doc in docs:
                if not doc.get("found"):
                    continue
                src = doc["_source"]
                passages.append(
                    PassageRecord(
                        src["talent_id"],
                        src["kind"],
                        src["ref"],
                        src["text"],
                        src["group"],
                        float(src["cjk_share"]),
                        tuple(src["words"].split()),
                        tuple(src["grams"].split()),
                        decode_vec16(src["vec16"]),
                    )
                )
        b.refresh_index(self.index)
        if live:
            delta = b._write(self.index, live, passages, refresh=True)
            b._apply_centroid_delta(self.index, delta)
        if gone:
            b.delete_in(self.index, gone)
        return True

    def commit(self) -> None:
        b = self.backend
        b._apply_centroid_delta(self.index, self.sums)
        while self._copy_recent():
            pass
        b._call(lambda: b.client.indices.put_settings(index=self.index, settings={"refresh_interval": "1s"}))
        b.refresh_index(self.index)
        old = b._concrete()
        actions = [{"remove": {"index": name, "alias": b.alias}} for name in old]
        actions.append({"add": {"index": self.index, "alias": b.alias}})
        b._call(lambda: b.client.indices.update_aliases(actions=actions))
        b._centroids = None
        self._copy_recent()  # writes that raced with the swap
        # Keep the generation just replaced (searches already in flight may still read it);
        # drop everything older.
        keep = {self.index, *old}
        for version in b._versions():
            name = f"{b.alias}-v{version}"
            if name not in keep:
                b._call(lambda n=name: b.client.options(ignore_status=404).indices.delete(index=n))

    def abort(self) -> None:
        b = self.backend
        b._call(lambda: b.client.options(ignore_status=404).indices.delete(index=self.index))
