"""A BM25 inverted index in numpy arrays: a base segment plus small delta segments.

Every segment is CSR (term → slice of sorted passage ids and term
frequencies). Passages added after the last merge go into one new small
segment per batch, built with numpy in one go; removed passages are only
tombstoned (the caller's ``alive`` mask) until the next merge, which
concatenates all segments, drops dead postings and re-sorts — all vectorised.
Scores use Lucene's BM25 form (no constant ``k1 + 1`` factor), so they equal
Elasticsearch's. Like Lucene, document frequencies and lengths of tombstoned
passages still count until the merge — which is also what Elasticsearch does,
so both backends see the same statistics.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from indexer.retrieval.params import BM25_B, BM25_K1


class Segment:
    """Immutable CSR postings: ``term_ids[term]`` → ``pids/tfs[offsets[i]:offsets[i + 1]]``."""

    __slots__ = ("term_ids", "offsets", "pids", "tfs")

    def __init__(
        self, term_ids: dict[str, int], offsets: np.ndarray, pids: np.ndarray, tfs: np.ndarray
    ) -> None:
        self.term_ids = term_ids
        self.offsets = offsets
        self.pids = pids
        self.tfs = tfs

    @classmethod
    def empty(cls) -> Segment:
        return cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16))

    @classmethod
    def build(cls, pids: Sequence[int], term_lists: Sequence[Sequence[str]]) -> Segment:
        """One segment from a batch of passages (one dict lookup per token, the rest in numpy)."""
        term_ids: dict[str, int] = {}
        lookup = term_ids.setdefault
        flat = [lookup(t, len(term_ids)) for terms in term_lists for t in terms]
        counts = np.fromiter((len(terms) for terms in term_lists), np.int64, len(term_lists))
        term_col = np.asarray(flat, dtype=np.int32)
        pid_col = np.repeat(np.asarray(pids, dtype=np.int32), counts)
        return cls.from_columns(term_ids, term_col, pid_col, np.ones(term_col.shape[0], dtype=np.uint16))

    @classmethod
    def from_columns(
        cls, term_ids: dict[str, int], term_col: np.ndarray, pid_col: np.ndarray, tf_col: np.ndarray
    ) -> Segment:
        """CSR from (term id, pid, tf) columns; repeated (term, pid) pairs are summed.

        Columns are int32/uint16 and the sort key uint64, so merging 40 M postings
        needs about 1 GB of temporaries rather than several.
        """
        if term_col.shape[0] == 0:
            return cls(
                term_ids, np.zeros(len(term_ids) + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint16)
            )
        key = (term_col.astype(np.uint64) << np.uint64(32)) | pid_col.astype(np.uint64)
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.empty(key.shape[0], dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        tfs = np.add.reduceat(tf_col[order].astype(np.uint32), starts)
        del order
        unique = key[starts]
        del key
        terms = (unique >> np.uint64(32)).astype(np.int64)
        offsets = np.zeros(len(term_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=len(term_ids)), out=offsets[1:])
        return cls(
            term_ids,
            offsets,
            (unique & np.uint64(0xFFFFFFFF)).astype(np.int32),
            np.minimum(tfs, 65535).astype(np.uint16),
        )

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        tid = self.term_ids.get(term)
        if tid is None:
            return None
        lo, hi = self.offsets[tid], self.offsets[tid + 1]
        if lo == hi:
            return None
        return self.pids[lo:hi], self.tfs[lo:hi]

    def __len__(self) -> int:
        return int(self.pids.shape[0])


class FieldIndex:
    """Postings of one field (``words`` or ``grams``)."""

    def __init__(self) -> None:
        self.base = Segment.empty()
        self.deltas: list[Segment] = []
        self.lengths = np.zeros(0, dtype=np.uint32)
        self.doc_count = 0
        self.total_length = 0
        self._norms: tuple[tuple[int, int, int], np.ndarray] | None = None

    def _length_norms(self) -> np.ndarray:
        """``k1 · (1 − b + b · len / avgdl)`` per passage, cached until the statistics change."""
        key = (self.doc_count, self.total_length, self.lengths.shape[0])
        if self._norms is None or self._norms[0] != key:
            avgdl = max(self.total_length / max(self.doc_count, 1), 1e-9)
            norms = (BM25_K1 * (1.0 - BM25_B + BM25_B * self.lengths.astype(np.float32) / avgdl)).astype(
                np.float32
            )
            self._norms = (key, norms)
        return self._norms[1]

    @property
    def delta_postings(self) -> int:
        return sum(len(s) for s in self.deltas)

    @property
    def base_postings(self) -> int:
        return len(self.base)

    # -- building ----------------------------------------------------------------
    def add_batch(self, pids: Sequence[int], term_lists: Sequence[Sequence[str]]) -> None:
        """Add passages as one new delta segment."""
        if not pids:
            return
        top = max(pids) + 1
        if top > self.lengths.shape[0]:
            grown = np.zeros(max(top, 2 * self.lengths.shape[0], 1024), dtype=np.uint32)
            grown[: self.lengths.shape[0]] = self.lengths
            self.lengths = grown
        lengths = np.fromiter((len(t) for t in term_lists), np.uint32, len(term_lists))
        self.lengths[np.asarray(pids, dtype=np.int64)] = lengths
        # Like Lucene: a passage without terms in this field is not a field document.
        self.doc_count += int(np.count_nonzero(lengths))
        self.total_length += int(lengths.sum())
        self.deltas.append(Segment.build(pids, term_lists))

    def merge_deltas(self) -> None:
        """Merge the delta segments into one (cheap: they are small); the base is untouched.

        Tombstoned postings are kept, so statistics stay exactly as they were.
        """
        if len(self.deltas) > 1:
            self.deltas = [self._merged(self.deltas, {}, None)]

    def rebuild(self, alive: np.ndarray) -> None:
        """Merge all segments into a new base, dropping tombstoned passages (vectorised)."""
        self.base = self._merged([self.base, *self.deltas], dict(self.base.term_ids), alive)
        self.deltas = []
        live = alive[: self.lengths.shape[0]]
        lengths = self.lengths[: live.shape[0]]
        self.lengths = np.where(live, lengths, 0).astype(np.uint32)
        self.doc_count = int(np.count_nonzero(self.lengths))
        self.total_length = int(self.lengths.sum())

    @staticmethod
    def _merged(segments: list[Segment], vocabulary: dict[str, int], alive: np.ndarray | None) -> Segment:
        """One segment with the postings of ``segments`` (dead passages dropped when ``alive`` is given).

        Every posting gets its term id in the merged vocabulary, and one sort by
        ``(term, pid)`` yields the CSR arrays; existing term ids are kept.
        """
        terms_parts, pid_parts, tf_parts = [], [], []
        for segment in segments:
            if len(segment) == 0:
                continue
            remap = np.fromiter(
                (vocabulary.setdefault(t, len(vocabulary)) for t in segment.term_ids),
                np.int32,
                len(segment.term_ids),
            )
            local = np.repeat(np.arange(len(segment.term_ids), dtype=np.int32), np.diff(segment.offsets))
            terms_parts.append(remap[local])
            pid_parts.append(np.asarray(segment.pids, dtype=np.int32))
            tf_parts.append(np.asarray(segment.tfs, dtype=np.uint16))
        if not terms_parts:
            return Segment(
                vocabulary,
                np.zeros(len(vocabulary) + 1, np.int64),
                np.zeros(0, np.int32),
                np.zeros(0, np.uint16),
            )
        term_col, pid_col, tf_col = (np.concatenate(p) for p in (terms_parts, pid_parts, tf_parts))
        if alive is not None:
            keep = pid_col < alive.shape[0]
            keep[keep] = alive[pid_col[keep]]
            term_col, pid_col, tf_col = term_col[keep], pid_col[keep], tf_col[keep]
        return Segment.from_columns(vocabulary, term_col, pid_col, tf_col)

    # -- scoring -----------------------------------------------------------------
    def _postings(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        for segment in (self.base, *self.deltas):
            found = segment.postings(term)
            if found is not None:
                out.append(found)
        return out

    def idf(self, df: int) -> float:
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))

    def df(self, term: str) -> int:
        return sum(p.shape[0] for p, _ in self._postings(term))

    def scores_of(
        self, terms: Sequence[str], pids: np.ndarray, weight: float | Sequence[float] = 1.0
    ) -> np.ndarray:
        """BM25 of ``terms`` for the given passages only: a binary search per posting list
        (each list is sorted by passage id) instead of a pass over it."""
        out = np.zeros(pids.shape[0], dtype=np.float32)
        if self.doc_count == 0 or pids.shape[0] == 0:
            return out
        norms = self._length_norms()
        for idf, run, tfs in self._weighted_runs(terms, weight):
            at = np.minimum(np.searchsorted(run, pids), run.shape[0] - 1)
            hit = run[at] == pids
            tf = tfs[at[hit]].astype(np.float32)
            out[hit] += idf * tf / (tf + norms[pids[hit]])
        return out

    def score_into(
        self,
        terms: Sequence[str],
        out: np.ndarray,
        weight: float | Sequence[float] = 1.0,
        touched: list[np.ndarray] | None = None,
        only: np.ndarray | None = None,
    ) -> None:
        """Add weight × BM25 of every passage containing any of ``terms`` into ``out``.

        ``weight`` is one factor for all terms or one per term. The posting
        lists read are appended to ``touched`` (when given). With ``only`` (a
        boolean array over passage ids) just those passages are scored.
        """
        if self.doc_count == 0:
            return
        norms = self._length_norms()
        for idf, pids, tfs in self._weighted_runs(terms, weight):
            if only is not None:
                inside = pids < only.shape[0]
                inside[inside] = only[pids[inside]]
                pids, tfs = pids[inside], tfs[inside]
            tf = tfs.astype(np.float32)
            out[pids] += idf * tf / (tf + norms[pids])
            if touched is not None:
                touched.append(pids)

    def _weighted_runs(
        self, terms: Sequence[str], weight: float | Sequence[float]
    ) -> Iterator[tuple[np.float32, np.ndarray, np.ndarray]]:
        """``(weight × idf, passage ids, term frequencies)`` of every posting run of ``terms``."""
        weights = [weight] * len(terms) if isinstance(weight, int | float) else list(weight)
        for term, term_weight in zip(terms, weights, strict=True):
            postings = self._postings(term)
            df = sum(p.shape[0] for p, _ in postings)
            if df == 0:
                continue
            idf = np.float32(term_weight * self.idf(df))
            for pids, tfs in postings:
                yield idf, pids, tfs

    # -- persistence -------------------------------------------------------------
    def save(self, directory: Path, name: str) -> None:
        """Write the base segment (call after ``rebuild`` so there are no deltas)."""
        np.save(directory / f"{name}.offsets.npy", self.base.offsets)
        np.save(directory / f"{name}.pids.npy", self.base.pids)
        np.save(directory / f"{name}.tfs.npy", self.base.tfs)
        np.save(directory / f"{name}.lengths.npy", self.lengths)
        (directory / f"{name}.terms.txt").write_text("\n".join(self.base.term_ids), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, name: str) -> FieldIndex:
        index = cls()
        text = (directory / f"{name}.terms.txt").read_text(encoding="utf-8")
        index.base = Segment(
            {t: i for i, t in enumerate(text.split("\n"))} if text else {},
            np.load(directory / f"{name}.offsets.npy"),
            np.load(directory / f"{name}.pids.npy", mmap_mode="r"),
            np.load(directory / f"{name}.tfs.npy", mmap_mode="r"),
        )
        index.lengths = np.load(directory / f"{name}.lengths.npy")
        index.doc_count = int(np.count_nonzero(index.lengths))
        index.total_length = int(index.lengths.sum())
        return index
