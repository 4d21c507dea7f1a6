"""The talent's digest: what to check, once per period, in the inbox and by e-mail.

``send_due_digests`` is safe to run every minute (the worker does). The
(talent, period) row in ``freshness_digests`` is written in the same
transaction as the notification, inside a savepoint: if two workers race, the
loser's insert fails on the unique key, its savepoint is rolled back with the
notification it would have queued, and the talent hears once. A talent with
nothing to check gets no digest (and can get one later in the same period if a
task appears); ``off`` gets none at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import unit_of_work
from kb.errors import ValidationError
from kb.models import FreshnessDigest, Talent, utcnow
from kb.notifications import notify
from kb.notifications.reach import accounts_of
from kb.permissions import require
from kb.queue import DrainReport
from kb.settings import FreshnessSettings
from kb.settings.sections import DIGEST_FREQUENCIES
from kb.talents.freshness import write_snapshot
from kb.talents.tasks import Task, tasks_for_many

log = logging.getLogger(__name__)
KIND = "freshness.digest"


def frequency_of(talent: Talent, settings: FreshnessSettings) -> str:
    """The talent's own choice, or the configured default when it made none."""
    return talent.digest_frequency or settings.digest_frequency


def period_key(frequency: str, now: datetime) -> str | None:
    """The period a digest sent ``now`` belongs to: ``2026-12`` or ``2026-W49`` (ISO week); ``off``: None."""
    if frequency == "monthly":
        return f"{now.year:04d}-{now.month:02d}"
    if frequency == "weekly":
        year, week, _ = now.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return None


def set_frequency(session: Session, actor: Actor, talent: Talent, frequency: str) -> None:
    """The talent (or staff on its behalf) chooses how often the digest comes; audited."""
    require(actor, "talent.edit", talent)
    if frequency not in DIGEST_FREQUENCIES:
        raise ValidationError(f"unknown digest frequency {frequency!r}",
                              {"digest_frequency": f"choose one of {', '.join(DIGEST_FREQUENCIES)}"},
                              code="record.enum")
    if talent.digest_frequency == frequency:
        return
    old = talent.digest_frequency
    talent.digest_frequency = frequency
    audit(session, actor, "talent.digest_frequency", "talent", talent.external_id, {"from": old, "to": frequency})


def compose(talent: Talent, tasks: list[Task]) -> tuple[str, str, str]:
    """Title, body and link of one digest: one line and one link per task."""
    title = f"资料更新提醒：{len(tasks)} 项待处理"
    lines = [f"{talent.name}，您好！以下事项需要您查看（每项附链接）："]
    for i, task in enumerate(tasks, 1):
        lines.append(f"{i}. {task.text_zh()}\n   {task.link}")
    lines.append("如不希望收到此类提醒，可在“我的账号”页面调整提醒频率或关闭。")
    return title, "\n".join(lines), "/account"


def send_due_digests(session: Session, now: datetime, settings: FreshnessSettings) -> int:
    """Send the digest of this period to every talent due one; returns how many were sent. The caller commits."""
    talents = [t for t in session.scalars(select(Talent).order_by(Talent.id))
               if period_key(frequency_of(t, settings), now) is not None]
    accounts = accounts_of(session, (t.id for t in talents))
    talents = [t for t in talents if t.id in accounts]
    if not talents:
        return 0
    sent_already = {
        (tid, p) for tid, p in session.execute(select(FreshnessDigest.talent_id, FreshnessDigest.period).where(
            FreshnessDigest.talent_id.in_([t.id for t in talents])))
    }
    due = [t for t in talents if (t.id, period_key(frequency_of(t, settings), now)) not in sent_already]
    tasks = tasks_for_many(session, due, now, settings)
    sent = 0
    for talent in due:
        if not tasks[talent.id]:
            continue
        period = period_key(frequency_of(talent, settings), now)
        try:
            with session.begin_nested():
                session.add(FreshnessDigest(talent_id=talent.id, period=period, tasks=len(tasks[talent.id]),
                                            sent_at=now))
                session.flush()
                title, body, link = compose(talent, tasks[talent.id])
                notify(session, [accounts[talent.id]], KIND, title, body, link)
                session.flush()
        except IntegrityError:  # another worker sent this period's digest first
            continue
        sent += 1
    return sent


def digest_handler(kb: Any, every: float = 60.0) -> Callable[[], DrainReport]:
    """A worker handler: at most every ``every`` seconds, send due digests and write today's snapshot."""
    last = [float("-inf")]

    def run() -> DrainReport:
        if time.monotonic() - last[0] < every:
            return DrainReport()
        last[0] = time.monotonic()
        try:
            with unit_of_work(kb.sessions) as session:
                now = utcnow()
                write_snapshot(session, now, kb.settings.freshness)
                return DrainReport(done=send_due_digests(session, now, kb.settings.freshness))
        except Exception:  # noqa: BLE001 - nothing was committed; retried next round
            log.exception("freshness digests failed; will retry")
            return DrainReport(failed=1)

    return run
