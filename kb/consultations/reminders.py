"""Reminders before the deadline, sent once per invitation.

``send_due_reminders`` is safe to run every few seconds (the worker does): a
reminder row with a unique (invitation, kind) key is written in the same
transaction as the notification, so a reminder is sent at most once even if
two workers race (the loser's commit fails and nothing of it remains).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.consultations import notices
from kb.consultations.invitations import WAITING
from kb.consultations.settings import ConsultationSettings
from kb.consultations.states import RESPONDING
from kb.db import unit_of_work
from kb.models import utcnow
from kb.models.consultation import ConsultationInvitation, ConsultationReminder, ConsultationRequest

DEADLINE = "deadline"


@dataclass
class ReminderReport:
    done: int = 0
    failed: int = 0


def send_due_reminders(session: Session, now: datetime, settings: ConsultationSettings | None = None) -> int:
    """Remind invited experts who have not answered yet, ``reminder_days`` before the deadline.

    Returns how many reminders were sent; the caller commits.
    """
    settings = settings or ConsultationSettings()
    today = now.date()
    horizon = today + timedelta(days=settings.reminder_days)
    sent_already = select(ConsultationReminder.id).where(
        ConsultationReminder.invitation_id == ConsultationInvitation.id, ConsultationReminder.kind == DEADLINE)
    due = session.scalars(
        select(ConsultationInvitation)
        .join(ConsultationRequest, ConsultationInvitation.request_id == ConsultationRequest.id)
        .where(
            ConsultationInvitation.state.in_(WAITING),
            ConsultationRequest.state.in_(RESPONDING),
            ConsultationRequest.deadline.is_not(None),
            ConsultationRequest.deadline >= today,
            ConsultationRequest.deadline <= horizon,
            ~sent_already.exists(),
        )
        .order_by(ConsultationInvitation.id)
    ).all()
    for inv in due:
        deadline = inv.request.deadline
        if deadline is None:  # the query selects requests with a deadline; the column allows none
            continue
        days = (deadline - today).days
        when = "今天" if days == 0 else f"{days} 天后"
        notices.tell_talent(session, inv, "reminder",
                            f"本次咨询的答复截止日期为 {deadline.isoformat()}（{when}）。")
        inv.reminders.append(ConsultationReminder(kind=DEADLINE, sent_at=now))
    session.flush()
    return len(due)


def reminder_handler(kb: Any, every: float = 60.0) -> Callable[[], ReminderReport]:
    """A worker handler that checks for due reminders at most every ``every`` seconds."""
    settings = kb.settings.consultations
    last = [0.0]

    def run() -> ReminderReport:
        if time.monotonic() - last[0] < every:
            return ReminderReport()
        last[0] = time.monotonic()
        with unit_of_work(kb.sessions) as session:
            return ReminderReport(done=send_due_reminders(session, utcnow(), settings))

    return run
