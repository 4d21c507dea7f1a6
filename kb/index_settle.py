"""Write the database's current state of some items to an index until it is still current after the write.

Several processes drain the same queue (every gunicorn worker of every app server,
and ``kb worker``). One that read an item and is slow to write it can otherwise land
its write *after* another process wrote a newer state of the same item: both queue
items end "done" and the index keeps the older state for good. Reading the items
again after the write closes that gap: the last process to write any item has seen,
after its write, that the database still says what it wrote. The talent sync and
the knowledge sync both drain this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: Times one batch re-reads and re-writes items that changed while it was writing them.
SETTLE_ROUNDS = 3


def write_settled(
    read: Callable[[set[str]], Mapping[str, Any]],
    upsert: Callable[[list[Any]], object],
    delete: Callable[[list[str]], object],
    keys: set[str],
) -> set[str]:
    """Write ``read(keys)`` (deleting the keys it no longer returns) until a second read agrees.

    Returns the keys still changing after ``SETTLE_ROUNDS`` (rare: edited again in every
    round), for which the caller queues a fresh item.
    """
    wanted = set(keys)
    for _round in range(SETTLE_ROUNDS):
        written = read(wanted)
        if written:
            upsert(list(written.values()))
        gone = sorted(wanted - set(written))
        if gone:
            delete(gone)
        now = read(wanted)
        wanted = {key for key in wanted if now.get(key) != written.get(key)}
        if not wanted:
            break
    return wanted
