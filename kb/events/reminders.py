"""Reminders before an event, sent by the worker.

``send_due_reminders`` is idempotent: each registration is claimed for its
reminder with a conditional UPDATE (``reminded_at IS NULL``), so running it
twice, or in two workers at once, reminds everyone exactly once. A changed
start time clears ``reminded_at`` (see ``kb.events.manage``), re-arming it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.db import rows_matched, unit_of_work
from kb.events.notices import format_code, notify_talents, when_where
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.settings import EventSettings

if TYPE_CHECKING:  # kb.context imports the whole product; a type is all this needs
    from kb.context import KnowledgeBase

#: events.reminder_lead_hours's default, for callers that pass no lead (tests).
LEAD = timedelta(hours=EventSettings().reminder_lead_hours)
log = logging.getLogger(__name__)


def send_due_reminders(session: Session, now: datetime, lead: timedelta = LEAD) -> int:
    """Remind every registered talent of a published event starting within ``lead``; returns how many.

    The worker passes the events.reminder_lead_hours setting as ``lead``.
    """
    due = session.execute(
        select(EventRegistration, Event, Talent)
        .join(Event, Event.id == EventRegistration.event_id)
        .join(Talent, Talent.id == EventRegistration.talent_id)
        .where(Event.status == "published", Event.start_at > now, Event.start_at <= now + lead,
               EventRegistration.status == "registered", EventRegistration.reminded_at.is_(None))
        .order_by(EventRegistration.id)
    ).all()
    sent = 0
    for reg, event, talent in due:
        claimed = session.execute(
            update(EventRegistration)
            .where(EventRegistration.id == reg.id, EventRegistration.reminded_at.is_(None),
                   EventRegistration.status == "registered")
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if rows_matched(claimed) != 1:
            continue
        session.refresh(reg)
        body = f"{when_where(event)}\n签到码：{format_code(reg.checkin_code)}"
        notify_talents(session, [talent], "event.reminder", body, event,
                       registrations={talent.id: reg})
        sent += 1
    return sent


@dataclass
class ReminderReport:
    """Shaped like the queue's DrainReport, which is what the worker logs."""

    done: int = 0
    failed: int = 0


def run_reminders(kb: KnowledgeBase, now: datetime | None = None) -> ReminderReport:
    """One worker tick: send what is due in its own transaction.

    A failure (database busy, say) is logged and reported, never raised: the
    worker loop must survive it, and the next tick simply tries again.
    """
    try:
        with unit_of_work(kb.sessions) as session:
            lead = timedelta(hours=kb.settings.events.reminder_lead_hours)
            return ReminderReport(done=send_due_reminders(session, now or utcnow(), lead))
    except Exception:  # noqa: BLE001 - nothing was committed; retried next tick
        log.exception("event reminders failed; will retry")
        return ReminderReport(failed=1)
