"""Freshness states at their thresholds, and the last substantive change kept by every write path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import Revision, Talent, utcnow
from kb.settings import FreshnessSettings
from kb.talents import changes as ops
from kb.talents.freshness import Freshness, counts, state_for_age, state_of
from tests.living.conftest import SYSTEM, People, record

thresholds = st.tuples(st.integers(1, 400), st.integers(1, 400)).filter(lambda t: t[0] < t[1]).map(
    lambda t: FreshnessSettings(ageing_days=t[0], stale_days=t[1]))


@given(thresholds, st.integers(0, 2000))
def test_state_follows_the_age_and_the_thresholds(settings: FreshnessSettings, days: int) -> None:
    expected = (Freshness.STALE if days >= settings.stale_days
                else Freshness.AGEING if days >= settings.ageing_days else Freshness.CURRENT)
    assert state_for_age(days, settings) == expected
    # Older is never fresher.
    order = list(Freshness)
    assert order.index(state_for_age(days + 1, settings)) >= order.index(expected)


def _boundary_ages(settings: FreshnessSettings) -> list[float]:
    """Ages on, just before and just after each threshold, plus the extremes (fractions of a day included)."""
    ages: list[float] = [0, 0.5, 5000]
    for limit in (settings.ageing_days, settings.stale_days):
        ages += [limit - 1, limit - 0.01, limit, limit + 0.01, limit + 1]
    return ages


@pytest.mark.parametrize("ageing,stale", [(180, 365), (1, 2), (30, 31), (7, 400)])
def test_the_database_counts_agree_with_the_rule_at_each_threshold(kb: KnowledgeBase, ageing: int,
                                                                   stale: int) -> None:
    settings = FreshnessSettings(ageing_days=ageing, stale_days=stale)
    now = utcnow()
    ages = _boundary_ages(settings)
    with kb.sessions() as s, s.begin():
        for i, days in enumerate(ages):
            changed = now - timedelta(days=days)
            s.add(Talent(external_id=f"age-{i}", name=f"甲{i}", category="B", created_at=changed,
                         last_changed_at=changed))
    with kb.sessions() as s:
        talents = list(s.scalars(select(Talent).order_by(Talent.id)))
        expected = {state: 0 for state in Freshness}
        for t, days in zip(talents, ages, strict=True):
            state = state_of(t, now, settings)
            assert state == state_for_age(int(days), settings), (days, state)
            expected[state] += 1
        assert counts(s, now, settings) == expected
        assert all(expected.values())  # every state occurs among the boundary ages


def _edit_directions(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.update_profile(s, actor, t, {"research_directions": ["深港数据跨境流动"]}, None)


def _add_output(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.add_output(s, actor, t, {"type": "paper", "title": "新的论文", "year": 2026}, None)


def _update_output(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.update_output(s, actor, t, t.outputs[0].id, {"type": "paper", "title": "改过的题目", "year": 2022}, None)


def _delete_output(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.delete_output(s, actor, t, t.outputs[0].id, None)


def _import_changed(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.apply_record(s, record(t.external_id, research_directions=["绿色金融"]), SYSTEM)


def _import_new_output(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    rec = record(t.external_id)
    rec["outputs"] = [*rec["outputs"], {"type": "report", "title": "年度报告", "year": 2026}]
    ops.apply_record(s, rec, SYSTEM)


def _edit_bio(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.update_profile(s, actor, t, {"bio": "换了一段简介。", "phone": "0755-99999999"}, None)


def _propose_title(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.update_profile(s, actor, t, {"title": "首席研究员"}, None)


def _import_unchanged(s, actor: Actor, t: Talent) -> None:  # type: ignore[no-untyped-def]
    ops.apply_record(s, record(t.external_id), SYSTEM)


SUBSTANTIVE: list[Callable] = [_edit_directions, _add_output, _update_output, _delete_output, _import_changed,
                               _import_new_output]
NOT_SUBSTANTIVE: list[Callable] = [_edit_bio, _propose_title, _import_unchanged]


@pytest.mark.parametrize("write", SUBSTANTIVE + NOT_SUBSTANTIVE, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("who", ["talent", "c1"])
def test_every_write_path_keeps_the_last_substantive_change(kb: KnowledgeBase, people: People,
                                                            write: Callable, who: str) -> None:
    old = utcnow() - timedelta(days=500)
    with kb.sessions() as s, s.begin():
        ops.get_talent(s, "t-1").last_changed_at = old
    before = utcnow()
    with kb.sessions() as s, s.begin():
        write(s, getattr(people, who), ops.get_talent(s, "t-1"))
    with kb.sessions() as s:
        t = ops.get_talent(s, "t-1")
        if write in SUBSTANTIVE:
            assert t.last_changed_at is not None and t.last_changed_at >= before
            last = s.scalars(select(Revision).where(Revision.talent_id == t.id).order_by(Revision.id.desc())).first()
            assert last is not None and last.at == t.last_changed_at
            assert state_of(t, utcnow(), FreshnessSettings()) == Freshness.CURRENT
        else:
            assert t.last_changed_at == old
            assert state_of(t, utcnow(), FreshnessSettings()) == Freshness.STALE


def test_a_new_talent_starts_current(kb: KnowledgeBase) -> None:
    with kb.sessions() as s, s.begin():
        t, _ = ops.apply_record(s, record("t-new"), SYSTEM)
        assert t.last_changed_at is not None
        assert state_of(t, utcnow(), FreshnessSettings()) == Freshness.CURRENT


@pytest.mark.parametrize("who,delegated", [("c1", True), ("admin", True), ("talent", False)])
def test_an_edit_on_a_talents_behalf_is_recorded_as_delegated(kb: KnowledgeBase, people: People, who: str,
                                                              delegated: bool) -> None:
    actor = getattr(people, who)
    with kb.sessions() as s, s.begin():
        t = ops.get_talent(s, "t-1")
        rev = ops.update_profile(s, actor, t, {"research_directions": ["跨境支付"]}, None)
        assert rev is not None
        ops.add_output(s, actor, t, {"type": "paper", "title": "代为录入的论文", "year": 2025}, None)
    with kb.sessions() as s:
        revs = list(s.scalars(select(Revision).where(Revision.actor_label == actor.label)))
        assert len(revs) == 2
        assert {r.delegated for r in revs} == {delegated}


def test_the_system_and_registry_acts_are_not_delegated(kb: KnowledgeBase, people: People) -> None:
    with kb.sessions() as s:
        revs = list(s.scalars(select(Revision)))
        assert revs and not any(r.delegated for r in revs)  # created by the import (the system)
