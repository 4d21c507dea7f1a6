"""One open generation: its SQLite store plus the in-memory index, kept in sync.

``catch_up`` replays the change log (talents written by this or any other
process since the memory state was built); snapshots let the next process
start without re-reading every passage.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from indexer.backends.base import IndexMeta
from indexer.backends.embedded.generations import atomic_write, read_pointer
from indexer.backends.embedded.memory import MemoryIndex
from indexer.backends.embedded.store import Store, Written
from indexer.errors import IndexMismatch

log = logging.getLogger(__name__)

#: Write a new snapshot after this many talent changes since the last one.
SNAPSHOT_EVERY_CHANGES = 5_000


class Generation:
    """A generation directory opened for reading and writing."""

    def __init__(self, path: Path, meta: IndexMeta, create: bool = False) -> None:
        self.path = path
        self.name = path.name
        if create:
            path.mkdir(parents=True, exist_ok=True)
        self.store = Store(path / "index.sqlite", create=create)
        stored = self.store.read_meta()
        if stored is None:
            self.store.write_meta(meta)
        elif meta.differences(stored):
            self.store.close()
            raise IndexMismatch(
                f"search index {path} was built with a different configuration: "
                + "; ".join(meta.differences(stored))
                + ". Run a rebuild."
            )
        self.meta = meta
        self.lock = threading.RLock()
        self._users = 0
        self._closing = False
        self._closed = False
        self.memory = self._load_memory()
        self.snapshot_seq = self.memory.seq
        self.catch_up()

    def _load_memory(self) -> MemoryIndex:
        name = read_pointer(self.path / "SNAPSHOT")
        if name:
            try:
                memory = MemoryIndex.load(self.path / name, self.store)
                if memory.dim == self.meta.dim:
                    return memory
            except (OSError, ValueError, KeyError) as exc:
                log.warning("ignoring unreadable snapshot %s (%s); rebuilding from SQLite", name, exc)
        return MemoryIndex.from_store(self.store, self.meta.dim)

    def catch_up(self) -> None:
        """Apply every change committed to SQLite since the memory state was built."""
        with self.lock:
            tids, last = self.store.changed_tids(self.memory.seq)
            if tids:
                self.memory.apply_changes(self.store, tids)
                self.memory.seq = last

    def apply_written(self, written: Written) -> None:
        """Apply this process's own write directly, unless another writer got in between."""
        with self.lock:
            if self.memory.seq != written.first_seq - 1:
                self.catch_up()
                return
            rows = []
            for tid, record, talent_rows, gone in written.talents:
                self.memory.remove_passages(tid, gone)
                self.memory.set_talent(tid, record)
                rows += talent_rows
            self.memory.add_passages(rows)  # one batch: one segment, one graph insert per group
            self.memory.maybe_compact()
            self.memory.seq = max(self.memory.seq, written.last_seq)

    def needs_snapshot(self) -> bool:
        return self.memory.seq - self.snapshot_seq >= SNAPSHOT_EVERY_CHANGES

    def write_snapshot(self) -> None:
        """Persist the memory state (after a forced compaction) and point ``SNAPSHOT`` at it."""
        with self.lock:
            self.catch_up()
            name = f"snap-{self.memory.seq:012d}"
            target = self.path / name
            if read_pointer(self.path / "SNAPSHOT") == name:
                self.snapshot_seq = self.memory.seq
                return
            tmp = self.path / f".{name}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            self.memory.save(tmp)
            shutil.rmtree(target, ignore_errors=True)
            tmp.rename(target)
            atomic_write(self.path / "SNAPSHOT", name)
            self.snapshot_seq = self.memory.seq
            # Keep the previous snapshot: another process may be loading it right now.
            for old in sorted(p.name for p in self.path.glob("snap-*"))[:-2]:
                shutil.rmtree(self.path / old, ignore_errors=True)

    def acquire(self) -> Generation:
        """Count a search that pins this generation (see ``EmbeddedBackend.reader``)."""
        with self.lock:
            self._users += 1
        return self

    def release(self) -> None:
        with self.lock:
            self._users -= 1
            if self._closing and self._users <= 0:
                self._really_close()

    def close(self) -> None:
        """Close now, or once the last pinned search has finished."""
        with self.lock:
            self._closing = True
            if self._users <= 0:
                self._really_close()

    def _really_close(self) -> None:
        if not self._closed:
            self._closed = True
            self.store.close()
            del self.memory  # free the arrays and graphs at once; a use after close fails loudly
