"""``ElasticsearchBackend``: the ``Backend`` interface over an Elasticsearch 8 alias.

Lexical and kNN candidates are fetched in one ``msearch`` round trip and fused
in Python by the shared ranking code (server-side RRF needs a paid licence).
The pieces live beside this module by role: ``connection`` (client, error
translation, generations), ``mapping`` (what is stored), ``queries`` (request
bodies), ``writer`` (bulk writes and centroid sums), ``rebuild``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

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
from indexer.backends.elasticsearch import queries
from indexer.backends.elasticsearch.connection import Connection
from indexer.backends.elasticsearch.mapping import (
    PASSAGE_TEXT_SOURCE,
    passage_from_source,
    stored_passage,
    talent_doc_id,
    talent_from_source,
)
from indexer.backends.elasticsearch.rebuild import ElasticsearchRebuild
from indexer.backends.elasticsearch.writer import IndexWriter
from indexer.errors import IndexMismatch, SearchError, SearchUnavailable
from indexer.models import FACET_KEYS

if TYPE_CHECKING:  # the client library is imported when a connection is made
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)

#: Seconds a process trusts its cached centroids when it did not write itself.
CENTROID_TTL_S = 1.0
#: Pauses before reading again after a read failed for want of a node (see ``read_again_after_node_loss``).
READ_RETRY_PAUSES_S = (0.25, 0.75)

T = TypeVar("T")


def read_again_after_node_loss(read: Callable[[], T]) -> T:
    """Run a search; when it fails as unavailable, pause and run it again (twice at most).

    A node killed while it served part of a search fails that search even though
    the shard's other copy is alive: the fetch phase of a query that ran on the
    lost copy ends in ``node_disconnected_exception`` ("all shards failed"), and
    the client's own retry only covers a node that refuses the connection. The
    node-loss test saw one such failure among a few hundred searches. Reading is
    safe to repeat, and a moment later the cluster routes to the live copy; a
    cluster that is really down still fails, after one second. Writes are not
    repeated here: the durable queue retries them.
    """
    for pause in READ_RETRY_PAUSES_S:
        try:
            return read()
        except SearchUnavailable:
            time.sleep(pause)
    return read()


class ElasticsearchBackend(Backend):
    """Talks to an Elasticsearch 8 node through the official client."""

    kind = "elasticsearch"

    def __init__(
        self, url: str, alias: str, meta: IndexMeta, timeout: float = 10.0, replicas: int | None = None
    ) -> None:
        self.connection = Connection(url, alias, timeout, replicas)
        self.writer = IndexWriter(self.connection)
        self.meta = meta
        self._ready = False
        self._centroids: tuple[float, Centroids] | None = None
        try:
            self._ensure()
        except SearchUnavailable:
            log.warning("Elasticsearch at %s is unreachable; will retry on first use", url)
        except IndexMismatch as exc:
            # Reads and writes raise it until a rebuild replaces the live generation, and
            # the rebuild must still be possible (``begin_rebuild`` does not check).
            log.warning("%s", exc)

    @property
    def url(self) -> str:
        return self.connection.url

    @property
    def alias(self) -> str:
        return self.connection.alias

    @property
    def client(self) -> Elasticsearch:
        """The raw client, for tests and tools that inspect the stored documents."""
        return self.connection.client

    def _ensure(self) -> None:
        """Create the first generation, or check the live one's metadata."""
        if self._ready:
            return
        conn = self.connection
        live = conn.live_indices()
        if not live:  # a new index; other servers may be creating it at this moment too
            live = [conn.create_first_generation(self.meta)]
        conn.wait_started(live[0])
        conn.check_meta(live[0], self.meta)
        self._ready = True

    def _live_index(self) -> str:
        self._ensure()
        live = self.connection.live_indices()
        if not live:  # the alias vanished (deleted by hand): recreate it
            self._ready = False
            self._ensure()
            live = self.connection.live_indices()
        return live[0]

    def forget_centroids(self) -> None:
        """Drop the cached centroids (after this process changed them, or a new generation went live)."""
        self._centroids = None

    # -- lifecycle ---------------------------------------------------------------------
    def ping(self) -> None:
        conn = self.connection
        conn.call(lambda: conn.client.info())
        self._ensure()

    def close(self) -> None:
        self.connection.close()

    def drop(self) -> None:
        """Delete every generation of this alias (test clean-up, decommissioning)."""
        self.connection.drop_generations()

    def info(self) -> dict[str, Any]:
        self._ensure()
        live = self.connection.live_indices()
        return {
            "backend": self.kind,
            "url": self.url,
            "alias": self.alias,
            "index": live[0] if live else None,
            "generation": live[0].rsplit("-v", 1)[-1] if live else None,
            "talents": self.talent_count(),
        }

    def talent_count(self) -> int:
        self._ensure()
        conn = self.connection
        resp = conn.call(lambda: conn.client.count(index=self.alias, query={"term": {"doc_type": "talent"}}))
        return int(resp["count"])

    # -- writes ------------------------------------------------------------------------
    def upsert(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        index = self._live_index()
        delta = self.writer.write(index, talents, passages, refresh=True)
        self.writer.apply_centroid_delta(index, delta)
        self.forget_centroids()

    def delete(self, talent_ids: Iterable[str]) -> None:
        self.writer.delete(self._live_index(), list(dict.fromkeys(talent_ids)))
        self.forget_centroids()

    def begin_rebuild(self) -> RebuildSession:
        """A new generation built with this process's embedder, analyzer and mapping layout.

        Unlike every read and write it does not check the live generation: one built
        with another embedder or an older layout is exactly what a rebuild replaces.
        """
        return ElasticsearchRebuild(self.connection, self.writer, self.meta, on_publish=self._published)

    def _published(self) -> None:
        """A rebuilt generation went live: check it (and read its centroids) afresh."""
        self._ready = False
        self.forget_centroids()

    # -- reads -------------------------------------------------------------------------
    def _search(self, **kwargs: Any) -> Any:
        self._ensure()
        kwargs.setdefault("index", self.alias)
        conn = self.connection
        return read_again_after_node_loss(lambda: conn.call(lambda: conn.client.search(**kwargs)))

    def _run(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several searches in one round trip (``msearch``); a failed one raises."""
        if not bodies:
            return []
        self._ensure()
        return read_again_after_node_loss(lambda: self._run_once(bodies))

    def _run_once(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        searches: list[dict[str, Any]] = []
        for body in bodies:
            searches += [{"index": self.alias}, body]
        conn = self.connection
        resp = conn.call(lambda: conn.client.msearch(searches=searches))
        out = []
        for item in resp["responses"]:
            if "error" in item:
                status = int(item.get("status", 500))
                if status >= 500 or status == 429:
                    raise SearchUnavailable(f"Elasticsearch search failed: {item['error']}")
                raise SearchError(f"Elasticsearch search failed: {item['error']}")
            out.append(item)
        return out

    # The single lists are the batched forms with one list asked for, so each request
    # body is paired with its score conversion (bm25, cosine) in one place.
    def lexical_top(self, query: LexicalQuery, filters: Filters, n: int) -> list[Hit]:
        return self.candidates(query, None, (), filters, n, 0)[0]

    def lexical_scores(self, query: LexicalQuery, keys: Sequence[str]) -> dict[str, float]:
        return self.rescore(query, keys, None, ())[0]

    def dense_top(self, vector: np.ndarray, group: str, filters: Filters, n: int) -> list[Hit]:
        return self.candidates(None, vector, (group,), filters, 0, n)[1][group]

    def dense_scores(self, vector: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
        return self.rescore(None, (), vector, keys)[1]

    def candidates(
        self,
        lexical: LexicalQuery | None,
        vector: np.ndarray | None,
        groups: Sequence[str],
        filters: Filters,
        n_lexical: int,
        n_dense: int,
    ) -> tuple[list[Hit], dict[str, list[Hit]]]:
        bodies = [queries.lexical_body(lexical, filters, n_lexical)] if lexical else []
        if vector is not None:
            bodies += [queries.dense_body(vector, g, filters, n_dense) for g in groups]
        responses = self._run(bodies)
        lex = queries.hits(responses.pop(0), queries.bm25) if lexical else []
        dense = (
            {g: queries.hits(r, queries.cosine) for g, r in zip(groups, responses, strict=True)}
            if vector is not None
            else {}
        )
        return lex, dense

    def rescore(
        self,
        lexical: LexicalQuery | None,
        lexical_keys: Sequence[str],
        vector: np.ndarray | None,
        dense_keys: Sequence[str],
    ) -> tuple[dict[str, float], dict[str, float]]:
        want_lex = bool(lexical and lexical_keys)
        want_dense = vector is not None and bool(dense_keys)
        bodies = [queries.lexical_scores_body(lexical, lexical_keys)] if want_lex and lexical else []
        if want_dense and vector is not None:
            bodies += queries.dense_scores_bodies(vector, dense_keys)
        responses = self._run(bodies)
        lex = queries.score_map(responses.pop(0), queries.bm25) if want_lex else {}
        dense: dict[str, float] = {}
        for resp in responses:
            dense.update(queries.score_map(resp, queries.cosine))
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
        return self.page([], keys)[1]

    def page(
        self, talent_ids: Sequence[str], passage_keys: Sequence[str]
    ) -> tuple[dict[str, TalentRecord], dict[str, StoredPassage]]:
        """Talent and passage documents share the index: one ``mget`` fetches both.

        Two round trips per result page were two of the five a search made; each
        costs the client and the node a few milliseconds beyond the lookup itself.
        """
        if not talent_ids and not passage_keys:
            return {}, {}
        self._ensure()
        conn = self.connection
        docs: list[dict[str, Any]] = [{"_id": talent_doc_id(t)} for t in talent_ids]
        docs += [{"_id": key, "_source": PASSAGE_TEXT_SOURCE} for key in passage_keys]
        resp = conn.call(lambda: conn.client.mget(index=self.alias, docs=docs))
        found = resp["docs"]  # in the order asked: the talents, then the passages
        talents: dict[str, TalentRecord] = {}
        for doc in found[: len(talent_ids)]:
            if doc.get("found") and doc["_source"].get("doc_type") == "talent":
                record = talent_from_source(doc["_source"])
                talents[record.talent_id] = record
        passages = {
            doc["_id"]: stored_passage(doc["_id"], doc["_source"])
            for doc in found[len(talent_ids) :]
            if doc.get("found")
        }
        return talents, passages

    def all_passages(self, batch: int = 5000) -> Iterator[list[PassageRecord]]:
        """Pages of the live generation's passages in (talent, kind, ref) order, vectors from ``vec16``."""
        index = self._live_index()  # one generation throughout, even if a rebuild swaps the alias meanwhile
        search_after: list[Any] | None = None
        while True:
            kwargs: dict[str, Any] = {
                "index": index, "query": {"term": {"doc_type": "passage"}}, "size": batch,
                "sort": [{"talent_id": "asc"}, {"kind": "asc"}, {"ref": "asc"}],
            }
            if search_after is not None:
                kwargs["search_after"] = search_after
            hits = self._search(**kwargs)["hits"]["hits"]
            if hits:
                yield [passage_from_source(h["_source"]) for h in hits]
            if len(hits) < batch:
                return
            search_after = hits[-1]["sort"]

    def talent_passages(self, talent_id: str) -> list[StoredPassage]:
        resp = self._search(
            query=queries.passages_of_query([talent_id]), size=1000, source=PASSAGE_TEXT_SOURCE
        )
        out = [stored_passage(h["_id"], h["_source"]) for h in resp["hits"]["hits"]]
        return sorted(out, key=lambda p: (queries.KIND_ORDER.get(p.kind, 9), queries.ref_key(p.ref)))

    def talents(self, talent_ids: Sequence[str]) -> dict[str, TalentRecord]:
        return self.page(talent_ids, [])[0]

    def browse(self, filters: Filters, offset: int, limit: int) -> tuple[list[str], int]:
        resp = self._search(
            query=queries.talent_query(filters),
            sort=[{"sort_key": "asc"}, {"talent_id": "asc"}],
            from_=offset,
            size=limit,
            source=["talent_id"],
            track_total_hits=True,
        )
        return [h["_source"]["talent_id"] for h in resp["hits"]["hits"]], int(resp["hits"]["total"]["value"])

    def facet_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        return self._facets(queries.talent_query(filters))

    def facets_for(self, talent_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        if not talent_ids:
            return {key: {} for key in FACET_KEYS}
        return self._facets(queries.talents_by_id_query(talent_ids))

    def _facets(self, query: dict[str, Any]) -> dict[str, dict[str, int]]:
        resp = self._search(query=query, size=0, aggs=queries.FACET_AGGS, track_total_hits=False)
        return queries.facet_counts(resp)
