"""A BM25 inverted index in numpy arrays: an immutable base segment plus a delta.

The base segment is CSR (term → slice of sorted passage ids and term
frequencies), built in bulk and snapshotted to disk. Passages added later go
to a small dict-of-lists delta; removed passages are only tombstoned (the
caller's ``alive`` mask) until the next compaction. Scores use Lucene's BM25
form (no constant ``k1 + 1`` factor), so they equal Elasticsearch's. Like Lucene, document
frequencies and lengths of tombstoned passages still count until compaction —
which is also what Elasticsearch does, so both backends see the same stats.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.retrieval.params import BM25_B, BM25_K1


class FieldIndex:
    """Postings of one field (``words`` or ``grams``)."""

    def __init__(self) -> None:
        self.term_ids: dict[str, int] = {}
        self.offsets = np.zeros(1, dtype=np.int64)
        self.post_pids = np.zeros(0, dtype=np.int32)
        self.post_tfs = np.zeros(0, dtype=np.uint16)
        # Typed arrays keep the delta at 6 bytes per posting (Python lists of ints cost ~40).
        self.delta_pids: dict[str, array] = {}
        self.delta_tfs: dict[str, array] = {}
        self.delta_postings = 0
        self.lengths = np.zeros(0, dtype=np.uint32)
        self.doc_count = 0
        self.total_length = 0

    # -- building ----------------------------------------------------------------
    def _ensure(self, pid: int) -> None:
        if pid >= self.lengths.shape[0]:
            grown = np.zeros(max(pid + 1, 2 * self.lengths.shape[0], 1024), dtype=np.uint32)
            grown[: self.lengths.shape[0]] = self.lengths
            self.lengths = grown

    def add(self, pid: int, terms: Sequence[str]) -> None:
        """Add a passage to the delta segment."""
        self._ensure(pid)
        self.lengths[pid] = len(terms)
        if terms:  # like Lucene: a passage without terms in this field is not a field document
            self.doc_count += 1
            self.total_length += len(terms)
        for term, tf in Counter(terms).items():
            pids = self.delta_pids.get(term)
            if pids is None:
                pids = self.delta_pids[term] = array("i")
                self.delta_tfs[term] = array("H")
            pids.append(pid)
            self.delta_tfs[term].append(min(tf, 65535))
            self.delta_postings += 1

    def rebuild(self, alive: np.ndarray) -> None:
        """Merge base and delta into a new base segment, dropping tombstoned passages.

        Fully vectorised: every posting gets its term id, dead passages are
        filtered with the ``alive`` mask, and one sort by ``(term, pid)`` yields
        the new CSR arrays. Terms keep their ids (new delta terms are appended).
        """
        terms = list(self.term_ids)
        term_ids = dict(self.term_ids)
        base_counts = np.diff(self.offsets)
        parts_term = [np.repeat(np.arange(len(terms), dtype=np.int64), base_counts)]
        parts_pid = [np.asarray(self.post_pids, dtype=np.int64)]
        parts_tf = [np.asarray(self.post_tfs, dtype=np.uint16)]
        for term, pids in self.delta_pids.items():
            tid = term_ids.get(term)
            if tid is None:
                tid = term_ids[term] = len(terms)
                terms.append(term)
            parts_term.append(np.full(len(pids), tid, dtype=np.int64))
            parts_pid.append(np.frombuffer(pids, dtype=np.int32).astype(np.int64))
            parts_tf.append(np.frombuffer(self.delta_tfs[term], dtype=np.uint16))
        term_col = np.concatenate(parts_term)
        pid_col = np.concatenate(parts_pid)
        tf_col = np.concatenate(parts_tf)
        size = alive.shape[0]
        keep = pid_col < size
        keep[keep] = alive[pid_col[keep]]
        term_col, pid_col, tf_col = term_col[keep], pid_col[keep], tf_col[keep]
        order = np.argsort((term_col << 32) | pid_col, kind="stable")
        self.post_pids = pid_col[order].astype(np.int32)
        self.post_tfs = tf_col[order]
        self.offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_col, minlength=len(terms)), out=self.offsets[1:])
        self.term_ids = term_ids
        self.delta_pids, self.delta_tfs, self.delta_postings = {}, {}, 0
        live = alive[: self.lengths.shape[0]]
        lengths = self.lengths[: live.shape[0]]
        self.lengths = np.where(live, lengths, 0).astype(np.uint32)
        self.doc_count = int(np.count_nonzero(self.lengths))
        self.total_length = int(self.lengths.sum())

    # -- scoring -----------------------------------------------------------------
    def _postings(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        tid = self.term_ids.get(term)
        if tid is not None:
            lo, hi = self.offsets[tid], self.offsets[tid + 1]
            out.append((self.post_pids[lo:hi], self.post_tfs[lo:hi]))
        if term in self.delta_pids:
            out.append(
                (
                    np.asarray(self.delta_pids[term], dtype=np.int32),
                    np.asarray(self.delta_tfs[term], dtype=np.uint16),
                )
            )
        return out

    def idf(self, df: int) -> float:
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))

    def score_into(self, terms: Sequence[str], out: np.ndarray, weight: float = 1.0) -> None:
        """Add ``weight`` × BM25 of every passage containing any of ``terms`` into ``out``."""
        if self.doc_count == 0:
            return
        avgdl = max(self.total_length / self.doc_count, 1e-9)
        for term in terms:
            postings = self._postings(term)
            df = sum(p.shape[0] for p, _ in postings)
            if df == 0:
                continue
            idf = weight * self.idf(df)
            for pids, tfs in postings:
                tf = tfs.astype(np.float32)
                norm = BM25_K1 * (1.0 - BM25_B + BM25_B * self.lengths[pids].astype(np.float32) / avgdl)
                out[pids] += idf * tf / (tf + norm)

    # -- persistence -------------------------------------------------------------
    def save(self, directory: Path, name: str) -> None:
        """Write the base segment (call after ``rebuild`` so the delta is empty)."""
        np.save(directory / f"{name}.offsets.npy", self.offsets)
        np.save(directory / f"{name}.pids.npy", self.post_pids)
        np.save(directory / f"{name}.tfs.npy", self.post_tfs)
        np.save(directory / f"{name}.lengths.npy", self.lengths)
        (directory / f"{name}.terms.txt").write_text("\n".join(self.term_ids), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, name: str) -> FieldIndex:
        index = cls()
        index.offsets = np.load(directory / f"{name}.offsets.npy")
        index.post_pids = np.load(directory / f"{name}.pids.npy", mmap_mode="r")
        index.post_tfs = np.load(directory / f"{name}.tfs.npy", mmap_mode="r")
        index.lengths = np.load(directory / f"{name}.lengths.npy")
        text = (directory / f"{name}.terms.txt").read_text(encoding="utf-8")
        index.term_ids = {t: i for i, t in enumerate(text.split("\n"))} if text else {}
        index.doc_count = int(np.count_nonzero(index.lengths))
        index.total_length = int(index.lengths.sum())
        return index
