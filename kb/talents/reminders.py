"""A commissioner's one-click reminder to a talent whose profile is ageing or stale.

At most one reminder per talent per ``REMINDER_INTERVAL``, whoever sends it: the
talent is asked to update, not nagged. The limit is claimed with a conditional
UPDATE on ``talents.reminded_at`` (as event reminders claim their registration),
so two commissioners clicking at once send one reminder; the loser is told when
the next one is possible.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.db import rows_matched
from kb.errors import Conflict, ValidationError
from kb.localtime import DEFAULT_TIMEZONE, to_local
from kb.models import Talent, utcnow
from kb.notifications import notify
from kb.notifications.reach import accounts_of
from kb.permissions import require
from kb.settings import FreshnessSettings
from kb.talents.freshness import age_days
from kb.talents.tasks import tasks_for

REMINDER_INTERVAL = timedelta(days=7)
KIND = "freshness.reminder"


def next_possible(talent: Talent) -> datetime | None:
    """When the next reminder may go out; ``None``: now."""
    return talent.reminded_at + REMINDER_INTERVAL if talent.reminded_at is not None else None


def remind(
    session: Session, actor: Actor, talent: Talent, settings: FreshnessSettings, now: datetime | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> None:
    """Queue a reminder (inbox and e-mail) listing the talent's open tasks; audited as ``freshness.remind``.

    Refused within a week of the last one, saying on which day of ``tz`` (the reader's calendar) the next may go.
    """
    require(actor, "freshness.remind", talent)
    now = now or utcnow()
    account = accounts_of(session, [talent.id]).get(talent.id)
    if account is None:
        raise ValidationError(f"{talent.external_id} has no active account to remind", code="freshness.no_account",
                              params={"talent": talent.name})
    claimed = session.execute(
        update(Talent)
        .where(Talent.id == talent.id,
               or_(Talent.reminded_at.is_(None), Talent.reminded_at <= now - REMINDER_INTERVAL))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        session.refresh(talent, ["reminded_at"])
        until = next_possible(talent)
        raise Conflict(f"{talent.external_id} was reminded less than a week ago; next possible {until}",
                       code="freshness.reminded_recently",
                       params={"talent": talent.name, "date": to_local(until, tz).date().isoformat() if until else ""})
    session.refresh(talent, ["reminded_at"])
    tasks = tasks_for(session, talent, now, settings)
    lines = [f"{talent.name}，您好！服务专员 {actor.label} 提醒您：您的研究方向和成果已有 "
             f"{age_days(talent, now)} 天未更新，请登录核对并更新。"]
    lines += [f"- {t.text_zh()}：{t.link}" for t in tasks]
    notify(session, [account], KIND, "请更新您的人才资料", "\n".join(lines), f"/talents/{talent.external_id}/edit")
    audit(session, actor, "freshness.remind", "talent", talent.external_id, {"tasks": len(tasks)})
