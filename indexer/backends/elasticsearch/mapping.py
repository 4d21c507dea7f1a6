"""What an Elasticsearch generation stores: settings, mapping and document shapes.

One document per passage (terms pre-analysed by our analyzer and indexed with
a ``whitespace`` analyzer, so Elasticsearch scores exactly our tokens with the
same BM25 parameters; an ``int8_hnsw`` cosine ``dense_vector`` in its language
group's own field), one document
per talent (filters, facets, browse order), one tombstone per deleted talent
(so a running rebuild learns of the deletion) and one per language group
holding the centroid sums.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from indexer.analysis import GROUPS
from indexer.backends.base import IndexMeta, PassageRecord, StoredPassage, TalentRecord
from indexer.retrieval.params import BM25_B, BM25_K1

#: Deep browse pages are allowed up to this offset.
MAX_RESULT_WINDOW = 200_000
#: Passage fields a candidate hit needs.
PASSAGE_HIT_SOURCE = ["talent_id", "group", "cjk_share"]
#: Passage fields evidence needs.
PASSAGE_TEXT_SOURCE = ["talent_id", "kind", "ref", "text", "group", "cjk_share"]


def talent_doc_id(talent_id: str) -> str:
    return f"t\x1f{talent_id}"


def tombstone_doc_id(talent_id: str) -> str:
    return f"x\x1f{talent_id}"


def centroid_doc_id(group: str) -> str:
    return f"c\x1f{group}"


def encode_vec16(vector: np.ndarray) -> str:
    """Vector as base64 float16: compact, and the same rounding the embedded backend stores."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def decode_vec16(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float16).astype(np.float32)


#: Layout of the mapping, kept in ``_meta`` beside the embedder: a generation of another
#: layout is rebuilt, never read. 2: a vector field per language group (``vector_field``).
LAYOUT = 2


def vector_field(group: str) -> str:
    """The ``dense_vector`` field of one language group: each group has its own HNSW graph.

    With one graph for every passage, a group's kNN search was a filtered graph search,
    and Lucene's filtered search slows down as the filter gets selective: at 100k talents
    (1M passages: 72 % zh, 23 % en, 5 % mixed) a search of the en group took 39 ms on the
    node against 4 ms for zh, and the dense candidates were the largest stage of a search.
    A graph per group is searched unfiltered unless the user filtered.
    """
    return f"vector_{group}"


def replica_settings(replicas: int | None) -> dict[str, Any]:
    """``None`` (auto): a replica as soon as a second data node exists, none on a single node.

    Elasticsearch's own ``auto_expand_replicas`` follows the cluster as nodes join and
    leave, so a single test node stays green and a cluster keeps a copy of every shard on
    another node: losing one node loses no document and no search.
    """
    if replicas is None:
        return {"number_of_replicas": 0, "auto_expand_replicas": "0-1"}
    return {"number_of_replicas": replicas, "auto_expand_replicas": False}


def index_body(meta: IndexMeta, replicas: int | None = None) -> dict[str, Any]:
    """Settings and explicit mapping of one generation (``replicas``: see ``replica_settings``)."""
    keyword = {"type": "keyword"}
    stored_only = {"type": "keyword", "index": False, "doc_values": False}
    bm25_text = {"type": "text", "analyzer": "kb_terms", "similarity": "kb_bm25"}
    return {
        "settings": {
            "number_of_shards": 1,
            **replica_settings(replicas),
            "max_result_window": MAX_RESULT_WINDOW,
            "similarity": {"kb_bm25": {"type": "BM25", "k1": BM25_K1, "b": BM25_B}},
            "analysis": {"analyzer": {"kb_terms": {"type": "custom", "tokenizer": "whitespace"}}},
        },
        "mappings": {
            "_meta": {**meta.as_dict(), "layout": LAYOUT},
            "dynamic": "strict",
            "_source": {"excludes": [vector_field(g) for g in GROUPS]},
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
                **{
                    vector_field(g): {
                        "type": "dense_vector",
                        "dims": meta.dim,
                        "index": True,
                        "similarity": "cosine",
                        "index_options": {"type": "int8_hnsw", "m": 16, "ef_construction": 100},
                    }
                    for g in GROUPS
                },
                "count": {"type": "long"},
                "sum": {"type": "double", "index": False, "doc_values": False},
            },
        },
    }


def talent_source(record: TalentRecord, now: float) -> dict[str, Any]:
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


def tombstone_source(talent_id: str, now: float) -> dict[str, Any]:
    return {"doc_type": "tombstone", "talent_id": talent_id, "updated": now}


def talent_from_source(src: dict[str, Any]) -> TalentRecord:
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


def passage_source(p: PassageRecord, record: TalentRecord) -> dict[str, Any]:
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
        # a float32 array, which orjson prints in float32's shortest form (at most nine
        # digits): the float16 values as Python floats print up to 17 digits, and parsing
        # those long decimals took a fifth of the node's indexing time
        vector_field(p.group): vector16.astype(np.float32),
    }


def passage_from_source(src: dict[str, Any]) -> PassageRecord:
    """A stored passage back as a record ready to write elsewhere (vector from ``vec16``)."""
    return PassageRecord(
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


def stored_passage(doc_id: str, src: dict[str, Any]) -> StoredPassage:
    return StoredPassage(
        doc_id, src["talent_id"], src["kind"], src["ref"], src["text"], src["group"], float(src["cjk_share"])
    )
