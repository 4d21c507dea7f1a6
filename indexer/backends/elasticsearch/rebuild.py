"""A rebuild into the next Elasticsearch generation, swapped in atomically.

``ElasticsearchRebuild`` fills ``<alias>-v<N+1>``, then points the alias at it
in one ``update_aliases`` call and drops older generations, so searches never
see a half-built index. Writes that reach the live index while the rebuild
runs are carried over at commit: the live index's ``_seq_no`` at the start
marks what the rebuild already covers, and every talent or tombstone document
written after it is copied into the new index before (and once more right
after) the swap.

Filling is pipelined: while Elasticsearch indexes earlier batches (bulk
requests on background threads), the caller analyses and embeds the next, so
the Python work and the cluster's indexing overlap instead of taking turns.
Two batches are in flight because a node indexes one bulk request into a
one-shard index on one write thread: with a single request in flight a 100k
build kept the node at 0.94 of a core and the Python side at 0.37 of the
other (30 s of CPU samples), leaving half a core of a two-core machine idle.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from indexer.backends.base import IndexMeta, PassageRecord, RebuildSession, TalentRecord
from indexer.backends.elasticsearch.connection import Connection
from indexer.backends.elasticsearch.mapping import talent_from_source
from indexer.backends.elasticsearch.writer import CentroidDelta, IndexWriter, merge_delta

#: Most talents carried over from the live index per round of ``copy_recent``.
CARRY_OVER_PAGE = 10_000
#: Bulk requests being indexed while the next batch is prepared (see the module docstring).
BULK_IN_FLIGHT = 2


class ElasticsearchRebuild(RebuildSession):
    """See the module docstring. ``on_publish`` runs right after the alias moved."""

    def __init__(
        self, connection: Connection, writer: IndexWriter, meta: IndexMeta, on_publish: Callable[[], None]
    ) -> None:
        self.connection = connection
        self.writer = writer
        self.on_publish = on_publish
        live = connection.live_indices()
        self.old = live[0] if live else None
        self.seen_seq = self._max_seq(self.old) if self.old else -1
        self.index = connection.create_generation(meta)
        connection.set_refresh_interval(self.index, "-1")
        self.sums: CentroidDelta = {}
        self.seen: set[str] = set()
        self._bulk_threads = ThreadPoolExecutor(max_workers=BULK_IN_FLIGHT, thread_name_prefix="kb-es-rebuild-bulk")
        self._in_flight: deque[Future[None]] = deque()

    def _wait(self, keep: int = 0) -> None:
        """Wait until at most ``keep`` batches are still being indexed; a failure is raised here."""
        while len(self._in_flight) > keep:
            self._in_flight.popleft().result()

    def _max_seq(self, index: str) -> int:
        conn = self.connection
        conn.refresh(index)
        resp = conn.call(
            lambda: conn.client.search(
                index=index, sort=[{"_seq_no": "desc"}], size=1, source=False, seq_no_primary_term=True
            )
        )
        hits = resp["hits"]["hits"]
        return int(hits[0]["_seq_no"]) if hits else -1

    def add(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        # Only a talent repeated within one rebuild has old passages to account for, and
        # they must be written and visible before they are looked up.
        repeated = any(t.talent_id in self.seen for t in talents)
        self.seen.update(t.talent_id for t in talents)
        if repeated:
            self._wait()
            self.connection.refresh(self.index)
        actions, delta = self.writer.replace_actions(
            self.index, talents, passages, track_centroids=repeated, fresh=not repeated
        )
        merge_delta(self.sums, delta)
        self._wait(keep=BULK_IN_FLIGHT - 1)
        self._in_flight.append(self._bulk_threads.submit(self.writer.bulk, self.index, actions, False))

    def _copy_recent(self) -> bool:
        """Copy talents written to the old index after ``seen_seq``; True if there were any."""
        if self.old is None:
            return False
        conn, old = self.connection, self.old
        conn.refresh(old)
        resp = conn.call(
            lambda: conn.client.search(
                index=old,
                query={
                    "bool": {
                        "filter": [
                            {"terms": {"doc_type": ["talent", "tombstone"]}},
                            {"range": {"_seq_no": {"gt": self.seen_seq}}},
                        ]
                    }
                },
                sort=[{"_seq_no": "asc"}],
                size=CARRY_OVER_PAGE,
                seq_no_primary_term=True,
            )
        )
        hits = resp["hits"]["hits"]
        if not hits:
            return False
        self.seen_seq = max(int(h["_seq_no"]) for h in hits)
        latest = {h["_source"]["talent_id"]: h["_source"] for h in hits}
        gone = [t for t, src in latest.items() if src["doc_type"] == "tombstone"]
        live = [talent_from_source(src) for src in latest.values() if src["doc_type"] == "talent"]
        passages = self.writer.passage_records(old, [t.talent_id for t in live])
        conn.refresh(self.index)
        if live:
            delta = self.writer.write(self.index, live, passages, refresh=True)
            self.writer.apply_centroid_delta(self.index, delta)
        if gone:
            self.writer.delete(self.index, gone)
        return True

    def commit(self) -> None:
        conn = self.connection
        self._wait()
        self._bulk_threads.shutdown()
        self.writer.apply_centroid_delta(self.index, self.sums)
        while self._copy_recent():
            pass
        conn.set_refresh_interval(self.index, "1s")
        conn.refresh(self.index)
        replaced = conn.point_alias_at(self.index)
        self.on_publish()
        self._copy_recent()  # writes that raced with the swap
        # Keep the generation just replaced (searches already in flight may still read it);
        # drop everything older.
        conn.drop_generations(keep={self.index, *replaced})

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # the generation is dropped whatever its last batch did
            self._wait()
        self._bulk_threads.shutdown()
        self.connection.drop_index(self.index)
