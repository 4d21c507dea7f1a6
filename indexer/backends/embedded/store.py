"""The durable part of the embedded index: one SQLite file per generation.

SQLite (WAL mode) is the source of truth — talents, passages with their terms
and vectors, per-language centroid sums and a change log. Everything held in
memory for fast search can be rebuilt from it, so a crash can at worst cost
a slower start, never data. The change log lets every process apply exactly
the talents that changed since it last looked.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from indexer.backends.base import Centroids, IndexMeta, PassageRecord, TalentRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS talents (
    tid INTEGER PRIMARY KEY AUTOINCREMENT,
    talent_id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    pid INTEGER PRIMARY KEY AUTOINCREMENT,
    tid INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    text TEXT NOT NULL,
    grp TEXT NOT NULL,
    share REAL NOT NULL,
    words TEXT NOT NULL,
    grams TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_tid ON passages (tid);
CREATE TABLE IF NOT EXISTS centroids (grp TEXT PRIMARY KEY, count INTEGER NOT NULL, sum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tid INTEGER NOT NULL,
    talent_id TEXT NOT NULL
);
"""

#: Vectors are stored as float16: half the disk, and far below the noise of
#: the int8 ANN index built from them. Centroid sums use the same rounded values
#: so additions and removals cancel exactly.
VECTOR_DTYPE = np.float16


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def decode_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32)


def talent_to_json(t: TalentRecord) -> str:
    return json.dumps(asdict(t), ensure_ascii=False, separators=(",", ":"))


def talent_from_json(text: str) -> TalentRecord:
    data = json.loads(text)
    data["fields"] = tuple(data["fields"])
    data["languages"] = tuple(data["languages"])
    return TalentRecord(**data)


class PassageRow:
    """A passage as held by the in-memory index (terms split, vector decoded)."""

    __slots__ = ("pid", "tid", "group", "share", "words", "grams", "vector")

    def __init__(
        self,
        pid: int,
        tid: int,
        group: str,
        share: float,
        words: Sequence[str],
        grams: Sequence[str],
        vector: np.ndarray,
    ) -> None:
        self.pid = pid
        self.tid = tid
        self.group = group
        self.share = share
        self.words = words
        self.grams = grams
        self.vector = vector

    @classmethod
    def from_sql(
        cls, pid: int, tid: int, group: str, share: float, words: str, grams: str, vector: bytes
    ) -> PassageRow:
        return cls(pid, tid, group, share, words.split(), grams.split(), decode_vector(vector))


@dataclass
class Written:
    """What one write transaction did, so the writing process can apply it without re-reading.

    ``first_seq``..``last_seq`` are the change-log entries it created; ``talents``
    holds, per written tid, its record (None when deleted), its new passages and
    the ids of the passages it lost (passages it kept unchanged appear in neither).
    """

    first_seq: int
    last_seq: int
    talents: list[tuple[int, TalentRecord | None, list[PassageRow], list[int]]] = field(default_factory=list)


class Store:
    """One generation's SQLite database; thread-safe through a connection lock."""

    def __init__(self, path: Path, create: bool = False) -> None:
        if not create and not path.exists():
            raise FileNotFoundError(path)
        self.path = path
        self._conn = sqlite3.connect(str(path), timeout=60, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        if create:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction: one writer at a time across processes."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # -- metadata --------------------------------------------------------------
    def read_meta(self) -> IndexMeta | None:
        rows = dict(self.query("SELECT key, value FROM meta"))
        if "embedder" not in rows:
            return None
        return IndexMeta(rows["embedder"], int(rows["dim"]), rows["analyzer"], int(rows["schema"]))

    def write_meta(self, meta: IndexMeta) -> None:
        with self.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(k, str(v)) for k, v in meta.as_dict().items()],
            )

    # -- writes ----------------------------------------------------------------
    def upsert(
        self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord], guard: Guard | None = None
    ) -> Written:
        """Replace each talent and all of its passages in one transaction.

        A passage stored before with exactly the same content (text, terms and
        vector) keeps its row and id: an edit usually changes one passage of a
        talent's six or so, and every process then updates its graph and word
        index for that one only. A passage id therefore always means the same
        content, which is what lets readers diff by id.

        ``guard`` runs once the write lock is held; if it returns False nothing is
        written and ``StaleGeneration`` is raised (the generation was replaced).
        """
        by_talent: dict[str, list[PassageRecord]] = {t.talent_id: [] for t in talents}
        for p in passages:
            by_talent.setdefault(p.talent_id, []).append(p)
        records = {t.talent_id: t for t in talents}
        with self.write() as conn:
            _check(guard)
            sums = _load_sums(conn)
            first_seq = _next_id(conn, "changes")
            next_pid = _next_id(conn, "passages")
            written = Written(first_seq, first_seq - 1)
            for talent_id, items in by_talent.items():
                record = records.get(talent_id)
                if record is None:
                    continue
                row = conn.execute("SELECT tid FROM talents WHERE talent_id = ?", (talent_id,)).fetchone()
                gone: list[int] = []
                if row is None:
                    tid = _row_id(conn.execute(
                        "INSERT INTO talents (talent_id, record) VALUES (?, ?)",
                        (talent_id, talent_to_json(record)),
                    ))
                else:
                    tid = row[0]
                    items, gone = _keep_unchanged(conn, tid, items, sums)
                    conn.execute("UPDATE talents SET record = ? WHERE tid = ?", (talent_to_json(record), tid))
                rows, params = [], []
                for p in items:
                    blob = encode_vector(p.vector)
                    vector = decode_vector(blob)  # the exact values every reader will load
                    rows.append(PassageRow(next_pid, tid, p.group, p.cjk_share, p.words, p.grams, vector))
                    params.append(
                        (
                            next_pid,
                            tid,
                            p.kind,
                            p.ref,
                            p.text,
                            p.group,
                            p.cjk_share,
                            " ".join(p.words),
                            " ".join(p.grams),
                            blob,
                        )
                    )
                    _add_sum(sums, p.group, vector, +1)
                    next_pid += 1
                conn.executemany(
                    "INSERT INTO passages (pid, tid, kind, ref, text, grp, share, words, grams, vector)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    params,
                )
                written.last_seq = _row_id(conn.execute(
                    "INSERT INTO changes (tid, talent_id) VALUES (?, ?)", (tid, talent_id)
                ))
                written.talents.append((tid, record, rows, gone))
            _save_sums(conn, sums)
        return written

    def delete(self, talent_ids: Iterable[str], guard: Guard | None = None) -> Written:
        with self.write() as conn:
            _check(guard)
            sums = _load_sums(conn)
            written = Written(_next_id(conn, "changes"), _next_id(conn, "changes") - 1)
            for talent_id in talent_ids:
                row = conn.execute("SELECT tid FROM talents WHERE talent_id = ?", (talent_id,)).fetchone()
                if row is None:
                    continue
                _, gone = _keep_unchanged(conn, row[0], [], sums)  # keeps none: every passage goes
                conn.execute("DELETE FROM talents WHERE tid = ?", (row[0],))
                written.last_seq = _row_id(conn.execute(
                    "INSERT INTO changes (tid, talent_id) VALUES (?, ?)", (row[0], talent_id)
                ))
                written.talents.append((row[0], None, [], gone))
            _save_sums(conn, sums)
        return written

    # -- reads -----------------------------------------------------------------
    def last_seq(self) -> int:
        row = self.query("SELECT max(seq) FROM changes")
        return int(row[0][0] or 0)

    def changed_tids(self, after_seq: int) -> tuple[list[int], int]:
        """Distinct talent row ids changed after ``after_seq`` and the newest seq seen."""
        changed, last = self.changed_talents(after_seq)
        return list(dict.fromkeys(tid for tid, _ in changed)), last

    def changed_talents(self, after_seq: int) -> tuple[list[tuple[int, str]], int]:
        """``(tid, talent_id)`` of every change after ``after_seq`` (deletions included)."""
        rows = self.query("SELECT seq, tid, talent_id FROM changes WHERE seq > ? ORDER BY seq", (after_seq,))
        if not rows:
            return [], after_seq
        return [(r[1], r[2]) for r in rows], rows[-1][0]

    def talents_by_tid(self, tids: Sequence[int] | None = None) -> dict[int, TalentRecord]:
        if tids is None:
            rows = self.query("SELECT tid, record FROM talents")
        else:
            rows = []
            for chunk in _chunks(list(tids)):
                marks = ",".join("?" * len(chunk))
                rows += self.query(f"SELECT tid, record FROM talents WHERE tid IN ({marks})", chunk)
        return {tid: talent_from_json(rec) for tid, rec in rows}

    def passage_rows(
        self, tids: Sequence[int] | None = None, batch: int = 20_000
    ) -> Iterator[list[PassageRow]]:
        """Passages for the in-memory index, streamed in batches (all when ``tids`` is None)."""
        cols = "pid, tid, grp, share, words, grams, vector"
        if tids is None:
            last = 0
            while True:
                rows = self.query(
                    f"SELECT {cols} FROM passages WHERE pid > ? ORDER BY pid LIMIT ?", (last, batch)
                )
                if not rows:
                    return
                last = rows[-1][0]
                yield [PassageRow.from_sql(*r) for r in rows]
        else:
            for chunk in _chunks(list(tids)):
                marks = ",".join("?" * len(chunk))
                rows = self.query(f"SELECT {cols} FROM passages WHERE tid IN ({marks}) ORDER BY pid", chunk)
                yield [PassageRow.from_sql(*r) for r in rows]

    def passage_records(self, talents: dict[int, TalentRecord]) -> list[PassageRecord]:
        """The stored passages of these talents (by row id) as records ready to write elsewhere.

        A rebuild carries talents written to the old generation over to the new
        one with these: terms and vectors are copied, never recomputed.
        """
        out: list[PassageRecord] = []
        for chunk in _chunks(list(talents)):
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                "SELECT tid, kind, ref, text, grp, share, words, grams, vector FROM passages"
                f" WHERE tid IN ({marks}) ORDER BY pid",
                chunk,
            )
            out += [
                PassageRecord(
                    talents[tid].talent_id,
                    kind,
                    ref,
                    text,
                    grp,
                    share,
                    tuple(words.split()),
                    tuple(grams.split()),
                    decode_vector(vector),
                )
                for tid, kind, ref, text, grp, share, words, grams, vector in rows
            ]
        return out

    def passage_texts(self, pids: Sequence[int]) -> dict[int, tuple[int, str, str, str, str, float]]:
        """``pid → (tid, kind, ref, text, group, share)``."""
        out = {}
        for chunk in _chunks(list(pids)):
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT pid, tid, kind, ref, text, grp, share FROM passages WHERE pid IN ({marks})", chunk
            ):
                out[row[0]] = row[1:]
        return out

    def centroids(self) -> Centroids:
        rows = self.query("SELECT grp, count, sum FROM centroids")
        return Centroids(
            sums={g: np.frombuffer(s, dtype=np.float64).copy() for g, _, s in rows},
            counts={g: int(c) for g, c, _ in rows},
        )

    def talent_count(self) -> int:
        return int(self.query("SELECT count(*) FROM talents")[0][0])


Guard = Callable[[], bool]


class StaleGeneration(Exception):
    """The generation written to is no longer the published one; retry on the current one."""


def _check(guard: Guard | None) -> None:
    if guard is not None and not guard():
        raise StaleGeneration


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    """The id AUTOINCREMENT will give the next row (we hold the write lock, so it is ours)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return (row[0] if row else 0) + 1


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (sqlite3 types ``lastrowid`` as optional)."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("the INSERT reported no row id")
    return cursor.lastrowid


T = TypeVar("T")


def _chunks(items: list[T], size: int = 500) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


#: Per passage group, ``[count, float64 sum of the vectors]``: the centroid numerators.
Sums = dict[str, list[Any]]


def _load_sums(conn: sqlite3.Connection) -> Sums:
    return {
        g: [int(c), np.frombuffer(s, dtype=np.float64).copy()]
        for g, c, s in conn.execute("SELECT grp, count, sum FROM centroids")
    }


def _add_sum(sums: Sums, group: str, vector: np.ndarray, sign: int) -> None:
    entry = sums.setdefault(group, [0, np.zeros(vector.shape[0], dtype=np.float64)])
    entry[0] += sign
    entry[1] += sign * vector.astype(np.float64)


def _save_sums(conn: sqlite3.Connection, sums: Sums) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO centroids (grp, count, sum) VALUES (?, ?, ?)",
        [(g, max(0, c), s.tobytes()) for g, (c, s) in sums.items()],
    )


def _keep_unchanged(
    conn: sqlite3.Connection, tid: int, items: list[PassageRecord], sums: Sums
) -> tuple[list[PassageRecord], list[int]]:
    """Delete the talent's stored passages that ``items`` does not repeat exactly.

    Returns the items still to insert and the ids of the deleted rows.
    """
    stored: dict[tuple[Any, ...], list[int]] = {}
    for pid, *content in conn.execute(
        "SELECT pid, kind, ref, text, grp, share, words, grams, vector FROM passages WHERE tid = ?", (tid,)
    ):
        stored.setdefault(tuple(content), []).append(pid)
    fresh = []
    for p in items:
        words, grams = " ".join(p.words), " ".join(p.grams)
        key = (p.kind, p.ref, p.text, p.group, p.cjk_share, words, grams, encode_vector(p.vector))
        same = stored.get(key)
        if same:
            same.pop()
        else:
            fresh.append(p)
    gone: list[int] = []
    for (_kind, _ref, _text, group, _share, _words, _grams, blob), pids in stored.items():
        for _ in pids:
            _add_sum(sums, group, decode_vector(blob), -1)
        gone += pids
    gone.sort()
    for chunk in _chunks(gone):
        conn.execute(f"DELETE FROM passages WHERE pid IN ({','.join('?' * len(chunk))})", chunk)
    return fresh, gone
