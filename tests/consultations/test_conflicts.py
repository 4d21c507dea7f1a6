"""Conflict-of-interest rules (回避), one by one, and their effect on the list."""

from __future__ import annotations

from kb.consultations.affiliations import set_affiliations
from kb.consultations.conflicts import (
    ConflictContext,
    conflicts_of,
    declared_conflict,
    employed_by_party,
    formerly_employed_by_party,
    works_for_requester,
)
from kb.consultations.orgnames import normalize, same_organization
from kb.consultations.recommend import recommend
from kb.consultations.requests import get_request
from kb.consultations.settings import ConsultationSettings
from kb.models import Talent
from kb.models.consultation import TalentAffiliation
from kb.talents import changes as ops
from tests.consultations.conftest import SYSTEM, UNIT, FakeSearch, open_new


def talent(pk: int = 1, org: str = "深港金融研究院") -> Talent:
    return Talent(id=pk, external_id=f"x-{pk}", name="某", organization=org, available_for_consultation=True)


def ctx(**over) -> ConflictContext:  # type: ignore[no-untyped-def]
    values = {"parties": ("深港金融研究院",), "year": 2026, "years": 3}
    values.update(over)
    return ConflictContext(**values)


def test_names_are_normalised_and_long_names_contain_match() -> None:
    assert normalize("ＡＢＣ Bank, Ltd.") == "abcbankltd"
    assert normalize(" 深港 金融研究院（深圳） ") == "深港金融研究院深圳"
    assert same_organization("深港金融研究院", "深港 金融研究院（深圳）")
    assert same_organization("招商银行深圳分行", "招商银行")
    assert not same_organization("银行", "招商银行")  # too short to contain-match
    assert not same_organization("", "招商银行")


def test_current_employer_party_is_a_conflict() -> None:
    [reason] = employed_by_party(ctx(), talent())
    assert reason.code == "party_employer" and reason.detail["organization"] == "深港金融研究院"
    assert employed_by_party(ctx(), talent(org="香港大学")) == []


def test_open_ended_affiliation_counts_as_current() -> None:
    aff = {1: [TalentAffiliation(talent_id=1, organization="深港金融研究院", from_year=2020, to_year=None)]}
    assert [r.code for r in employed_by_party(ctx(affiliations=aff), talent(org="香港大学"))] == ["party_employer"]


def test_former_employer_within_three_years_only() -> None:
    recent = {1: [TalentAffiliation(talent_id=1, organization="深港金融研究院 ", from_year=2015, to_year=2023)]}
    old = {1: [TalentAffiliation(talent_id=1, organization="深港金融研究院", from_year=2010, to_year=2022)]}
    t = talent(org="香港大学")
    [reason] = formerly_employed_by_party(ctx(affiliations=recent), t)
    assert reason.code == "party_former_employer" and reason.detail["to_year"] == 2023
    assert formerly_employed_by_party(ctx(affiliations=old), t) == []


def test_declared_conflict_and_requester_unit_rules() -> None:
    t = talent(org="罗湖区发展和改革局")
    assert [r.code for r in declared_conflict(ctx(declared={1: "曾参与该项目评审"}), t)] == ["declared_conflict"]
    assert works_for_requester(ctx(), t) == []  # the setting is off by default
    assert [r.code for r in works_for_requester(ctx(requester_unit=UNIT), t)] == ["requester_unit"]


def test_rules_are_a_list_that_can_be_extended() -> None:
    def coauthor(c: ConflictContext, t: Talent):  # type: ignore[no-untyped-def]
        from kb.consultations.reasons import Reason
        return [Reason("coauthor", {})] if t.id == 1 else []

    from kb.consultations import conflicts

    assert [r.code for r in conflicts_of(ctx(), talent(), [*conflicts.RULES, coauthor])] == [
        "party_employer", "coauthor"]


def test_recommendation_lists_conflicted_experts_with_reasons(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"], parties=["深港金融研究院", "招商银行"])
    with kb.sessions() as s, s.begin():
        set_affiliations(s, SYSTEM, ops.get_talent(s, "c-2"),
                         [{"organization": "招商银行股份有限公司", "from_year": 2015, "to_year": 2024}])
    with kb.sessions() as s:
        req = get_request(s, people["researcher"], rid)
        rec = recommend(None, s, people["researcher"], req, search=FakeSearch(["c-1", "c-2", "c-3", "c-5"]),
                        settings=ConsultationSettings())
        excluded = {e.talent_id: [r.code for r in e.reasons] for e in rec.excluded}
        assert excluded == {"c-1": ["party_employer"], "c-2": ["party_former_employer"], "c-5": ["party_employer"]}
        assert [c.talent_id for c in rec.candidates] == ["c-3"]
        assert rec.candidates[0].evidence[0]["highlighted"] == "<mark>供应链</mark>金融"


def test_requester_unit_setting_excludes_own_unit(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        t = ops.get_talent(s, "c-3")
        ops.update_profile(s, SYSTEM, t, {"organization": UNIT}, None)
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s:
        req = get_request(s, people["researcher"], rid)
        search = FakeSearch(["c-3", "c-7"])
        off = recommend(None, s, people["researcher"], req, search=search, settings=ConsultationSettings())
        on = recommend(None, s, people["researcher"], req, search=search,
                       settings=ConsultationSettings(exclude_requester_unit=True))
        assert [c.talent_id for c in off.candidates] == ["c-3", "c-7"]
        assert [(e.talent_id, e.reasons[0].code) for e in on.excluded] == [("c-3", "requester_unit")]
