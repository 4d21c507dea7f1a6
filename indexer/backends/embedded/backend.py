"""The embedded backend: no server, files under ``<data_dir>/search/``.

Durability comes from SQLite; speed from the in-memory structures of
``MemoryIndex``. Every call first checks (cheaply) whether another process
committed changes or published a new generation, so updates are visible to
the next search everywhere.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import GROUPS
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
from indexer.backends.embedded.generation import Generation
from indexer.backends.embedded.generations import Generations
from indexer.backends.embedded.memory import MemoryIndex
from indexer.backends.embedded.store import StaleGeneration, Written
from indexer.errors import SearchUnavailable
from indexer.retrieval.facets import bool_key


class EmbeddedBackend(Backend):
    """Single-machine backend; safe for several processes sharing one data directory."""

    kind = "embedded"

    def __init__(self, root: Path, meta: IndexMeta) -> None:
        self.meta = meta
        self.generations = Generations(root)
        self._lock = threading.RLock()
        self._centroids: tuple[str, int, Centroids] | None = None
        self._pinned: Generation | None = None
        with self.generations.lock():
            name = self.generations.current()
            if name is None:
                name = self.generations.next_name()
                Generation(self.generations.path(name), meta, create=True).close()
                self.generations.publish(name)
        self.gen = Generation(self.generations.path(name), meta)

    # -- freshness ---------------------------------------------------------------
    def reader(self) -> EmbeddedBackend:
        """Pin the current generation: passage ids are only meaningful within one generation."""
        view = copy.copy(self)
        with self._lock:
            view._pinned = self.refresh().acquire()
        return view

    def release(self) -> None:
        if self._pinned is not None:
            self._pinned.release()
            self._pinned = None

    def refresh(self) -> Generation:
        """Switch to a newly published generation and apply pending changes."""
        if self._pinned is not None:
            return self._pinned
        with self._lock:
            name = self.generations.current()
            if name and name != self.gen.name:
                fresh = Generation(self.generations.path(name), self.meta)
                old, self.gen = self.gen, fresh
                old.close()
                self._centroids = None
            self.gen.catch_up()
            return self.gen

    # -- lifecycle -----------------------------------------------------------------
    def ping(self) -> None:
        try:
            self.refresh()
        except OSError as exc:  # the data directory went away or became unreadable
            raise SearchUnavailable(str(exc)) from exc

    def close(self) -> None:
        with self._lock:
            if self.gen.needs_snapshot():
                self.gen.write_snapshot()
            self.gen.close()

    def info(self) -> dict[str, Any]:
        with self._using() as gen:
            return {
                "backend": self.kind,
                "path": str(self.generations.root),
                "generation": gen.name,
                "talents": len(gen.memory.talents),
                "passages": int(np.count_nonzero(gen.memory.alive)),
            }

    def talent_count(self) -> int:
        with self._using() as gen:
            return len(gen.memory.talents)

    # -- writes ----------------------------------------------------------------------
    def upsert(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        self._write(lambda gen, guard: gen.store.upsert(talents, passages, guard))

    def delete(self, talent_ids: Iterable[str]) -> None:
        ids = list(talent_ids)
        self._write(lambda gen, guard: gen.store.delete(ids, guard))

    def _write(self, operation: Callable[[Generation, Callable[[], bool]], Written]) -> None:
        """Write to the published generation, retrying if a rebuild swapped it meanwhile.

        The guard runs under the store's write lock: a rebuild publishes while
        holding that lock, so a writer either lands before the switch (and is
        copied over) or sees the new generation and writes there.
        """
        for _ in range(10):
            with self._using() as gen:

                def still_current(g: Generation = gen) -> bool:
                    return self.generations.current() == g.name

                try:
                    written = operation(gen, still_current)
                except StaleGeneration:
                    continue
                gen.apply_written(written)
                self._centroids = None
                if gen.needs_snapshot():
                    gen.write_snapshot()
                return
        raise SearchUnavailable("the search index generation kept changing during a write")

    @contextmanager
    def _using(self) -> Iterator[Generation]:
        """The current generation, kept open (not closed by a concurrent swap) while in use."""
        if self._pinned is not None:
            yield self._pinned
            return
        with self._lock:
            gen = self.refresh().acquire()
        try:
            yield gen
        finally:
            gen.release()

    def begin_rebuild(self) -> RebuildSession:
        from indexer.backends.embedded.rebuild import EmbeddedRebuild

        return EmbeddedRebuild(self)

    def publish(self, gen: Generation, old: Generation, last_copy: Callable[[], None]) -> None:
        """Make ``gen`` (a finished rebuild) the live generation in place of ``old``.

        ``last_copy`` runs while writers of ``old`` are blocked (its store's write
        lock), under this process's lock and the inter-process generations lock,
        so whatever slipped into ``old`` meanwhile can be carried over before the
        switch and nothing written to it is lost.
        """
        gens = self.generations
        with self._lock, gens.lock(), old.store.write():
            last_copy()
            gens.publish(gen.name)
            previous, self.gen = self.gen, gen
            self._centroids = None
        previous.close()
        gens.prune(keep=2)

    # -- reads -------------------------------------------------------------------------
    def _hits(self, gen: Generation, pids: np.ndarray, scores: np.ndarray) -> list[Hit]:
        """Hits for passage ids, built column-wise (a few hundred per list and query)."""
        mem = gen.memory
        names = mem.t_names[mem.p_tid[pids]]
        keep = names != None  # noqa: E711 - elementwise test on an object array
        pids, scores, names = pids[keep], scores[keep], names[keep]
        columns = (
            map(str, pids.tolist()),
            names.tolist(),
            _GROUP_NAMES[mem.p_group[pids]].tolist(),
            mem.p_share[pids].tolist(),
            scores.tolist(),
        )
        return list(map(Hit._make, zip(*columns, strict=True)))

    def lexical_top(self, query: LexicalQuery, filters: Filters, n: int) -> list[Hit]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            scores, pids = mem.lexical_matches(query)
            pids = pids[mem.alive[pids]]
            mask = mem.talent_mask(filters)
            if mask is not None:
                pids = pids[mask[mem.p_tid[pids]]]
            if pids.shape[0] > n:
                pids = pids[np.argpartition(-scores[pids], n)[:n]]
            pids = pids[np.lexsort((pids, -scores[pids]))]
            return self._hits(gen, pids, scores[pids])

    def lexical_scores(self, query: LexicalQuery, keys: Sequence[str]) -> dict[str, float]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            pids = np.asarray([int(k) for k in keys], dtype=np.int64)
            pids = pids[pids < mem.alive.shape[0]]
            pids = pids[mem.alive[pids]]
            scores = mem.lexical_scores_for(query, pids)
            return dict(zip(map(str, pids.tolist()), scores.tolist(), strict=True))

    def dense_top(self, vector: np.ndarray, group: str, filters: Filters, n: int) -> list[Hit]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            allowed, allowed_mask = mem.allowed_pids(filters, GROUPS.index(group))
            pids, scores = mem.vectors[group].search(vector, n, allowed, allowed_mask)
            return self._hits(gen, pids, scores)

    def dense_scores(self, vector: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            pids = np.asarray([int(k) for k in keys], dtype=np.int64)
            pids = pids[(pids < mem.alive.shape[0])]
            pids = pids[mem.alive[pids]]
            out: dict[str, float] = {}
            for code, group in enumerate(GROUPS):
                chosen = pids[mem.p_group[pids] == code]
                for pid, score in zip(
                    chosen.tolist(), mem.vectors[group].exact(vector, chosen).tolist(), strict=True
                ):
                    out[str(pid)] = float(score)
            return out

    def centroids(self) -> Centroids:
        with self._using() as gen:
            cached = self._centroids
            if cached is None or cached[:2] != (gen.name, gen.memory.seq):
                cached = (gen.name, gen.memory.seq, gen.store.centroids())
                if self._pinned is None:
                    self._centroids = cached
            return cached[2]

    def _stored(self, gen: Generation, pids: Sequence[int]) -> dict[int, StoredPassage]:
        out = {}
        for pid, (tid, kind, ref, text, group, share) in gen.store.passage_texts(pids).items():
            record = gen.memory.talents.get(tid)
            if record is not None:
                out[pid] = StoredPassage(str(pid), record.talent_id, kind, ref, text, group, share)
        return out

    def passages(self, keys: Sequence[str]) -> dict[str, StoredPassage]:
        with self._using() as gen:
            return {str(pid): p for pid, p in self._stored(gen, [int(k) for k in keys]).items()}

    def all_passages(self, batch: int = 5000) -> Iterator[list[PassageRecord]]:
        """Read from the generation's store, a slice of talents at a time (vectors as stored)."""
        with self._using() as gen:
            talents = gen.store.talents_by_tid()
            tids = sorted(talents)
            step = max(1, batch // 10)  # about ten passages per talent
            for start in range(0, len(tids), step):
                records = gen.store.passage_records({t: talents[t] for t in tids[start : start + step]})
                if records:
                    yield records

    def talent_passages(self, talent_id: str) -> list[StoredPassage]:
        with self._using() as gen:
            with gen.lock:
                tid = gen.memory.tid_of.get(talent_id)
                if tid is None:
                    return []
                pids = sorted(gen.memory.tid_pids.get(tid, []))
            stored = self._stored(gen, pids)
            return [stored[p] for p in pids if p in stored]

    def talents(self, talent_ids: Sequence[str]) -> dict[str, TalentRecord]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            out = {}
            for talent_id in talent_ids:
                record = mem.talents.get(mem.tid_of.get(talent_id, -1))
                if record is not None:
                    out[talent_id] = record
            return out

    def browse(self, filters: Filters, offset: int, limit: int) -> tuple[list[str], int]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            order = mem.browse_order()
            mask = mem.talent_mask(filters)
            if mask is not None:
                order = order[mask[order]]
            page = order[offset : offset + limit]
            return [mem.talents[int(t)].talent_id for t in page], int(order.shape[0])

    def facet_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        with self._using() as gen, gen.lock:
            mask = gen.memory.talent_mask(filters)
            return _count_facets(gen.memory, gen.memory.t_alive if mask is None else mask)

    def facets_for(self, talent_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        with self._using() as gen, gen.lock:
            mem = gen.memory
            mask = np.zeros(mem.t_alive.shape[0], dtype=bool)
            tids = [mem.tid_of[t] for t in talent_ids if t in mem.tid_of]
            mask[np.asarray(tids, dtype=np.int64)] = True
            return _count_facets(mem, mask & mem.t_alive)


_GROUP_NAMES = np.asarray(GROUPS, dtype=object)


def _count_facets(mem: MemoryIndex, mask: np.ndarray) -> dict[str, dict[str, int]]:
    """Exact counts over the talents in ``mask`` (vectorised over membership arrays)."""
    total = int(np.count_nonzero(mask))
    available = int(np.count_nonzero(mask & mem.t_available))
    counts = {
        "category": mem.category.counts(mask),
        "fields": mem.fields.counts(mask),
        "available": {
            k: v for k, v in ((bool_key(True), available), (bool_key(False), total - available)) if v
        },
        "languages": mem.languages.counts(mask),
    }
    return {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in counts.items()}


__all__ = ["EmbeddedBackend"]
