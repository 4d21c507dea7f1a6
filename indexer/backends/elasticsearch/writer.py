"""Writes to one concrete Elasticsearch index: bulk replace, delete, centroid sums.

The writer takes the concrete index name on every call because the same code
fills the live generation (upserts, deletes) and a generation being rebuilt.
Centroid sums (per language group: passage count and vector sum) are kept up
to date from the vectors each write removes and adds, with optimistic
concurrency so several app servers can write at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial
from typing import Any, cast

import numpy as np

from indexer.backends.base import PassageRecord, TalentRecord
from indexer.backends.elasticsearch.connection import Connection, body_of
from indexer.backends.elasticsearch.mapping import (
    centroid_doc_id,
    decode_vec16,
    passage_from_source,
    passage_source,
    talent_doc_id,
    talent_source,
    tombstone_doc_id,
    tombstone_source,
)
from indexer.backends.elasticsearch.queries import passages_of_query
from indexer.errors import SearchError

#: Passages per bulk request.
BULK_CHUNK = 500
#: Talents per "old passages" lookup, and documents per page of it.
LOOKUP_CHUNK = 500
LOOKUP_PAGE = 5000
#: Tries of an optimistic centroid update before giving up.
CENTROID_ATTEMPTS = 20

#: Per group: ``[passage count change, vector sum change]``.
CentroidDelta = dict[str, list[Any]]


def add_to_delta(delta: CentroidDelta, group: str, vector: np.ndarray, sign: int) -> None:
    entry = delta.setdefault(group, [0, np.zeros(vector.shape[0], dtype=np.float64)])
    entry[0] += sign
    entry[1] += sign * vector.astype(np.float64)


def merge_delta(into: CentroidDelta, delta: CentroidDelta) -> None:
    for group, (count, vector) in delta.items():
        entry = into.setdefault(group, [0, np.zeros(vector.shape[0], dtype=np.float64)])
        entry[0] += count
        entry[1] += vector


class IndexWriter:
    """Bulk writes and centroid maintenance over a ``Connection``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def current_passages(self, index: str, talent_ids: Sequence[str]) -> list[dict[str, Any]]:
        """``_id``, group, vec16 and talent id of these talents' passages in ``index``."""
        conn = self.connection
        out: list[dict[str, Any]] = []
        for i in range(0, len(talent_ids), LOOKUP_CHUNK):
            chunk = list(talent_ids[i : i + LOOKUP_CHUNK])
            search_after = None
            while True:
                kwargs: dict[str, Any] = {
                    "index": index,
                    "query": passages_of_query(chunk),
                    "source": ["group", "vec16", "talent_id"],
                    "size": LOOKUP_PAGE,
                    "sort": [{"talent_id": "asc"}, {"kind": "asc"}, {"ref": "asc"}],
                }
                if search_after:
                    kwargs["search_after"] = search_after
                hits = conn.call(partial(conn.client.search, **kwargs))["hits"]["hits"]
                out += [{"_id": h["_id"], **h["_source"]} for h in hits]
                if len(hits) < LOOKUP_PAGE:
                    break
                search_after = hits[-1]["sort"]
        return out

    def passage_records(self, index: str, talent_ids: Sequence[str]) -> list[PassageRecord]:
        """These talents' passages in ``index`` as records ready to write to another index."""
        conn = self.connection
        ids = [p["_id"] for p in self.current_passages(index, talent_ids)]
        out: list[PassageRecord] = []
        for i in range(0, len(ids), LOOKUP_CHUNK):
            docs = conn.call(partial(conn.client.mget, index=index, ids=ids[i : i + LOOKUP_CHUNK]))["docs"]
            out += [passage_from_source(doc["_source"]) for doc in docs if doc.get("found")]
        return out

    def write(
        self,
        index: str,
        talents: Sequence[TalentRecord],
        passages: Sequence[PassageRecord],
        refresh: bool,
        track_centroids: bool = True,
    ) -> CentroidDelta:
        """Replace these talents in ``index``; returns the centroid delta it caused (not applied)."""
        actions, delta = self.replace_actions(index, talents, passages, track_centroids)
        self.bulk(index, actions, refresh)
        return delta

    def replace_actions(
        self,
        index: str,
        talents: Sequence[TalentRecord],
        passages: Sequence[PassageRecord],
        track_centroids: bool = True,
        fresh: bool = False,
    ) -> tuple[list[dict[str, Any]], CentroidDelta]:
        """The bulk actions replacing these talents in ``index``, and the centroid delta they cause.

        ``fresh``: ``index`` is a generation being filled that holds none of these talents
        and no tombstone yet, so nothing needs deleting (each delete of an absent
        document still costs Elasticsearch a version lookup and a tombstone entry).
        """
        now = time.time()
        records = {t.talent_id: t for t in talents}
        old = self.current_passages(index, list(records)) if track_centroids else []
        delta: CentroidDelta = {}
        new_ids = {p.key for p in passages}
        actions: list[dict[str, Any]] = []
        for hit in old:
            add_to_delta(delta, hit["group"], decode_vec16(hit["vec16"]), -1)
            if hit["_id"] not in new_ids:
                actions.append({"_op_type": "delete", "_index": index, "_id": hit["_id"]})
        for record in records.values():
            actions.append(
                {
                    "_index": index,
                    "_id": talent_doc_id(record.talent_id),
                    "_source": talent_source(record, now),
                }
            )
            if not fresh:
                actions.append({"_op_type": "delete", "_index": index, "_id": tombstone_doc_id(record.talent_id)})
        for p in passages:
            owner = records.get(p.talent_id)
            if owner is None:
                continue
            actions.append({"_index": index, "_id": p.key, "_source": passage_source(p, owner)})
            add_to_delta(delta, p.group, np.asarray(p.vector, dtype=np.float16).astype(np.float32), +1)
        return actions, delta

    def delete(self, index: str, talent_ids: Sequence[str]) -> None:
        """Remove talents from ``index``, leaving tombstones for a running rebuild."""
        if not talent_ids:
            return
        delta: CentroidDelta = {}
        actions: list[dict[str, Any]] = []
        now = time.time()
        for hit in self.current_passages(index, talent_ids):
            add_to_delta(delta, hit["group"], decode_vec16(hit["vec16"]), -1)
            actions.append({"_op_type": "delete", "_index": index, "_id": hit["_id"]})
        for talent_id in talent_ids:
            actions.append({"_op_type": "delete", "_index": index, "_id": talent_doc_id(talent_id)})
            actions.append(
                {
                    "_index": index,
                    "_id": tombstone_doc_id(talent_id),
                    "_source": tombstone_source(talent_id, now),
                }
            )
        self.bulk(index, actions, refresh=True)
        self.apply_centroid_delta(index, delta)

    def bulk(self, index: str, actions: list[dict[str, Any]], refresh: bool) -> None:
        """Bulk where deleting an absent document is fine (404s are not errors)."""
        from elasticsearch import helpers

        conn = self.connection
        step = BULK_CHUNK * 2
        for i in range(0, len(actions), step):
            chunk = actions[i : i + step]
            last = i + step >= len(actions)
            _, errors = conn.call(
                partial(
                    helpers.bulk,
                    conn.client.options(request_timeout=120),
                    chunk,
                    refresh=refresh if last else False,
                    raise_on_error=False,
                    stats_only=False,
                )
            )
            # stats_only=False: errors is the list of failed items, not a count
            real = [e for e in cast(list[dict[str, Any]], errors) if next(iter(e.values())).get("status") != 404]
            if real:
                raise SearchError(f"bulk indexing failed: {real[:3]}")
        if not actions and refresh:
            conn.refresh(index)

    def apply_centroid_delta(self, index: str, delta: CentroidDelta) -> None:
        """Add per-group count/sum deltas with optimistic concurrency (several writers are fine)."""
        conn = self.connection
        for group, (count, vector) in delta.items():
            doc_id = centroid_doc_id(group)
            for _ in range(CENTROID_ATTEMPTS):
                body = body_of(
                    conn.call(partial(conn.client.options(ignore_status=404).get, index=index, id=doc_id))
                )
                if body.get("found"):
                    total = int(body["_source"]["count"]) + count
                    summed = np.asarray(body["_source"]["sum"], dtype=np.float64) + vector
                    occ: dict[str, Any] = {
                        "if_seq_no": body["_seq_no"],
                        "if_primary_term": body["_primary_term"],
                    }
                else:
                    total, summed, occ = count, vector, {"op_type": "create"}
                source = {
                    "doc_type": "centroid",
                    "group": group,
                    "count": max(0, total),
                    "sum": summed.tolist(),
                }
                resp = conn.call(
                    partial(
                        conn.client.options(ignore_status=409).index,
                        index=index,
                        id=doc_id,
                        document=source,
                        refresh=True,
                        **occ,
                    )
                )
                status = resp.meta.status if hasattr(resp, "meta") else 200
                if status != 409:
                    break
            else:
                raise SearchError(f"could not update the centroid of group {group!r}: too much contention")
