"""Login throttling by exponential backoff, per client address and per account name.

There is no lock: a lock that anyone can trigger with five wrong passwords
locks the owner out too (the administrators first). Instead each failure
makes the next attempt from the same *address*, and for the same *account
name*, wait longer — a few free tries, then 2, 4, 8 … seconds, capped. An
attempt during the wait is refused (429 with ``Retry-After``) without
looking at the password, so guessing is slowed to one try per wait, while
the owner of an attacked account waits at most the cap:

- the per-address backoff stops one client trying many accounts;
- the per-account backoff stops many clients (a botnet) trying one account,
  and is keyed by the name as typed, known or not, so a 429 does not tell
  whether an account exists;
- a browser that logged in to the account before carries a signed device
  cookie (``web/auth/device.py``) and skips the per-account wait, so an
  attack from elsewhere does not slow the owner down at all.

The counts live in memory, per process (each gunicorn worker counts for
itself), which bounds guessing to a small multiple of the limit without
shared storage; they are forgotten after a quiet period.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int
    last: float


class Backoff:
    """Exponential backoff for one kind of key.

    After ``free`` failures each further one makes the key wait
    ``base * 2**(n - free)`` seconds after its last failure, at most ``cap``.
    A key quiet for ``forget_after`` seconds starts from zero again.
    """

    def __init__(self, free: int, base: float, cap: float, forget_after: float,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.free, self.base, self.cap, self.forget_after = free, base, cap, forget_after
        self.clock = clock
        self.max_keys = max_keys
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row."""
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** (failures - self.free)))

    def _live(self, key: str, now: float) -> _Record | None:
        rec = self._records.get(key)
        if rec is not None and now - rec.last > self.forget_after:
            del self._records[key]
            return None
        return rec

    def wait(self, key: str) -> float:
        """Seconds ``key`` must still wait before its next attempt (0: go ahead)."""
        with self._lock:
            now = self.clock()
            rec = self._live(key, now)
            return self._remaining(rec, now) if rec else 0.0

    def admit(self, key: str) -> float:
        """Like :meth:`wait`, but an admitted attempt of a key in backoff takes its slot at once.

        Without this, requests sent in parallel the instant a wait ends would all
        be admitted before the first failure is counted: a botnet's burst would
        get as many guesses as the server has threads.
        """
        with self._lock:
            now = self.clock()
            rec = self._live(key, now)
            if rec is None:
                return 0.0
            wait = self._remaining(rec, now)
            if wait == 0 and rec.failures >= self.free:
                rec.last = now
            return wait

    def _remaining(self, rec: _Record, now: float) -> float:
        delay = self.delay(rec.failures)
        # clamped: the clock never runs backwards, but float rounding of large clock values could
        return min(delay, max(0.0, rec.last + delay - now))

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            rec = self._live(key, now)
            if rec is None:
                if len(self._records) >= self.max_keys:
                    self._forget_idle(now)
                self._records[key] = _Record(1, now)
            else:
                rec.failures += 1
                rec.last = now

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._records.clear()

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded under a flood of distinct keys: drop the quiet ones, else the oldest."""
        idle = [k for k, r in self._records.items() if now - r.last > self.delay(r.failures)]
        for k in idle or sorted(self._records, key=lambda k: self._records[k].last)[: self.max_keys // 10]:
            del self._records[k]


def account_key(username: str) -> str:
    """The per-account key: the name as kb looks it up (trimmed), case-folded so
    ``Admin`` and ``admin`` share one budget."""
    return username.strip().casefold()


class LoginThrottle:
    """Both backoffs of the login form."""

    def __init__(self, per_address: Backoff, per_account: Backoff) -> None:
        self.per_address = per_address
        self.per_account = per_account

    def wait(self, address: str, username: str, known_device: bool = False) -> float:
        """Seconds before this attempt may be tried; a known device skips the account's wait."""
        account_wait = 0.0 if known_device else self.per_account.wait(account_key(username))
        return max(self.per_address.wait(address), account_wait)

    def admit(self, address: str, username: str, known_device: bool = False) -> float:
        """:meth:`wait` for an attempt about to be made: 0 admits it and takes its slot."""
        account_wait = 0.0 if known_device else self.per_account.admit(account_key(username))
        if account_wait > 0:
            return account_wait
        return self.per_address.admit(address)

    def failed(self, address: str, username: str) -> None:
        self.per_address.failed(address)
        self.per_account.failed(account_key(username))

    def succeeded(self, username: str) -> None:
        """A right password clears the account's backoff, not the address's: otherwise a
        guesser with an account of its own could log in to it between guesses to reset."""
        self.per_account.succeeded(account_key(username))

    def reset(self) -> None:
        self.per_address.reset()
        self.per_account.reset()
