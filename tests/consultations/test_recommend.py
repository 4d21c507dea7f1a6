"""Screening beyond conflicts, the researcher's hand, and the repeatable draw."""

from __future__ import annotations

from datetime import datetime

import pytest

from kb.audit import recent
from kb.consultations.draw import draw_experts, pick, replay
from kb.consultations.invitations import accept, invite
from kb.consultations.recommend import recommend
from kb.consultations.requests import get_request, update_request
from kb.consultations.selection import add_expert, remove_expert
from kb.consultations.settings import ConsultationSettings
from kb.errors import ValidationError
from kb.talents import changes as ops
from tests.consultations.conftest import FakeSearch, open_new

ALL = ["c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7", "c-8"]


def rec(kb, actor, rid, ids=ALL, **settings):  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        return recommend(None, s, actor, get_request(s, actor, rid), search=FakeSearch(ids),
                         settings=ConsultationSettings(**settings))


def test_unavailable_talents_are_excluded(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    r = rec(kb, people["researcher"], rid)
    assert {e.talent_id: [x.code for x in e.reasons] for e in r.excluded} == {"c-6": ["unavailable"]}
    assert [c.rank for c in r.candidates] == list(range(1, 8))


def test_workload_cap_counts_accepted_invitations_this_year(kb, people) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    for _ in range(2):
        rid = open_new(kb, researcher)
        with kb.sessions() as s, s.begin():
            req = get_request(s, researcher, rid)
            [inv] = invite(s, researcher, req, [ops.get_talent(s, "c-7")])
            accept(s, people["c-7"], inv)
    # c-8 is invited but never accepts: that does not count.
    with kb.sessions() as s, s.begin():
        req = get_request(s, researcher, rid)
        invite(s, researcher, req, [ops.get_talent(s, "c-8")])
    fresh = open_new(kb, researcher)
    r = rec(kb, researcher, fresh, ["c-7", "c-8"], workload_cap=2)
    [excluded] = r.excluded
    assert excluded.talent_id == "c-7" and excluded.reasons[0].code == "workload"
    assert excluded.reasons[0].detail == {"count": 2, "year": datetime.now().year, "cap": 2}
    assert [c.talent_id for c in r.candidates] == ["c-8"]
    assert [c.talent_id for c in rec(kb, researcher, fresh, ["c-7", "c-8"], workload_cap=3).candidates] == [
        "c-7", "c-8"]
    # Invitations are screened too: the capped expert cannot be invited through the back door.
    with kb.sessions() as s:
        req = get_request(s, researcher, fresh)
        with pytest.raises(ValidationError) as err:
            invite(s, researcher, req, [ops.get_talent(s, "c-7")], settings=ConsultationSettings(workload_cap=2))
        assert err.value.errors == {"c-7": "workload"}


def test_diversity_caps_experts_from_one_organization(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    assert [c.talent_id for c in rec(kb, people["researcher"], rid, ["c-3", "c-4", "c-7"]).candidates] == [
        "c-3", "c-4", "c-7"]
    with kb.sessions() as s, s.begin():
        update_request(s, people["researcher"], get_request(s, people["researcher"], rid), {"org_cap": 1})
    r = rec(kb, people["researcher"], rid, ["c-3", "c-4", "c-7"])
    assert [c.talent_id for c in r.candidates] == ["c-3", "c-7"]
    assert [(e.talent_id, e.reasons[0].code, e.reasons[0].detail["cap"]) for e in r.excluded] == [
        ("c-4", "diversity", 1)]


def test_hand_additions_and_removals_are_recorded_with_reasons(kb, people) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    rid = open_new(kb, researcher)
    with kb.sessions() as s, s.begin():
        req = get_request(s, researcher, rid)
        with pytest.raises(ValidationError):
            remove_expert(s, researcher, req, ops.get_talent(s, "c-1"), "  ")
        remove_expert(s, researcher, req, ops.get_talent(s, "c-1"), "上周已就同一问题咨询过")
        add_expert(s, researcher, req, ops.get_talent(s, "c-8"), "熟悉香港跨境结算实务")
    r = rec(kb, researcher, rid, ["c-1", "c-2"])
    assert [(c.talent_id, c.source) for c in r.candidates] == [("c-8", "hand"), ("c-2", "search")]
    assert r.candidates[0].note == "熟悉香港跨境结算实务"
    [removed] = r.excluded
    assert removed.reasons[0].code == "removed" and "上周" in removed.reasons[0].text
    with kb.sessions() as s:
        actions = [e.action for e in recent(s, object_id=str(rid))]
        assert "consultation.exclude" in actions and "consultation.include" in actions


def test_seeded_draw_is_reproducible_and_redraws_are_recorded(kb, people) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    rid = open_new(kb, researcher)
    search = FakeSearch(ALL)
    with kb.sessions() as s, s.begin():
        req = get_request(s, researcher, rid)
        first = draw_experts(None, s, researcher, req, pool_size=6, count=3, seed="luohu-2026", search=search,
                             settings=ConsultationSettings())
        again = pick("luohu-2026", list(reversed(first.pool)), 3)
        assert again == first.picked == replay(first)
        assert len(first.picked) == 3 and set(first.picked) <= set(first.pool)
        assert "c-6" not in first.pool  # unavailable: never in the pool
        # A second draw with the same seed on the same list gives the same experts.
        same = draw_experts(None, s, researcher, req, pool_size=6, count=3, seed="luohu-2026", search=search,
                            settings=ConsultationSettings())
        assert same.picked == first.picked
        # A different seed: a different result, and the difference is on record.
        seeds = (f"seed-{n}" for n in range(100))
        other = next(sd for sd in seeds if pick(sd, first.pool, 3) != first.picked)
        third = draw_experts(None, s, researcher, req, pool_size=6, count=3, seed=other, search=search,
                             settings=ConsultationSettings())
        assert third.picked != first.picked and req.draw_seed == other
        generated = draw_experts(None, s, researcher, req, pool_size=6, count=2, search=search,
                                 settings=ConsultationSettings())
        assert len(generated.seed) == 16 and replay(generated) == generated.picked
    with kb.sessions() as s:
        draws = [e for e in recent(s, object_id=str(rid), action_prefix="consultation.draw")][::-1]
        assert [d.detail["seed"] for d in draws[:3]] == ["luohu-2026", "luohu-2026", other]
        assert set(draws[2].detail["added"]) == set(third.picked) - set(first.picked)
        assert draws[2].detail["previous"]["picked"] == first.picked
        r = recommend(None, s, researcher, get_request(s, researcher, rid), search=search,
                      settings=ConsultationSettings())
        assert {c.talent_id for c in r.candidates if c.drawn} == set(generated.picked)


def test_good_matches_come_before_weak_ones_and_keep_their_level(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s:
        r = recommend(None, s, people["researcher"], get_request(s, people["researcher"], rid),
                      search=FakeSearch(ALL, weak=("c-1", "c-3")), settings=ConsultationSettings())
    levels = [(c.talent_id, c.match) for c in r.candidates]
    assert [m for _, m in levels] == ["strong"] * 5 + ["weak"] * 2  # c-6 is excluded (unavailable)
    assert {t for t, m in levels if m == "weak"} == {"c-1", "c-3"}
    assert r.matched == 5 and r.as_dict(3)["candidates"][-1]["match"] == "strong"
    assert [c["rank"] for c in r.as_dict(100)["candidates"]] == list(range(1, 8))
    assert len(r.shown(10_000)) == 7 and len(r.as_dict(2)["candidates"]) == 2
