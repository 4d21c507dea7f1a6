"""A progress bar for whole bulk runs (``kb reindex``, ``kb import``): count, rate and time left.

Indexing 10k talents with the default embedder takes minutes; a bar that moves
says the command is working and when it will be done. It is drawn only on a
terminal (``stream.isatty()``) and never with ``--quiet``: in a log or a pipe
the command's closing summary line is the record, and a bar redrawn in place
would only be noise there. It writes to stderr, so stdout stays the command's
answer (scripts read it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from indexer.embedding.progress import format_duration

#: Cells of the bar itself.
WIDTH = 24


def render(label: str, done: int, total: int, elapsed: float, unit: str, width: int = WIDTH) -> str:
    """``reindex [######------------------] 320/1612 talents (19%), 14.8/s, about 1 min 27 s left``."""
    share = min(1.0, done / total) if total else 1.0
    filled = int(share * width)
    line = f"{label} [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {unit} ({int(share * 100)}%)"
    if done and elapsed > 0:
        rate = done / elapsed
        line += f", {rate:.1f}/s"
        line += f", about {format_duration((total - done) / rate)} left" if done < total \
            else f", done in {format_duration(elapsed)}"
    return line


class ProgressBar:
    """One bar for one run: ``advance(n)`` as work is done, ``close()`` at the end.

    ``enabled=None`` draws only when ``stream`` is a terminal. Redraws are at
    most every ``interval`` seconds, so a run of many tiny steps costs nothing.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str,
        total: int,
        *,
        unit: str = "talents",
        enabled: bool | None = None,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.unit = unit
        self.total = total
        self.enabled = bool(getattr(stream, "isatty", lambda: False)()) if enabled is None else enabled
        self.interval = interval
        self.clock = clock
        self.done = 0
        self._started = clock()
        self._drawn = float("-inf")
        self._closed = False
        if self.enabled and total > 0:
            self._draw(final=False)

    def advance(self, n: int) -> None:
        self.done += n
        now = self.clock()
        if self.enabled and self.total > 0 and now - self._drawn >= self.interval:
            self._draw(final=False)

    def close(self) -> None:
        """Draw the last state and end the line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled and self.total > 0:
            self._draw(final=True)

    def _draw(self, final: bool) -> None:
        now = self.clock()
        self._drawn = now
        line = render(self.label, self.done, self.total, now - self._started, self.unit)
        self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        self.stream.flush()
