"""The background worker: drains the durable queue until stopped."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from kb.context import KnowledgeBase
from kb.queue import Purger


def run_worker(kb: KnowledgeBase, *, once: bool = False, interval: float = 0.5,
               log: Callable[[str], None] = print) -> None:
    """Poll the queue; each topic has one handler. Failures are retried by the queue."""
    from indexer import SearchUnavailable
    from kb.capability.service import build_handler as capability_map
    from kb.consultations.evaluation import drain_evaluation_reminders
    from kb.consultations.reminders import reminder_handler as consultation_reminders
    from kb.events.reminders import run_reminders
    from kb.notifications.mailer import drain_mail_queue
    from kb.talents.digest import digest_handler

    stopping = False

    def stop(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    purger = Purger(kb.sessions)
    kb.warm_search()  # a cold worker that claims an edit would keep it from search for seconds
    handlers: list[tuple[str, Callable[[], object]]] = [
        ("search", kb.sync_search),
        ("knowledge", kb.sync_knowledge),
        ("mail", lambda: drain_mail_queue(kb)),
        ("consultation reminders", consultation_reminders(kb)),
        ("evaluation reminders", lambda: drain_evaluation_reminders(kb)),
        ("event reminders", lambda: run_reminders(kb)),
        ("freshness digests", digest_handler(kb)),
        ("capability map", capability_map(kb)),
    ]
    while not stopping:
        for name, handler in handlers:
            try:
                report = handler()
            except SearchUnavailable as exc:
                log(f"{name}: backend unreachable, will retry: {exc}")
                continue
            done = getattr(report, "done", 0)
            failed = getattr(report, "failed", 0)
            if done or failed:
                log(f"{name}: {done} done, {failed} failed")
        purged = purger.maybe_purge()
        if purged:
            log(f"queue: purged {purged} finished item(s)")
        if once:
            return
        time.sleep(interval)

