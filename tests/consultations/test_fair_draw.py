"""The fair draw: favour experts with fewer past consultations, repeatably and with the real chances on record."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kb.audit import recent
from kb.consultations.dossier_model import build_dossier
from kb.consultations.draw import draw_experts, pick, replay
from kb.consultations.draw_effect import draw_dict, draw_effect
from kb.consultations.fairness import (
    FairnessReport,
    expected_share,
    fair_pick,
    inclusion_chances,
    low_load,
    uniform_chances,
    weights_of,
)
from kb.consultations.invitations import accept, invite
from kb.consultations.requests import get_request
from kb.consultations.settings import ConsultationSettings
from kb.errors import PermissionDenied
from kb.models import utcnow
from kb.models.consultation import ConsultationInvitation
from kb.talents import changes as ops
from tests.consultations.conftest import FakeSearch, open_new

ALL = ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "c-8"]
SEEDS = [f"seed-{n}" for n in range(600)]


@st.composite
def pools(draw: st.DrawFn) -> tuple[dict[str, int], int, int]:
    """A pool with past counts that are not all equal, a number of picks below its size, a strength."""
    size = draw(st.integers(3, 12))
    counts = draw(st.lists(st.integers(0, 8), min_size=size, max_size=size).filter(lambda c: len(set(c)) > 1))
    ids = [f"t-{n:03d}" for n in draw(st.permutations(range(size)))]
    return dict(zip(ids, counts, strict=True)), draw(st.integers(1, size - 1)), draw(st.integers(1, 3))


@given(pools())
@settings(max_examples=60, deadline=None)
def test_chances_add_up_and_favour_the_less_consulted(case: tuple[dict[str, int], int, int]) -> None:
    counts, k, strength = case
    chances = inclusion_chances(weights_of(counts, strength), k)
    assert sum(chances.values()) == k and all(0 < c <= 1 for c in chances.values())
    for a in counts:
        for b in counts:
            if counts[a] < counts[b]:
                assert chances[a] >= chances[b]
    low = low_load(counts)
    assert low and expected_share(chances, low, k) > expected_share(uniform_chances(list(counts), k), low, k)


@given(pools())
@settings(max_examples=15, deadline=None)
def test_over_many_seeds_picks_follow_the_stated_chances(case: tuple[dict[str, int], int, int]) -> None:
    """The chance the record shows is the real one: frequencies over many seeds agree with it, and the
    low-load experts are picked more often than by the plain draw. No one outside the pool, no one twice."""
    counts, k, strength = case
    pool = list(counts)
    chances = inclusion_chances(weights_of(counts, strength), k)
    low = low_load(counts)
    seen = dict.fromkeys(pool, 0)
    low_fair = low_plain = 0
    for n, seed in enumerate(SEEDS):
        fair = fair_pick(seed, pool, counts, strength, k)
        assert len(fair) == k == len(set(fair)) and set(fair) <= set(pool)
        if n < 50:  # the pool's order is irrelevant: it is sorted before the seeded shuffle
            assert fair == fair_pick(seed, list(reversed(pool)), counts, strength, k)
        for t in fair:
            seen[t] += 1
        low_fair += len(low.intersection(fair))
        low_plain += len(low.intersection(pick(seed, pool, k)))
    n = len(SEEDS)
    for t in pool:
        p = float(chances[t])
        assert abs(seen[t] / n - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-9, (t, seen[t] / n, p)
    spread = 5 * k / (2 * math.sqrt(n))  # a draw's low-load picks lie in [0, k]
    assert abs(low_fair / n - k * float(expected_share(chances, low, k))) <= spread
    assert abs(low_plain / n - k * len(low) / len(pool)) <= spread


def test_a_typical_pool_gives_the_less_consulted_a_clearly_larger_share() -> None:
    counts = {"a": 0, "b": 0, "c": 0, "d": 1, "e": 3, "f": 4, "g": 6, "h": 8}
    report = FairnessReport(1, 365, "2025-12-03", counts, 3)
    picks_low = [sum(t in report.low_load for t in fair_pick(s, list(counts), counts, 1, 3)) for s in SEEDS]
    plain_low = [sum(t in report.low_load for t in pick(s, list(counts), 3)) for s in SEEDS]
    assert report.low_load == {"a", "b", "c", "d"}
    assert sum(picks_low) > sum(plain_low) * 1.2
    shares = report.as_dict()["low_load_share"]
    assert shares["without"] == 0.5 and shares["with"] > 0.7
    assert report.as_dict()["weights"]["e"] == 0.25 and report.chances_with["a"] == 3 * Fraction(1) / sum(
        report.weights.values())


def test_certain_members_are_always_picked() -> None:
    """A member whose share would pass 100 % is certain, and the rest share the other picks."""
    counts = {"new": 0, "busy-1": 9, "busy-2": 9, "busy-3": 9}
    chances = inclusion_chances(weights_of(counts, 2), 2)
    assert chances["new"] == 1 and chances["busy-1"] == Fraction(1, 3)
    assert all("new" in fair_pick(s, list(counts), counts, 2, 2) for s in SEEDS[:200])


def _load(kb, people, loads: dict[str, int], *, days_ago: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Give experts accepted consultations on other requests, ``days_ago`` days back."""
    researcher = people["researcher"]
    for tid, n in loads.items():
        for _ in range(n):
            rid = open_new(kb, researcher)
            with kb.sessions() as s, s.begin():
                [inv] = invite(s, researcher, get_request(s, researcher, rid), [ops.get_talent(s, tid)])
                accept(s, people[tid], inv, now=utcnow() - timedelta(days=days_ago))


def test_a_fair_draw_is_recorded_audited_and_replayed(kb, people) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    _load(kb, people, {"c-1": 3, "c-2": 1})
    _load(kb, people, {"c-3": 2}, days_ago=400)  # outside the 365-day window: not counted
    rid = open_new(kb, researcher)
    search = FakeSearch(ALL)
    with kb.sessions() as s, s.begin():
        req = get_request(s, researcher, rid)
        row = draw_experts(None, s, researcher, req, pool_size=7, count=3, seed="fair-2026", fair=True,
                           search=search, settings=ConsultationSettings())
        assert row.fair is True and "c-6" not in row.pool and len(row.pool) == 7
        assert row.fairness["counts"] == {"c-1": 3, "c-2": 1, "c-3": 0, "c-4": 0, "c-5": 0, "c-7": 0, "c-8": 0}
        assert row.fairness["strength"] == 1 and row.fairness["window_days"] == 365
        assert row.fairness["low_load"] == ["c-3", "c-4", "c-5", "c-7", "c-8"]
        assert replay(row) == row.picked == fair_pick("fair-2026", row.pool, row.fairness["counts"], 1, 3)
        effect = draw_effect(row, {"c-1": "林海"})
        assert effect is not None and effect.fair and [p.talent_id for p in effect.picked] == row.picked
        assert effect.share_with > effect.share_without == round(5 / 7, 4)
        assert draw_dict(row)["fair"] is True and draw_dict(row)["fairness"]["counts"]["c-1"] == 3
        # Half the weight for c-2 (one consultation), a quarter for c-1 (three).
        assert row.fairness["weights"]["c-2"] == 0.5 and row.fairness["weights"]["c-1"] == 0.25
        stronger = draw_experts(None, s, researcher, req, pool_size=7, count=3, seed="fair-2026", fair=True,
                                search=search, settings=ConsultationSettings(fair_draw_strength=3,
                                                                             fair_draw_window_days=500))
        assert stronger.fairness["counts"]["c-3"] == 2 and stronger.fairness["weights"]["c-1"] == 1 / 64
        assert replay(stronger) == stronger.picked
        # The dossier says why the drawn expert is there, with the option and his load.
        drawn = stronger.picked[0]
        invite(s, researcher, req, [ops.get_talent(s, drawn)])
        dossier = build_dossier(s, researcher, req)
        [why] = [e.why for e in dossier.experts if ops.get_talent(s, drawn).name in e.heading]
        assert any("已启用“优先近期咨询较少的专家”，近 500 天受咨询 "
                   f"{stronger.fairness['counts'][drawn]} 次" in w for w in why)
        assert "已启用" in dict((line.label, line.value) for line in dossier.cover)["随机抽取"]
    with kb.sessions() as s:
        first, second = [e.detail for e in recent(s, object_id=str(rid), action_prefix="consultation.draw")][::-1]
        assert first["fair"] is True and first["fairness"]["counts"]["c-1"] == 3
        assert first["picked_past"] == {t: first["fairness"]["counts"][t] for t in first["picked"]}
        assert second["previous"]["fair"] is True and second["fairness"]["strength"] == 3
        # A row read back from the database replays the same way.
        reread = get_request(s, researcher, rid).draws
        assert [replay(d) for d in reread] == [d.picked for d in reread]


def test_plain_draws_are_unchanged_by_past_load(kb, people) -> None:  # type: ignore[no-untyped-def]
    """Off by default: the same experts as the draw before the option existed (random.sample of the sorted
    pool), whatever the experts' loads; the counts are still recorded to show what the option would do."""
    researcher = people["researcher"]
    _load(kb, people, {"c-1": 2})
    rid = open_new(kb, researcher)
    with kb.sessions() as s, s.begin():
        req = get_request(s, researcher, rid)
        for seed in ("luohu-2026", "x", "种子"):
            row = draw_experts(None, s, researcher, req, pool_size=6, count=3, seed=seed, search=FakeSearch(ALL),
                               settings=ConsultationSettings())
            assert row.fair is False
            assert row.picked == random.Random(seed).sample(sorted(row.pool), 3) == replay(row)
            assert row.fairness["counts"]["c-1"] == 2


def test_who_may_draw_does_not_depend_on_the_option(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    outcomes: dict[str, set[str]] = {}
    for who in ("researcher", "admin", "other_researcher", "c-1", "commissioner", "organizer"):
        for fair in (False, True):
            with kb.sessions() as s:
                req = get_request(s, people["researcher"], rid)
                try:
                    draw_experts(None, s, people[who], req, pool_size=5, count=2, seed="p", fair=fair,
                                 search=FakeSearch(ALL), settings=ConsultationSettings())
                    outcomes.setdefault(who, set()).add("drawn")
                except PermissionDenied:
                    outcomes.setdefault(who, set()).add("denied")
                s.rollback()
    assert outcomes == {"researcher": {"drawn"}, "admin": {"drawn"}, "other_researcher": {"denied"},
                        "c-1": {"denied"}, "commissioner": {"denied"}, "organizer": {"denied"}}


def test_acceptances_outside_the_window_do_not_count(kb, people) -> None:  # type: ignore[no-untyped-def]
    _load(kb, people, {"c-4": 1})
    with kb.sessions() as s, s.begin():
        inv = s.scalars(select(ConsultationInvitation)).one()
        inv.accepted_at = utcnow() - timedelta(days=31)
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        short = draw_experts(None, s, people["researcher"], req, pool_size=6, count=2, fair=True,
                             search=FakeSearch(ALL), settings=ConsultationSettings(fair_draw_window_days=30))
        long = draw_experts(None, s, people["researcher"], req, pool_size=6, count=2, fair=True,
                            search=FakeSearch(ALL), settings=ConsultationSettings(fair_draw_window_days=32))
        assert short.fairness["counts"]["c-4"] == 0 and long.fairness["counts"]["c-4"] == 1
        assert len(short.seed) == 16 and replay(short) == short.picked
