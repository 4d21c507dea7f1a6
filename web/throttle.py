"""Per-IP throttling of login attempts, in memory.

kb locks an *account* after five wrong passwords; this guards the other axis:
one address trying many accounts. It is per process (each gunicorn worker
counts for itself), which still bounds guessing to a small multiple of the
limit without needing shared storage.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class LoginThrottle:
    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.attempts

    def retry_after(self, key: str) -> int:
        with self._lock:
            q = self._recent(key, time.monotonic())
            return int(q[0] + self.window - time.monotonic()) + 1 if q else 0

    def failed(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle addresses so memory stays bounded
                for k in [k for k, v in self._failures.items() if not v]:
                    del self._failures[k]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
