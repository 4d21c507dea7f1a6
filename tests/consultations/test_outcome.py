"""Rating within working days, adoption, reminders, the talent's record, the figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from kb.consultations.invitations import accept, invite, submit_advice
from kb.consultations.outcome import add_working_days, rate_advice, record_adoption
from kb.consultations.record import consultation_record
from kb.consultations.reminders import send_due_reminders
from kb.consultations.requests import get_request
from kb.consultations.settings import ConsultationSettings
from kb.consultations.stats import consultation_stats
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.models import Notification, User
from kb.models.consultation import ConsultationAdvice, ConsultationReminder
from kb.talents import changes as ops
from tests.consultations.conftest import open_new


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_working_days(friday, 10) == date(2026, 12, 11)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # from a Saturday


def _advised(kb, people, tmp_path, confidentiality="unit", when=None):  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"], confidentiality=confidentiality)
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        [inv] = invite(s, people["researcher"], req, [ops.get_talent(s, "c-3")])
        advice = submit_advice(s, people["c-3"], inv, "建议", data_dir=tmp_path, now=when)
        return rid, advice.id


def test_rating_window_and_adoption(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    submitted = datetime(2026, 11, 27, 9, 0)  # a Friday
    rid, advice_id = _advised(kb, people, tmp_path, when=submitted)
    with kb.sessions() as s, s.begin():
        advice = s.get(ConsultationAdvice, advice_id)
        with pytest.raises(ValidationError):
            rate_advice(s, people["researcher"], advice, 6, now=submitted)
        with pytest.raises(PermissionDenied):
            rate_advice(s, people["c-3"], advice, 5, now=submitted)
        with pytest.raises(Conflict, match="closed on 2026-12-11"):
            rate_advice(s, people["researcher"], advice, 4, now=datetime(2026, 12, 12, 8))
        rate_advice(s, people["researcher"], advice, 4, "思路清晰", now=datetime(2026, 12, 11, 17))
        rate_advice(s, people["researcher"], advice, 5, "思路清晰，可操作", now=datetime(2026, 12, 11, 18),
                    settings=ConsultationSettings(rating_working_days=10))
        with pytest.raises(ValidationError):
            record_adoption(s, people["researcher"], advice, "full", "")
        with pytest.raises(ValidationError):
            record_adoption(s, people["researcher"], advice, "maybe", "x")
        record_adoption(s, people["researcher"], advice, "partial", "《罗湖区供应链金融扶持办法》第五条")
    with kb.sessions() as s:
        advice = s.get(ConsultationAdvice, advice_id)
        assert (advice.rating, advice.rating_comment, advice.adoption) == (5, "思路清晰，可操作", "partial")
        talent_user = s.scalar(select(User).where(User.username == "user-c-3"))
        kinds = [n.kind for n in s.scalars(select(Notification).where(Notification.user_id == talent_user.id))]
        assert kinds.count("consultation.rated") == 2 and "consultation.adopted" in kinds


def test_reminders_are_sent_once_before_the_deadline(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    deadline = date.today() + timedelta(days=10)
    rid = open_new(kb, people["researcher"], deadline=deadline)
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        a, b, c = invite(s, people["researcher"], req, [ops.get_talent(s, t) for t in ("c-3", "c-7", "c-8")])
        accept(s, people["c-7"], b)
        submit_advice(s, people["c-8"], c, "意见", data_dir=tmp_path)
    early = datetime.combine(deadline - timedelta(days=5), datetime.min.time())
    due = datetime.combine(deadline - timedelta(days=2), datetime.min.time())
    with kb.sessions() as s, s.begin():
        assert send_due_reminders(s, early) == 0
    for _ in range(2):  # the second run finds nothing new
        with kb.sessions() as s, s.begin():
            sent = send_due_reminders(s, due)
    assert sent == 0
    with kb.sessions() as s:
        assert s.query(ConsultationReminder).count() == 2  # c-3 (invited) and c-7 (accepted), not c-8 (answered)
        reminded = s.scalars(select(Notification).where(Notification.kind == "consultation.reminder")).all()
        assert len(reminded) == 2 and deadline.isoformat() in reminded[0].body


def test_consultation_record_and_stats(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rid, advice_id = _advised(kb, people, tmp_path, confidentiality="confidential")
    with kb.sessions() as s, s.begin():
        record_adoption(s, people["researcher"], s.get(ConsultationAdvice, advice_id), "full", "区政府常务会议纪要")
    with kb.sessions() as s:
        t = ops.get_talent(s, "c-3")
        [own] = consultation_record(s, people["c-3"], t)
        assert own["title"] and own["invitation_state"] == "answered" and own["adoption"] == "full"
        [outsider] = consultation_record(s, people["other_researcher"], t)
        assert outsider["title"] == "" and outsider["request_id"] is None and outsider["adopted_into"] == ""
        with pytest.raises(PermissionDenied):
            consultation_record(s, people["c-7"], t)
        figures = consultation_stats(s, people["commissioner"])
        assert figures["requests_by_unit"] == {"罗湖区发展和改革局": 1}
        assert figures["requests_by_field"] == {"banking": 1}
        assert figures["answer_rate"] == 1.0 and figures["adoption_rate"] == 1.0
        assert figures["most_consulted_talents"][0]["talent_id"] == "c-3"
        assert figures["time_to_first_response_hours"]["requests"] == 1
        with pytest.raises(PermissionDenied):
            consultation_stats(s, people["c-3"])
