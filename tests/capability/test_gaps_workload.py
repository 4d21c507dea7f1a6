"""Supply gaps, workload concentration and the never-asked list, from seeded needs and invitations.

The search is a stand-in that answers each need with fixed match levels, so
what is tested is the map's arithmetic and who sees which title, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from kb.actors import Actor
from kb.capability import store
from kb.capability.export import export_table
from kb.capability.gaps import NO_FIELD
from kb.capability.service import TOPIC, build_handler, build_map, map_view, request_build
from kb.consultations.invitations import invite
from kb.consultations.requests import create_request
from kb.errors import PermissionDenied
from kb.models import AuditEvent, Talent, utcnow
from kb.models.consultation import ConsultationRequest
from kb.queue import pending_count
from kb.visibility import request_visible
from tests.consultations.conftest import need, open_new

# need title → (strong, partial, weak) talent ids the stand-in search returns for it
ANSWERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "供应链金融扶持": (("c-1", "c-2"), ("c-7", "c-6"), ()),
    "芭蕾舞团驻场运营": ((), (), ("c-3",)),
    "古琴传承人培养": ((), (), ()),
    "海洋牧场建设": ((), (), ("c-4", "c-5")),
}


@dataclass
class _Result:
    talent_id: str
    score: float
    match: str
    evidence: list[Any] = field(default_factory=list)


class StandIn:
    """Answers a need's queries by the need's title; ``backend`` holds no passages (no topics)."""

    backend = SimpleNamespace(all_passages=lambda batch=5000: iter(()), talents=lambda ids: {})

    def search(self, query: Any) -> Any:
        key = next((k for k in ANSWERS if k in query.text), None)
        strong, partial, weak = ANSWERS[key] if key else ((), (), ())
        results = [_Result(t, 0.9, "strong") for t in strong] + [_Result(t, 0.5, "partial") for t in partial]
        results += [_Result(t, 0.1, "weak") for t in weak]
        return SimpleNamespace(results=results[: query.limit], total=len(results))


@pytest.fixture
def world(kb, people):  # type: ignore[no-untyped-def]
    """Four needs of the last year (two units, three confidentialities), an old one and a draft; three invitations."""
    researcher, other = people["researcher"], people["other_researcher"]
    ids = {
        "supply": open_new(kb, researcher, title="供应链金融扶持", confidentiality="public", fields=["banking"]),
        "ballet": open_new(kb, researcher, title="芭蕾舞团驻场运营", confidentiality="unit", fields=["cultural_creative"]),
        "guqin": open_new(kb, other, title="古琴传承人培养", confidentiality="confidential", fields=["cultural_creative"]),
        "sea": open_new(kb, researcher, title="海洋牧场建设", confidentiality="public", fields=[]),
        "old": open_new(kb, researcher, title="芭蕾舞团驻场运营（旧）", confidentiality="public", fields=["banking"]),
    }
    now = utcnow()
    with kb.sessions() as s, s.begin():
        create_request(s, researcher, need(title="芭蕾舞团驻场运营（草稿）"))  # a draft: not a need put to the pool
        s.get(ConsultationRequest, ids["old"]).created_at = now - timedelta(days=400)
        talents = {t.external_id: t for t in s.query(Talent)}
        supply = s.get(ConsultationRequest, ids["supply"])
        invite(s, researcher, supply, [talents["c-1"], talents["c-2"]])
        invite(s, researcher, s.get(ConsultationRequest, ids["sea"]), [talents["c-1"]])
        invite(s, researcher, s.get(ConsultationRequest, ids["old"]), [talents["c-3"]], now=now - timedelta(days=400))
    fake = SimpleNamespace(search=StandIn(), settings=kb.settings, sessions=kb.sessions)
    with kb.sessions() as s, s.begin():
        build_map(fake, s)
    return SimpleNamespace(kb=kb, ids=ids, people=people, fake=fake)


def _view(w, role: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with w.kb.sessions() as s:
        return map_view(w.kb.settings.data_dir, s, w.people[role])


def test_gaps_are_recent_needs_without_a_good_match_by_field(world) -> None:  # type: ignore[no-untyped-def]
    view = _view(world, "admin")
    assert view["needs"] == 4  # the old need and the draft are left out
    rows = {g["field"]: g for g in view["gaps"]}
    assert {k: (r["needs"], r["gaps"]) for k, r in rows.items()} == {
        "cultural_creative": (2, 2), NO_FIELD: (1, 1), "banking": (1, 0)}
    assert view["gap_total"] == 3
    assert [g["field"] for g in view["gaps"]] == ["cultural_creative", NO_FIELD, "banking"]  # most gaps first


def test_workload_concentration_counts_the_last_year_over_the_askable_pool(world) -> None:  # type: ignore[no-untyped-def]
    w = _view(world, "admin")["workload"]
    # seven experts are available (c-6 is not); c-3's invitation is 400 days old
    assert (w["pool"], w["invited_experts"], w["invitations"], w["top_experts"]) == (7, 2, 3, 1)
    assert w["top_share"] == pytest.approx(2 / 3)  # c-1 holds two of the three invitations
    shares = [d["share"] for d in w["deciles"]]
    assert shares[0] == pytest.approx(2 / 3) and shares[1:] == [pytest.approx(1.0)] * 9
    assert [d["experts"] for d in w["deciles"]] == [1, 2, 3, 3, 4, 5, 5, 6, 7, 7]


def test_never_asked_lists_available_good_matches_nobody_invited(world) -> None:  # type: ignore[no-untyped-def]
    rows = _view(world, "admin")["never_asked"]
    # c-1, c-2 were invited; c-6 matched but is not available; weak matches do not count
    assert [(r["talent_id"], r["strong"], r["partial"]) for r in rows] == [("c-7", 0, 1)]


@pytest.mark.parametrize(("role", "shown"), [
    ("admin", {"ballet", "guqin", "sea"}),
    ("researcher", {"ballet", "sea"}),  # guqin is another unit's confidential need
    ("other_researcher", {"guqin", "sea"}),  # ballet is the first unit's own
    ("commissioner", {"sea"}),  # public needs only
])
def test_gap_titles_are_shown_only_to_who_may_see_the_request(world, role: str, shown: set[str]) -> None:  # type: ignore[no-untyped-def]
    view = _view(world, role)
    titles = {i["id"] for g in view["gaps"] for i in g["items"]}
    assert titles == {world.ids[k] for k in shown}
    assert sum(g["hidden"] for g in view["gaps"]) == 3 - len(shown)  # the rest are counted, not named
    with world.kb.sessions() as s:  # the same rule as the request page
        for rid in (world.ids[k] for k in ("ballet", "guqin", "sea")):
            assert (rid in titles) == request_visible(world.people[role], s.get(ConsultationRequest, rid))
    csv = export_table(view, "gaps", "csv")[0].decode("utf-8-sig")
    for key in ("ballet", "guqin", "sea"):
        with world.kb.sessions() as s:
            title = s.get(ConsultationRequest, world.ids[key]).title
        assert (title in csv) == (key in shown)


def test_organizers_see_topics_but_no_consultation_figures(world) -> None:  # type: ignore[no-untyped-def]
    view = _view(world, "organizer")
    assert view["built"] and "topics" in view
    assert not view["consultations"] and "gaps" not in view and "never_asked" not in view
    with pytest.raises(PermissionDenied):
        export_table(view, "gaps", "csv")
    with world.kb.sessions() as s, pytest.raises(PermissionDenied):
        map_view(world.kb.settings.data_dir, s, people_talent(world))


def people_talent(w) -> Actor:  # type: ignore[no-untyped-def]
    return w.people["c-1"]  # a talent: no dashboard


def test_a_rebuild_is_queued_once_audited_and_run_by_the_worker(world) -> None:  # type: ignore[no-untyped-def]
    kb, admin = world.kb, world.people["admin"]
    store.map_path(kb.settings.data_dir).unlink()
    with kb.sessions() as s:
        assert not map_view(kb.settings.data_dir, s, admin)["built"]
    with kb.sessions() as s, s.begin():
        assert request_build(s, admin) is True
        assert request_build(s, world.people["commissioner"]) is False  # one is already waiting
    with kb.sessions() as s, s.begin(), pytest.raises(PermissionDenied):
        request_build(s, world.people["researcher"])
    with kb.sessions() as s:
        assert pending_count(s, TOPIC) == 1
        assert s.query(AuditEvent).filter_by(action="capability.build").count() == 1
        assert map_view(kb.settings.data_dir, s, admin)["build_pending"]
    report = build_handler(world.fake)()
    assert report.done == 1
    with kb.sessions() as s:
        view = map_view(kb.settings.data_dir, s, admin)
        assert view["built"] and not view["build_pending"] and view["needs"] == 4
