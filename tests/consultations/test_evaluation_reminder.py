"""The one-year evaluation reminder: queued with the adoption, sent once by mail when due."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta

from sqlalchemy import select

from kb.consultations.evaluation import EVALUATION_TOPIC, drain_evaluation_reminders
from kb.consultations.ledger import StepInput, record_step
from kb.models import Notification, QueueItem, User
from kb.models.consultation import ConsultationAdvice
from kb.notifications.mailer import drain_mail_queue
from kb.queue import pending_count
from tests.consultations.test_ledger import advised
from tests.consultations.test_mail import smtp, with_mail  # noqa: F401 - the smtp fixture is used by name


def _adopt(kb, people, aid, doc_date: str, **over) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        record_step(s, people["researcher"], s.get(ConsultationAdvice, aid),
                    StepInput.parse({"step": "adopted", "doc_title": "罗湖区供应链金融扶持办法",
                                     "doc_date": doc_date, **over}))


def _items(kb) -> list[QueueItem]:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        items = list(s.scalars(select(QueueItem).where(QueueItem.topic == EVALUATION_TOPIC)))
        s.expunge_all()
        return items


def _reminders(kb) -> list[Notification]:  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        owner = s.scalar(select(User).where(User.username == "researcher"))
        return list(s.scalars(select(Notification).where(Notification.user_id == owner.id,
                                                         Notification.kind == "consultation.evaluation")))


def test_the_reminder_is_queued_for_a_year_after_adoption_and_mailed_once(kb, people, smtp, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    aid = advised(kb, people, tmp_path)
    adopted = datetime.now().date() - timedelta(days=30)
    _adopt(kb, people, aid, adopted.isoformat())
    [item] = _items(kb)
    due = datetime.combine(adopted, datetime.min.time()) + timedelta(days=365)
    assert item.payload["advice"] == aid and abs((item.run_after - due).total_seconds()) < 120
    # Not due yet: the worker leaves it.
    assert drain_evaluation_reminders(kb).done == 0 and _reminders(kb) == []
    # A year passes.
    with kb.sessions() as s, s.begin():
        s.get(QueueItem, item.id).run_after = datetime(2000, 1, 1)
    port, inbox = smtp
    up = with_mail(kb, port)
    try:
        assert drain_evaluation_reminders(up).done == 1
        [note] = _reminders(up)
        with up.sessions() as s:
            rid = s.get(ConsultationAdvice, aid).invitation.request_id
        assert "一年" in note.title and note.link == f"/consultations/{rid}"
        drain_mail_queue(up)
        to_owner = [email.message_from_bytes(raw, policy=email.policy.default) for rcpt, raw in inbox.messages
                    if rcpt == ["researcher@example.org"]]
        evaluation = [m for m in to_owner if "效果评估" in str(m["Subject"])]
        assert len(evaluation) == 1 and "采纳台账" in evaluation[0].get_content()
        # A second adoption of the same advice queues another item, but the owner is reminded once.
        _adopt(up, people, aid, adopted.isoformat(), doc_title="实施细则")
        with up.sessions() as s, s.begin():
            for queued in s.scalars(select(QueueItem).where(QueueItem.topic == EVALUATION_TOPIC)):
                queued.run_after = datetime(2000, 1, 1)
        drain_evaluation_reminders(up)
        assert len(_reminders(up)) == 1
        with up.sessions() as s:
            assert pending_count(s, EVALUATION_TOPIC) == 0
    finally:
        up.close()


def test_no_reminder_once_evaluated(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    _adopt(kb, people, aid, "2025-04-01")  # over a year ago: due at once
    with kb.sessions() as s, s.begin():
        record_step(s, people["researcher"], s.get(ConsultationAdvice, aid),
                    StepInput.parse({"step": "evaluated", "evidence": "一年来效果良好", "at": "2026-04-02"}))
    assert drain_evaluation_reminders(kb).done == 1
    assert _reminders(kb) == []
