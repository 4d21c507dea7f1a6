"""Commissioners: assignment with history, reminders (permission, audit, weekly limit), figures per
commissioner and over time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.dashboard import figures
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.models import AuditEvent, CommissionerAssignment, FreshnessSnapshot, Notification, Revision, utcnow
from kb.settings import FreshnessSettings
from kb.talents import changes as ops
from kb.talents import commissioners
from kb.talents.freshness import backfill_snapshots, history, write_snapshot
from kb.talents.reminders import REMINDER_INTERVAL, remind
from tests.living.conftest import People, age, user

SETTINGS = FreshnessSettings()


def assign(kb: KnowledgeBase, actor: Actor, external_id: str, username: str | None,
           now: datetime | None = None) -> None:
    with kb.sessions() as s, s.begin():
        target = commissioners.get_commissioner(s, username) if username else None
        commissioners.assign(s, actor, ops.get_talent(s, external_id), target, now=now)


def test_reassignment_keeps_a_dated_history_with_who_assigned(kb: KnowledgeBase, people: People) -> None:
    t0 = datetime(2025, 1, 1, 9)
    assign(kb, people.admin, "t-1", "c1", t0)
    assign(kb, people.admin, "t-1", "c1", t0 + timedelta(days=1))  # already hers: nothing changes
    assign(kb, people.admin, "t-1", "c2", t0 + timedelta(days=30))
    assign(kb, people.admin, "t-1", None, t0 + timedelta(days=60))
    with kb.sessions() as s:
        rows = commissioners.history(s, ops.get_talent(s, "t-1"))
        assert [(r.commissioner_label, r.started_at, r.ended_at, r.assigned_by_label) for r in rows] == [
            ("c2", t0 + timedelta(days=30), t0 + timedelta(days=60), "admin"),
            ("c1", t0, t0 + timedelta(days=30), "admin"),
        ]
        assert commissioners.current(s, ops.get_talent(s, "t-1")) is None
        audits = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "commissioner.assign")
                                .order_by(AuditEvent.id)))
        assert [(a.detail["from"], a.detail["to"]) for a in audits] == [(None, "c1"), ("c1", "c2"), ("c2", None)]


@pytest.mark.parametrize("who", ["c1", "talent", "other_talent"])
def test_only_admins_assign(kb: KnowledgeBase, people: People, who: str) -> None:
    with pytest.raises(PermissionDenied):
        assign(kb, getattr(people, who), "t-1", "c1")


@pytest.mark.parametrize("username", ["admin", "t1"])
def test_only_commissioner_accounts_can_be_assigned(kb: KnowledgeBase, people: People, username: str) -> None:
    with kb.sessions() as s, s.begin():
        target = s.get(type(user(kb, username)), user(kb, username).id)
        with pytest.raises(ValidationError):
            commissioners.assign(s, people.admin, ops.get_talent(s, "t-1"), target)


def test_the_database_refuses_two_open_assignments(kb: KnowledgeBase, people: People) -> None:
    assign(kb, people.admin, "t-1", "c1")
    with kb.sessions() as s, pytest.raises(IntegrityError), s.begin():
        s.add(CommissionerAssignment(talent_id=ops.get_talent(s, "t-1").id,
                                     commissioner_user_id=user(kb, "c2").id, commissioner_label="c2"))


def test_assigned_talents_are_the_open_assignments(kb: KnowledgeBase, people: People) -> None:
    assign(kb, people.admin, "t-1", "c1")
    assign(kb, people.admin, "t-2", "c1")
    assign(kb, people.admin, "t-2", "c2")
    with kb.sessions() as s:
        assert [t.external_id for t in commissioners.assigned_talents(s, user(kb, "c1").id)] == ["t-1"]
        assert [t.external_id for t in commissioners.assigned_talents(s, user(kb, "c2").id)] == ["t-2"]


def _remind(kb: KnowledgeBase, actor: Actor, external_id: str, now: datetime) -> None:
    with kb.sessions() as s, s.begin():
        remind(s, actor, ops.get_talent(s, external_id), SETTINGS, now=now)


def _reminders(kb: KnowledgeBase, username: str) -> int:
    with kb.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user(kb, username).id, Notification.kind == "freshness.reminder")) or 0)


def test_a_reminder_per_talent_per_week_whoever_sends_it(kb: KnowledgeBase, people: People) -> None:
    assign(kb, people.admin, "t-1", "c1")
    age(kb, "t-1", 400)
    now = utcnow()
    _remind(kb, people.c1, "t-1", now)
    for later, actor in ((timedelta(0), people.c1), (timedelta(days=3), people.admin),
                         (REMINDER_INTERVAL - timedelta(seconds=1), people.c1)):
        with pytest.raises(Conflict) as refused:
            _remind(kb, actor, "t-1", now + later)
        assert refused.value.code == "freshness.reminded_recently"
    assert _reminders(kb, "t1") == 1
    _remind(kb, people.c1, "t-1", now + REMINDER_INTERVAL)
    assert _reminders(kb, "t1") == 2
    with kb.sessions() as s:
        audits = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "freshness.remind")))
        assert [(a.actor_label, a.object_id) for a in audits] == [("c1", "t-1"), ("c1", "t-1")]
        note = s.scalars(select(Notification).where(Notification.kind == "freshness.reminder")).first()
        assert note is not None and note.link == "/talents/t-1/edit" and "400 天" in note.body


def test_a_refused_reminder_names_the_next_day_of_luohus_calendar(kb: KnowledgeBase, people: People) -> None:
    """Reminded at 04:00 on 4 December in Luohu (20:00 on the 3rd in UTC): the next one on the 11th, not the 10th."""
    assign(kb, people.admin, "t-1", "c1")
    sent = datetime(2026, 12, 3, 20, 0)
    age(kb, "t-1", 400, now=sent)
    _remind(kb, people.c1, "t-1", sent)
    with pytest.raises(Conflict) as refused:
        _remind(kb, people.c1, "t-1", sent + timedelta(days=1))
    assert refused.value.params["date"] == "2026-12-11"


@pytest.mark.parametrize("who,allowed", [("c1", True), ("c2", False), ("admin", True), ("talent", False),
                                         ("other_talent", False)])
def test_commissioners_remind_only_their_own_talents(kb: KnowledgeBase, people: People, who: str,
                                                     allowed: bool) -> None:
    assign(kb, people.admin, "t-1", "c1")
    if allowed:
        _remind(kb, getattr(people, who), "t-1", utcnow())
        assert _reminders(kb, "t1") == 1
    else:
        with pytest.raises(PermissionDenied):
            _remind(kb, getattr(people, who), "t-1", utcnow())
        assert _reminders(kb, "t1") == 0


def test_a_talent_without_an_account_cannot_be_reminded(kb: KnowledgeBase, people: People) -> None:
    assign(kb, people.admin, "t-3", "c1")
    with pytest.raises(ValidationError) as refused:
        _remind(kb, people.c1, "t-3", utcnow())
    assert refused.value.code == "freshness.no_account"
    with kb.sessions() as s:  # the refused reminder did not use up the week
        assert ops.get_talent(s, "t-3").reminded_at is None


def test_the_dashboard_shows_each_commissioners_talents_by_state(kb: KnowledgeBase, people: People) -> None:
    assign(kb, people.admin, "t-1", "c1")
    assign(kb, people.admin, "t-2", "c1")
    assign(kb, people.admin, "t-3", "c2")
    age(kb, "t-1", 400)
    age(kb, "t-2", 10)
    age(kb, "t-3", 200)
    with kb.sessions() as s:
        data = figures(s, people.admin, freshness_settings=SETTINGS)
    assert data["freshness_states"] == {"current": 1, "ageing": 1, "stale": 1}
    rows = {r["commissioner"]: r for r in data["freshness_by_commissioner"]}
    assert rows["c1"] | {} == {"commissioner": "c1", "talents": 2, "current": 1, "ageing": 0, "stale": 1,
                               "current_share": 0.5}
    assert rows["c2"]["ageing"] == 1 and rows["c2"]["current_share"] == 0.0
    assert None not in rows  # every talent is assigned
    # Least current first: the assessment reads the commissioners who need to act at the top.
    assert [r["commissioner"] for r in data["freshness_by_commissioner"]] == ["c2", "c1"]


def test_snapshots_once_a_day_and_the_dashboard_history(kb: KnowledgeBase, people: People) -> None:
    age(kb, "t-1", 400)
    now = utcnow()
    with kb.sessions() as s, s.begin():
        assert write_snapshot(s, now, SETTINGS)
        assert not write_snapshot(s, now + timedelta(hours=1), SETTINGS)
    age(kb, "t-2", 400)
    with kb.sessions() as s, s.begin():
        assert not write_snapshot(s, now + timedelta(hours=2), SETTINGS)  # today is written
        assert write_snapshot(s, now + timedelta(days=1), SETTINGS)
    with kb.sessions() as s:
        days = history(s, now.date())
        assert [(d["current"], d["ageing"], d["stale"]) for d in days] == [(2, 0, 1), (1, 0, 2)]
        data = figures(s, people.admin, now=now + timedelta(days=1), freshness_settings=SETTINGS)
        assert [d["stale"] for d in data["freshness_history"]] == [1, 2]


def test_history_before_the_worker_ran_is_rebuilt_from_revisions(kb: KnowledgeBase, people: People) -> None:
    """Created 2024-01-01, directions changed 2024-03-01 and 2025-06-01: the states follow day by day."""
    born = datetime(2024, 1, 1, 10)
    with kb.sessions() as s, s.begin():
        s.query(Revision).delete()
        for t in (ops.get_talent(s, x) for x in ("t-2", "t-3")):
            s.delete(t)
        t = ops.get_talent(s, "t-1")
        t.created_at = born
        for at in (datetime(2024, 3, 1, 12), datetime(2025, 6, 1, 12)):
            s.add(Revision(talent_id=t.id, talent_external_id="t-1", actor_label="x", action="edit", at=at,
                           changes=[{"field": "research_directions", "old": [], "new": ["x"]}]))
        s.add(Revision(talent_id=t.id, talent_external_id="t-1", actor_label="x", action="edit",
                       at=datetime(2024, 12, 1), changes=[{"field": "bio", "old": "", "new": "x"}]))
    settings = FreshnessSettings(ageing_days=180, stale_days=365)
    with kb.sessions() as s, s.begin():
        written = backfill_snapshots(s, date(2023, 12, 31), date(2025, 7, 1), settings)
        assert written == 3 * (date(2025, 7, 1) - date(2023, 12, 31)).days + 3
        assert backfill_snapshots(s, date(2023, 12, 31), date(2025, 7, 1), settings) == 0  # kept
    with kb.sessions() as s:
        by_day = {d["day"]: (d["current"], d["ageing"], d["stale"]) for d in history(s, date(2023, 1, 1))}

    def state(day: date) -> str:
        return ("current", "ageing", "stale")[by_day[day.isoformat()].index(1)] if sum(by_day[day.isoformat()]) else ""

    assert state(date(2023, 12, 31)) == "" and state(date(2024, 1, 1)) == ""  # born during the day
    assert state(date(2024, 1, 2)) == "current"
    # last change 2024-03-01 12:00 → ageing once 180 whole days have passed, stale after 365;
    # the bio edit of 2024-12-01 changes nothing.
    assert state(date(2024, 8, 28)) == "current" and state(date(2024, 8, 29)) == "ageing"
    assert state(date(2025, 3, 1)) == "ageing" and state(date(2025, 3, 2)) == "stale"
    assert state(date(2025, 6, 1)) == "stale" and state(date(2025, 6, 2)) == "current"
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FreshnessSnapshot)) == written
