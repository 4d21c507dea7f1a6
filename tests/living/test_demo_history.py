"""The demo registry has a past: dated creation and edits, all three freshness states, commissioners
with assigned talents (and a reassignment history), delegated edits, and a year of daily figures."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.dashboard import figures
from kb.demo import load_demo
from kb.demo_history import HISTORY_DAYS
from kb.models import CommissionerAssignment, FreshnessSnapshot, Revision, Talent, User, utcnow
from kb.settings import FreshnessSettings
from kb.talents import commissioners
from kb.talents.freshness import Freshness, counts, state_of


def test_the_demo_shows_a_real_freshness_picture_on_first_run(sqlite_kb: KnowledgeBase) -> None:
    kb = sqlite_kb
    settings = FreshnessSettings()
    _report, created = load_demo(kb.sessions, settings)
    assert {"commissioner", "commissioner2", "commissioner3"} <= set(created)
    now = utcnow()
    with kb.sessions() as s:
        talents = list(s.scalars(select(Talent)))
        assert len(talents) == 160
        states = Counter(state_of(t, now, settings) for t in talents)
        # Mostly current, and enough ageing and stale profiles to act on.
        assert states[Freshness.CURRENT] > states[Freshness.AGEING] > 0 and states[Freshness.STALE] >= 8
        assert all(t.last_changed_at is not None and t.created_at <= t.last_changed_at <= now for t in talents)
        years = {t.created_at.year for t in talents}
        assert len(years) >= 3  # created over several years, not all today
        assert state_of(next(t for t in talents if t.external_id == "demo-001"), now, settings) == Freshness.AGEING
        # The last substantive revision of each talent is the one the talent's timestamp says.
        last = dict(s.execute(select(Revision.talent_id, func.max(Revision.at)).group_by(Revision.talent_id)).all())
        assert all(last[t.id] == t.last_changed_at for t in talents)
        assert s.scalar(select(func.count()).select_from(Revision).where(Revision.delegated)) > 0

        demo_commissioner = s.scalar(select(User).where(User.username == "commissioner"))
        assert demo_commissioner is not None
        mine = commissioners.assigned_talents(s, demo_commissioner.id)
        assert 40 <= len(mine) <= 110
        assert any(state_of(t, now, settings) == Freshness.STALE for t in mine)
        reassigned = s.scalar(select(func.count()).select_from(CommissionerAssignment)
                              .where(CommissionerAssignment.ended_at.is_not(None)))
        assert reassigned and reassigned > 0

        snapshot_days = s.scalar(select(func.count(func.distinct(FreshnessSnapshot.day))))
        assert snapshot_days == HISTORY_DAYS
        admin = s.scalar(select(User).where(User.username == "admin"))
        data = figures(s, Actor.of(admin), freshness_settings=settings)
        history = data["freshness_history"]
        assert len(history) == HISTORY_DAYS
        # Yesterday's reconstructed counts are today's give or take the profiles that crossed a threshold today.
        today = counts(s, now, settings)
        assert sum(history[-1][x.value] for x in Freshness) == len(talents)
        assert abs(history[-1]["stale"] - today[Freshness.STALE]) <= 3
        # The picture changes over the year (it is a history, not one histogram repeated).
        assert len({(d["current"], d["ageing"], d["stale"]) for d in history}) > 20
        assert {r["commissioner"] for r in data["freshness_by_commissioner"]} >= {"commissioner", "commissioner2",
                                                                                 "commissioner3", None}
    # Loading again changes nothing of the history.
    load_demo(kb.sessions, settings)
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(FreshnessSnapshot)) == 3 * HISTORY_DAYS
        assert s.scalar(select(func.count()).select_from(CommissionerAssignment).where(
            CommissionerAssignment.started_at > now - timedelta(minutes=5))) == 0
