"""The in-memory search structures of one generation, kept in step with SQLite.

Passages are addressed by their SQLite ``pid`` (never reused), talents by
``tid``. Per-passage and per-talent attributes live in numpy arrays so that
filters become boolean masks; text stays on disk and is read only for the
handful of passages shown as evidence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from indexer.analysis import GROUPS
from indexer.backends.base import Filters, LexicalQuery, TalentRecord
from indexer.backends.embedded.lexicon import FieldIndex
from indexer.backends.embedded.store import PassageRow, Store
from indexer.backends.embedded.vectors import GroupVectors

#: Delta postings (both fields) above which the lexical base segment is rebuilt.
COMPACT_MIN_POSTINGS = 1_000_000
#: A query term is "common" (see ``MemoryIndex.common_terms``) above both of these.
COMMON_SHARE = 0.05
COMMON_MIN_POSTINGS = 20_000
#: Each query term is looked up in every delta segment, so they are folded into one beyond this.
MAX_DELTA_SEGMENTS = 64


class Membership:
    """``code → bool array over tids`` for a multi-valued attribute (fields, languages, category)."""

    def __init__(self) -> None:
        self.codes: dict[str, np.ndarray] = {}
        self.size = 0

    def grow(self, size: int) -> None:
        if size > self.size:
            for code, arr in self.codes.items():
                grown = np.zeros(size, dtype=bool)
                grown[: arr.shape[0]] = arr
                self.codes[code] = grown
            self.size = size

    def set(self, tid: int, values: Iterable[str]) -> None:
        for arr in self.codes.values():
            arr[tid] = False
        for value in values:
            if value not in self.codes:
                self.codes[value] = np.zeros(self.size, dtype=bool)
            self.codes[value][tid] = True

    def any_of(self, values: Sequence[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            arr = self.codes.get(value)
            if arr is not None:
                mask |= arr
        return mask

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        out = {code: int(np.count_nonzero(arr & mask)) for code, arr in self.codes.items()}
        return {k: v for k, v in out.items() if v}


class MemoryIndex:
    """Everything needed to answer queries without touching SQLite (except for evidence text)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.seq = 0
        self.p_tid = np.full(0, -1, dtype=np.int32)
        self.p_group = np.zeros(0, dtype=np.int8)
        self.p_share = np.zeros(0, dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.words = FieldIndex()
        self.grams = FieldIndex()
        self.vectors = {g: GroupVectors(dim) for g in GROUPS}
        self.talents: dict[int, TalentRecord] = {}
        self.tid_of: dict[str, int] = {}
        self.tid_pids: dict[int, list[int]] = {}
        self.t_alive = np.zeros(0, dtype=bool)
        self.t_available = np.zeros(0, dtype=bool)
        self.t_names = np.zeros(0, dtype=object)  # tid → talent_id (None when absent)
        self.category = Membership()
        self.fields = Membership()
        self.languages = Membership()
        self._order: np.ndarray | None = None
        self._last_lexical: tuple[LexicalQuery, np.ndarray, np.ndarray] | None = None
        self._filter_cache: dict[
            Filters, tuple[np.ndarray | None, dict[int, np.ndarray], np.ndarray | None]
        ] = {}

    # -- growth helpers ------------------------------------------------------------
    def _grow_passages(self, pid: int) -> None:
        size = self.p_tid.shape[0]
        if pid < size:
            return
        new = max(pid + 1, 2 * size, 1024)
        self.p_tid = np.concatenate([self.p_tid, np.full(new - size, -1, np.int32)])
        self.p_group = np.concatenate([self.p_group, np.zeros(new - size, np.int8)])
        self.p_share = np.concatenate([self.p_share, np.zeros(new - size, np.float32)])
        self.alive = np.concatenate([self.alive, np.zeros(new - size, bool)])

    def _grow_talents(self, tid: int) -> None:
        size = self.t_alive.shape[0]
        if tid < size:
            return
        new = max(tid + 1, 2 * size, 1024)
        self.t_alive = np.concatenate([self.t_alive, np.zeros(new - size, bool)])
        self.t_available = np.concatenate([self.t_available, np.zeros(new - size, bool)])
        self.t_names = np.concatenate([self.t_names, np.full(new - size, None, dtype=object)])
        for m in (self.category, self.fields, self.languages):
            m.grow(new)

    # -- mutation --------------------------------------------------------------------
    def set_talent(self, tid: int, record: TalentRecord | None) -> None:
        self._grow_talents(tid)
        old = self.talents.pop(tid, None)
        if old is not None:
            self.tid_of.pop(old.talent_id, None)
        self._order = None
        self._filter_cache.clear()
        if record is None:
            self.t_alive[tid] = False
            self.t_names[tid] = None
            for m in (self.category, self.fields, self.languages):
                m.set(tid, ())
            return
        self.talents[tid] = record
        self.tid_of[record.talent_id] = tid
        self.t_alive[tid] = True
        self.t_names[tid] = record.talent_id
        self.t_available[tid] = record.available
        self.category.set(tid, (record.category,))
        self.fields.set(tid, record.fields)
        self.languages.set(tid, record.languages)

    def remove_passages(self, tid: int, pids: Sequence[int]) -> None:
        """Drop some of a talent's passages (ids never come back: a new text gets a new id)."""
        if not pids:
            return
        dropped = set(pids)
        left = [p for p in self.tid_pids.get(tid, []) if p not in dropped]
        if left:
            self.tid_pids[tid] = left
        else:
            self.tid_pids.pop(tid, None)
        arr = np.asarray(sorted(dropped), dtype=np.int64)
        self.alive[arr] = False
        self._filter_cache.clear()
        for code, group in enumerate(GROUPS):
            in_group = arr[self.p_group[arr] == code]
            self.vectors[group].remove(in_group)
        self._last_lexical = None

    def add_passages(self, rows: Sequence[PassageRow], threads: int = 0) -> None:
        if not rows:
            return
        self._filter_cache.clear()
        self._grow_passages(max(r.pid for r in rows))
        by_group: dict[str, list[PassageRow]] = {}
        for r in rows:
            self.tid_pids.setdefault(r.tid, []).append(r.pid)
            by_group.setdefault(r.group, []).append(r)
        pids = np.fromiter((r.pid for r in rows), np.int64, len(rows))
        self.p_tid[pids] = np.fromiter((r.tid for r in rows), np.int32, len(rows))
        self.p_group[pids] = np.fromiter((GROUPS.index(r.group) for r in rows), np.int8, len(rows))
        self.p_share[pids] = np.fromiter((r.share for r in rows), np.float32, len(rows))
        self.alive[pids] = True
        pid_list = pids.tolist()
        self.words.add_batch(pid_list, [r.words for r in rows])
        self.grams.add_batch(pid_list, [r.grams for r in rows])
        for group, items in by_group.items():
            pids = np.fromiter((r.pid for r in items), dtype=np.int64, count=len(items))
            self.vectors[group].add(pids, np.vstack([r.vector for r in items]), threads=threads)
        self._last_lexical = None

    def apply_changes(self, store: Store, tids: Sequence[int]) -> None:
        """Bring the given talents in line with SQLite (upserted, replaced or deleted).

        A passage id always stands for the same content (``Store.upsert``), so only
        ids that are new to this process are added and only vanished ones removed.
        """
        records = store.talents_by_tid(tids)
        present = [t for t in tids if t in records]
        stored: dict[int, list[PassageRow]] = {tid: [] for tid in present}
        for batch in store.passage_rows(present):
            for row in batch:
                stored[row.tid].append(row)
        new_rows: list[PassageRow] = []
        for tid in tids:
            rows = stored.get(tid, [])
            now = {r.pid for r in rows}
            had = set(self.tid_pids.get(tid, []))
            self.remove_passages(tid, sorted(had - now))
            self.set_talent(tid, records.get(tid))
            new_rows += [r for r in rows if r.pid not in had]
        self.add_passages(new_rows)
        self.maybe_compact()

    def maybe_compact(self, force: bool = False) -> bool:
        delta = self.words.delta_postings + self.grams.delta_postings
        base = self.words.base_postings + self.grams.base_postings
        if len(self.words.deltas) > MAX_DELTA_SEGMENTS:
            # Many small writes (one talent per web save): fold the deltas together, which
            # is cheap, instead of rewriting the whole base segment.
            self.words.merge_deltas()
            self.grams.merge_deltas()
            self._last_lexical = None
        if force or delta > max(COMPACT_MIN_POSTINGS, base // 2):
            self.words.rebuild(self.alive)
            self.grams.rebuild(self.alive)
            self._last_lexical = None
            return True
        return False

    # -- filters -------------------------------------------------------------------
    def talent_mask(self, filters: Filters) -> np.ndarray | None:
        """Allowed tids as a bool array, or None when nothing is filtered (memoised until a change)."""
        return self._filtered(filters)[0]

    def allowed_pids(self, filters: Filters, group_code: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``(pids, pid mask)`` of live passages of allowed talents in one group; ``(None, None)`` unfiltered."""
        mask, by_group, pid_mask = self._filtered(filters)
        if mask is None:
            return None, None
        return by_group.get(group_code, np.zeros(0, dtype=np.int64)), pid_mask

    def _filtered(
        self, filters: Filters
    ) -> tuple[np.ndarray | None, dict[int, np.ndarray], np.ndarray | None]:
        """Talent mask, allowed passage ids per group and passage mask for ``filters`` (memoised)."""
        cached = self._filter_cache.get(filters)
        if cached is None:
            mask = self._compute_mask(filters)
            by_group: dict[int, np.ndarray] = {}
            pid_mask = None
            if mask is not None:
                pid_mask = self.alive & mask[np.maximum(self.p_tid, 0)]
                allowed = np.flatnonzero(pid_mask)
                groups = self.p_group[allowed]
                by_group = {code: allowed[groups == code] for code in range(len(GROUPS))}
            if len(self._filter_cache) > 16:
                self._filter_cache.clear()
            cached = self._filter_cache[filters] = (mask, by_group, pid_mask)
        return cached

    def _compute_mask(self, filters: Filters) -> np.ndarray | None:
        if not (filters.categories or filters.fields or filters.languages or filters.exclude) and (
            filters.available is None
        ):
            return None
        mask = self.t_alive.copy()
        if filters.categories:
            mask &= self.category.any_of(filters.categories)
        if filters.fields:
            mask &= self.fields.any_of(filters.fields)
        if filters.languages:
            mask &= self.languages.any_of(filters.languages)
        if filters.available is not None:
            mask &= self.t_available == filters.available
        for talent_id in filters.exclude:
            tid = self.tid_of.get(talent_id)
            if tid is not None:
                mask[tid] = False
        return mask

    # -- queries ---------------------------------------------------------------------
    def lexical_matches(self, query: LexicalQuery) -> tuple[np.ndarray, np.ndarray]:
        """``(BM25 per passage id, sorted ids of the matching passages)``; the last query is memoised.

        Common terms (``common_terms``) only add to the scores of passages that
        a rarer query term matched, as Lucene's CommonTermsQuery does: at 100k
        talents 中国 alone has 395k postings, and scoring or collecting every
        passage that merely mentions it cost a slow query 20 ms for results
        that never reach the top of the list. A passage's score is exact
        whenever it is a candidate. The matching ids come from the posting
        lists read (sorted runs), cheaper than scanning the whole score array.
        """
        last = self._last_lexical
        if last is not None and last[0] == query:
            return last[1], last[2]
        scores = np.zeros(self.p_tid.shape[0], dtype=np.float32)
        words, grams = self.common_terms(query)
        rare_words = [t for t in query.words if t not in words]
        rare_grams = [t for t in query.grams if t not in grams]
        touched: list[np.ndarray] = []
        self.words.score_into(rare_words, scores, [query.word_weight(t) for t in rare_words], touched)
        self.grams.score_into(rare_grams, scores, query.gram_weight, touched)
        pids = _distinct(touched, scores)
        if words or grams:
            only = np.zeros(scores.shape[0], dtype=bool)
            only[pids] = True
            self.words.score_into(words, scores, [query.word_weight(t) for t in words], only=only)
            self.grams.score_into(grams, scores, query.gram_weight, only=only)
        self._last_lexical = (query, scores, pids)
        return scores, pids  # tombstoned passages may score; callers keep live ones only

    def common_terms(self, query: LexicalQuery) -> tuple[list[str], list[str]]:
        """Query words and grams too common to bring candidates of their own.

        Common means in more than ``COMMON_SHARE`` of the passages *and* more
        than ``COMMON_MIN_POSTINGS`` postings, so small collections (the judged
        sets have ~1 500 passages) score every term fully. A query made only of
        common terms is scored fully too: they are all it has.
        """
        def common(field: FieldIndex, term: str) -> bool:
            return field.df(term) > max(COMMON_SHARE * field.doc_count, COMMON_MIN_POSTINGS)

        words = [t for t in query.words if common(self.words, t)]
        grams = [t for t in query.grams if common(self.grams, t)]
        if len(words) + len(grams) == len(query.words) + len(query.grams):
            return [], []
        return words, grams

    def lexical_scores_for(self, query: LexicalQuery, pids: np.ndarray) -> np.ndarray:
        """Exact BM25 of the given passages (rescoring candidates the lexical list did not bring)."""
        scores, matched = self.lexical_matches(query)
        words, grams = self.common_terms(query)
        out: np.ndarray = scores[pids].copy()
        outside = np.ones(pids.shape[0], dtype=bool)
        if matched.shape[0]:
            at = np.minimum(np.searchsorted(matched, pids), matched.shape[0] - 1)
            outside = matched[at] != pids
        if (words or grams) and outside.any():
            # not matched by a rare term: only the common terms can score them
            rest = pids[outside]
            out[outside] = self.words.scores_of(words, rest, [query.word_weight(t) for t in words])
            out[outside] += self.grams.scores_of(grams, rest, query.gram_weight)
        return out

    # -- browse --------------------------------------------------------------------------
    def browse_order(self) -> np.ndarray:
        """Live tids sorted by ``sort_key``."""
        if self._order is None:
            keyed = sorted((r.sort_key, tid) for tid, r in self.talents.items())
            self._order = np.fromiter((tid for _, tid in keyed), dtype=np.int64, count=len(keyed))
        return self._order

    # -- snapshots ---------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the passage arrays, compacted postings and vector graphs to ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        self.maybe_compact(force=True)
        np.savez(
            directory / "passages.npz",
            p_tid=self.p_tid,
            p_group=self.p_group,
            p_share=self.p_share,
            alive=self.alive,
        )
        self.words.save(directory, "words")
        self.grams.save(directory, "grams")
        for group, vectors in self.vectors.items():
            vectors.save(directory / f"vectors-{group}")
        (directory / "snapshot.json").write_text(json.dumps({"seq": self.seq, "dim": self.dim}))

    @classmethod
    def load(cls, directory: Path, store: Store) -> MemoryIndex:
        """Snapshot arrays + current talents from SQLite; the caller replays later changes."""
        info = json.loads((directory / "snapshot.json").read_text())
        index = cls(int(info["dim"]))
        index.seq = int(info["seq"])
        with np.load(directory / "passages.npz") as arrays:
            index.p_tid = arrays["p_tid"].copy()
            index.p_group = arrays["p_group"].copy()
            index.p_share = arrays["p_share"].copy()
            index.alive = arrays["alive"].copy()
        index.words = FieldIndex.load(directory, "words")
        index.grams = FieldIndex.load(directory, "grams")
        index.vectors = {g: GroupVectors.load(directory / f"vectors-{g}", index.dim) for g in GROUPS}
        live = np.flatnonzero(index.alive)
        order = np.argsort(index.p_tid[live], kind="stable")
        tids = index.p_tid[live][order]
        bounds = np.flatnonzero(np.diff(tids)) + 1
        for chunk in np.split(live[order], bounds):
            if chunk.size:
                index.tid_pids[int(index.p_tid[chunk[0]])] = chunk.tolist()
        for tid, record in store.talents_by_tid().items():
            index.set_talent(tid, record)
        return index

    @classmethod
    def from_store(cls, store: Store, dim: int, threads: int = 0) -> MemoryIndex:
        """Cold start without a snapshot: read every passage from SQLite."""
        index = cls(dim)
        index.seq = store.last_seq()
        for tid, record in store.talents_by_tid().items():
            index.set_talent(tid, record)
        for batch in store.passage_rows():
            index.add_passages(batch, threads=threads)
        index.maybe_compact(force=True)
        return index


def _distinct(runs: list[np.ndarray], scores: np.ndarray) -> np.ndarray:
    """Sorted distinct passage ids of the posting ``runs`` that scored (a full scan if they are many)."""
    if sum(r.shape[0] for r in runs) * 16 >= scores.shape[0]:
        return np.flatnonzero(scores)
    pids = np.concatenate(runs) if runs else np.zeros(0, dtype=np.int64)
    pids = np.sort(pids.astype(np.int64, copy=False), kind="stable")
    if pids.shape[0] > 1:
        pids = pids[np.concatenate(([True], pids[1:] != pids[:-1]))]
    scored: np.ndarray = pids[scores[pids] != 0]
    return scored
