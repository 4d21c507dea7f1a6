"""The durable queue: claimed once, retried on failure, never lost."""

from __future__ import annotations

import threading

from sqlalchemy import select

from kb.models import QueueItem
from kb.queue import drain, enqueue, pending_count


def test_two_workers_drain_each_item_exactly_once(kb) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        for i in range(200):
            enqueue(s, "test.topic", {"n": i})
    seen: list[int] = []
    lock = threading.Lock()

    def handler(items: list[QueueItem]) -> None:
        with lock:
            seen.extend(i.payload["n"] for i in items)

    workers = [
        threading.Thread(target=drain, args=(kb.sessions, "test.topic", handler), kwargs={"batch": 7, "worker": f"w{n}"})
        for n in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(seen) == list(range(200))
    with kb.sessions() as s:
        assert pending_count(s, "test.topic") == 0


def test_failure_keeps_items_for_retry(kb) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        enqueue(s, "test.topic", {"n": 1})

    def broken(items: list[QueueItem]) -> None:
        raise ConnectionError("backend down")

    report = drain(kb.sessions, "test.topic", broken)
    assert report.failed == 1 and "backend down" in report.remaining_errors[0]
    with kb.sessions() as s:
        item = s.scalar(select(QueueItem))
        assert item.state == "pending" and item.attempts == 1 and item.run_after > item.created_at
        item_id = item.id
    # Once it is due again, a healthy handler completes it.
    with kb.sessions() as s, s.begin():
        s.get(QueueItem, item_id).run_after = s.get(QueueItem, item_id).created_at
    done: list[int] = []
    drain(kb.sessions, "test.topic", lambda items: done.extend(i.id for i in items))
    assert done == [item_id]


def test_finished_items_are_purged_after_the_retention_only(kb) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from kb.models import utcnow
    from kb.queue import DONE_RETENTION, Purger

    with kb.sessions() as s, s.begin():
        for i in range(4):
            enqueue(s, "test.topic", {"n": i})
    drain(kb.sessions, "test.topic", lambda items: None)
    with kb.sessions() as s, s.begin():
        for i in range(4, 6):
            enqueue(s, "test.topic", {"n": i})
    with kb.sessions() as s, s.begin():
        old = list(s.scalars(select(QueueItem).where(QueueItem.state == "done").order_by(QueueItem.id)))
        for item in old[:3]:
            item.done_at = utcnow() - DONE_RETENTION - timedelta(minutes=1)
    purger = Purger(kb.sessions)
    assert purger.maybe_purge() == 3
    with kb.sessions() as s:
        left = {(i.payload["n"], i.state) for i in s.scalars(select(QueueItem))}
    # the recently finished one and the two never processed remain; pending work is never purged
    assert left == {(3, "done"), (4, "pending"), (5, "pending")}
    assert purger.maybe_purge() == 0  # at most once per hour
