"""The one-year evaluation reminder of adopted advice, through the durable queue.

Whether a policy built on the advice worked shows only after about a year, by
when the researcher has moved on to other requests. Recording an adoption
enqueues an item due a year after the document's date (in the same
transaction, so no adoption is committed without its reminder); the worker
drains the topic when it falls due and tells the request's owners, unless the
advice was evaluated meanwhile. A reminder row with the unique (invitation,
kind) key makes sending idempotent: a second adoption of the same advice, or
two workers, never remind twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, object_session

from kb.consultations import notices
from kb.consultations.enums import LedgerStep
from kb.models import QueueItem, utcnow
from kb.models.consultation_invitation import ConsultationAdvice, ConsultationReminder
from kb.queue import DrainReport, drain, enqueue

EVALUATION_TOPIC = "consultation.evaluation"
#: How long after adoption the effect is assessed.
EVALUATION_AFTER = timedelta(days=365)
REMINDER_KIND = "evaluation"


def schedule_evaluation(session: Session, advice: ConsultationAdvice, adopted_at: datetime, *,
                        now: datetime | None = None) -> QueueItem:
    """Queue the reminder for ``adopted_at`` + one year (due at once if that has passed)."""
    now = now or utcnow()
    due = adopted_at + EVALUATION_AFTER
    return enqueue(session, EVALUATION_TOPIC, {"advice": advice.id, "due": due.isoformat()},
                   delay=max(due - now, timedelta(0)))


def remind(session: Session, advice: ConsultationAdvice, now: datetime) -> bool:
    """Tell the owners that the advice's evaluation is due; False when already evaluated or reminded."""
    if any(e.step == LedgerStep.EVALUATED for e in advice.ledger):
        return False
    invitation = advice.invitation
    if any(r.kind == REMINDER_KIND for r in invitation.reminders):
        return False
    adopted = [e for e in advice.ledger if e.step == LedgerStep.ADOPTED]
    document = f"（{adopted[-1].doc_title}）" if adopted and invitation.request.confidentiality != "confidential" else ""
    notices.tell_owners(session, invitation.request, "evaluation",
                        f"{invitation.talent.name} 的意见被采纳{document}已满一年，请评估落实效果并记入采纳台账。")
    invitation.reminders.append(ConsultationReminder(kind=REMINDER_KIND, sent_at=now))
    return True


def drain_evaluation_reminders(kb: Any) -> DrainReport:  # kb: KnowledgeBase
    """Send the reminders that fell due; the notification's mail goes out through the mail topic."""
    def handle(items: list[QueueItem]) -> None:
        if not items:
            return
        session = object_session(items[0])
        assert session is not None
        for item in items:
            advice = session.get(ConsultationAdvice, int(item.payload.get("advice", 0)))
            if advice is not None:
                remind(session, advice, utcnow())
        session.flush()

    return drain(kb.sessions, EVALUATION_TOPIC, handle, batch=20)
