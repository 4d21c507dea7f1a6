"""The talent's digest: once per period, what to check with one link per task, off respected, sent by SMTP."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kb.context import KnowledgeBase
from kb.errors import PermissionDenied, ValidationError
from kb.models import FreshnessDigest, Notification, User, utcnow
from kb.notifications.mailer import drain_mail_queue
from kb.settings import FreshnessSettings
from kb.talents import changes as ops
from kb.talents.digest import period_key, send_due_digests, set_frequency
from tests.consultations.test_mail import smtp, with_mail  # noqa: F401  (the SMTP test server fixture)
from tests.living.conftest import People, age

SETTINGS = FreshnessSettings()


def digests(kb: KnowledgeBase, username: str) -> list[Notification]:
    with kb.sessions() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        rows = list(s.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == "freshness.digest")))
        s.expunge_all()
        return rows


def run(kb: KnowledgeBase, now: datetime, settings: FreshnessSettings = SETTINGS) -> int:
    with kb.sessions() as s, s.begin():
        return send_due_digests(s, now, settings)


@pytest.mark.parametrize("now,monthly,weekly", [
    (datetime(2026, 12, 3, 9), "2026-12", "2026-W49"),
    (datetime(2027, 1, 1, 0), "2027-01", "2026-W53"),
    (datetime(2026, 12, 31, 23, 59), "2026-12", "2026-W53"),
])
def test_period_keys(now: datetime, monthly: str, weekly: str) -> None:
    assert period_key("monthly", now) == monthly
    assert period_key("weekly", now) == weekly
    assert period_key("off", now) is None


def test_one_digest_per_period_listing_each_task_with_its_link(kb: KnowledgeBase, people: People) -> None:
    now = utcnow()
    age(kb, "t-1", 400, now)  # stale: its directions are a task
    assert run(kb, now) == 1
    assert run(kb, now) == 0  # same period: nothing more
    assert run(kb, now + timedelta(minutes=5)) == 0
    [digest] = digests(kb, "t1")
    assert "/talents/t-1/edit" in digest.body and "400 天" in digest.body
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FreshnessDigest)) == 1
    # The next month is a new period.
    next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=2)
    assert run(kb, next_month) == 1
    assert len(digests(kb, "t1")) == 2


def test_a_current_profile_with_nothing_to_do_gets_no_digest_until_a_task_appears(kb: KnowledgeBase,
                                                                                  people: People) -> None:
    now = utcnow()
    assert run(kb, now) == 0  # everybody was just imported: current, no tasks
    with kb.sessions() as s, s.begin():  # a proposal to reviewed facts now waits for review
        ops.update_profile(s, people.talent, ops.get_talent(s, "t-1"), {"title": "首席研究员"}, None)
    assert run(kb, now) == 1
    [digest] = digests(kb, "t1")
    assert "/talents/t-1/history" in digest.body and "等待审核" in digest.body


def test_unanswered_invitations_are_tasks(kb: KnowledgeBase, people: People) -> None:
    from kb.events.enums import EventStatus
    from kb.events.invitations import invite
    from kb.events.manage import create_event, transition
    from kb.models import Event

    org = people.admin
    with kb.sessions() as s, s.begin():
        start = utcnow() + timedelta(days=10)
        event = create_event(s, org, {"title": "低空经济沙龙", "kind": "salon", "start_at": start,
                                      "end_at": start + timedelta(hours=2), "capacity": 20,
                                      "place": "罗湖区人才之家"})
        transition(s, org, event, EventStatus.PUBLISHED)
        invite(s, org, s.get(Event, event.id), [ops.get_talent(s, "t-1")])
    assert run(kb, utcnow()) == 1
    [digest] = digests(kb, "t1")
    assert "低空经济沙龙" in digest.body and f"/events/{event.id}" in digest.body


@pytest.mark.parametrize("frequency,expected", [("off", 0), ("weekly", 2), ("monthly", 1)])
def test_the_talents_own_frequency_is_respected(kb: KnowledgeBase, people: People, frequency: str,
                                                 expected: int) -> None:
    age(kb, "t-1", 400)
    with kb.sessions() as s, s.begin():
        set_frequency(s, people.talent, ops.get_talent(s, "t-1"), frequency)
    monday = datetime(2027, 3, 1, 8)  # two weeks in the same month
    run(kb, monday)
    run(kb, monday + timedelta(days=7))
    assert len(digests(kb, "t1")) == expected


def test_the_configured_default_applies_when_the_talent_chose_nothing(kb: KnowledgeBase, people: People) -> None:
    age(kb, "t-1", 400)
    assert run(kb, utcnow(), FreshnessSettings(digest_frequency="off")) == 0
    assert run(kb, utcnow(), FreshnessSettings(digest_frequency="weekly")) == 1


def test_only_the_talent_or_staff_set_the_frequency(kb: KnowledgeBase, people: People) -> None:
    with kb.sessions() as s, s.begin():
        with pytest.raises(PermissionDenied):
            set_frequency(s, people.other_talent, ops.get_talent(s, "t-1"), "off")
        with pytest.raises(ValidationError):
            set_frequency(s, people.talent, ops.get_talent(s, "t-1"), "daily")
        set_frequency(s, people.c1, ops.get_talent(s, "t-1"), "weekly")
        assert ops.get_talent(s, "t-1").digest_frequency == "weekly"


def test_the_digest_goes_out_by_smtp_through_the_queue(kb: KnowledgeBase, people: People, smtp) -> None:  # noqa: F811
    age(kb, "t-1", 400)
    age(kb, "t-2", 200)
    assert run(kb, utcnow()) == 2
    port, inbox = smtp
    up = with_mail(kb, port)
    try:
        report = drain_mail_queue(up)
        assert report.done == 2 and report.failed == 0
    finally:
        up.close()
    by_rcpt = {rcpt[0]: email.message_from_bytes(raw, policy=email.policy.default) for rcpt, raw in inbox.messages}
    assert set(by_rcpt) == {"t1@example.org", "t2@example.org"}
    body = by_rcpt["t1@example.org"].get_content()
    assert "资料更新提醒" in str(by_rcpt["t1@example.org"]["Subject"])
    assert "/talents/t-1/edit" in body and "/talents/t-2/" not in body


def test_unclaimed_harvested_items_and_consultation_invitations_are_tasks(kb: KnowledgeBase,
                                                                         people: People) -> None:
    from kb.consultations.enums import InvitationState, RequestState
    from kb.models import HarvestedItem
    from kb.models.consultation import ConsultationInvitation, ConsultationRequest

    with kb.sessions() as s, s.begin():
        t = ops.get_talent(s, "t-1")
        for i, (state, error) in enumerate((("pending", ""), ("pending", ""), ("claimed", ""), ("pending", "no title"))):
            s.add(HarvestedItem(talent_id=t.id, batch="b1", position=i, source_format="bibtex", state=state,
                                error=error, values={"type": "paper", "title": f"论文{i}"}))
        req = ConsultationRequest(title="深港跨境数据流动咨询", state=RequestState.INVITED, unit="发改局")
        done = ConsultationRequest(title="已结束的咨询", state=RequestState.CLOSED, unit="发改局")
        s.add_all([req, done])
        s.flush()
        waiting = ConsultationInvitation(request_id=req.id, talent_id=t.id, state=InvitationState.INVITED)
        s.add_all([waiting, ConsultationInvitation(request_id=done.id, talent_id=t.id, state=InvitationState.INVITED)])
        s.flush()
        waiting_id = waiting.id
    assert run(kb, utcnow()) == 1
    [digest] = digests(kb, "t1")
    # Two claimable items (a claimed one and a failed one are not tasks), one link to the import page.
    assert "有 2 条从文件导入的成果" in digest.body and "/talents/t-1/outputs/import" in digest.body
    assert f"/consultations/invitations/{waiting_id}" in digest.body and "深港跨境数据流动咨询" in digest.body
    assert "已结束的咨询" not in digest.body


def test_the_worker_sends_due_digests_and_writes_the_days_counts(kb: KnowledgeBase, people: People) -> None:
    from kb.models import FreshnessSnapshot
    from kb.talents.digest import digest_handler

    age(kb, "t-1", 400)
    tick = digest_handler(kb, every=3600)
    assert tick().done == 1
    assert tick().done == 0  # throttled: the next look is an hour away
    assert digest_handler(kb)().done == 0  # a fresh handler (another worker): already sent this period
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FreshnessSnapshot)) == 3  # today's, once
