"""Generation directories and the ``CURRENT`` pointer of the embedded index.

A rebuild writes a complete new generation next to the live one and then
replaces the one-line ``CURRENT`` file atomically (write + fsync + rename).
Readers in any process notice the new name on their next search and switch;
the previous generation is kept until the one after, so a reader that is
still mid-switch never loses its files.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_GEN = re.compile(r"^gen-(\d{6})$")


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_pointer(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


class Generations:
    """The ``search/`` directory: ``CURRENT`` plus ``gen-NNNNNN`` folders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.pointer = root / "CURRENT"

    def current(self) -> str | None:
        return read_pointer(self.pointer)

    def path(self, name: str) -> Path:
        return self.root / name

    def existing(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if _GEN.match(p.name))

    def next_name(self) -> str:
        numbers = [int(m.group(1)) for n in self.existing() if (m := _GEN.match(n))]
        return f"gen-{(max(numbers, default=0) + 1):06d}"

    def publish(self, name: str) -> None:
        atomic_write(self.pointer, name)

    def prune(self, keep: int = 2) -> None:
        """Delete generations older than the newest ``keep`` that are not current."""
        current = self.current()
        for name in self.existing()[:-keep]:
            if name != current:
                shutil.rmtree(self.path(name), ignore_errors=True)

    @contextmanager
    def lock(self, name: str = "write.lock") -> Iterator[None]:
        """Inter-process lock for generation creation and rebuild commits."""
        with open(self.root / name, "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
