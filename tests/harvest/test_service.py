"""Preview then claim: duplicates shown not created, claims through the normal write path,
delegated editing recorded, permission per role, round trips through export/import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.errors import Conflict, PermissionDenied
from kb.models import AuditEvent, HarvestedItem, QueueItem, Revision
from kb.roles import Role
from kb.talents import changes as kt
from kb.talents.harvest import service
from kb.talents.importer import import_file
from tests.harvest.conftest import DATA, jsonl, talent_record


@pytest.fixture
def people(kb: KnowledgeBase) -> dict[str, Actor]:
    """h-001 (with the outputs the test files duplicate), h-002, and one account per role."""
    report = import_file(kb.sessions, Path("t.jsonl"), Actor.system("test"),
                         data=jsonl(talent_record(), talent_record("h-002", outputs=[])))
    assert report.ok, report.errors
    actors = {}
    with kb.sessions() as s, s.begin():
        own = kt.get_talent(s, "h-001")
        for role in Role:
            user = create_user(s, Actor.system("test"), f"u-{role.value}", role.value, "Pw-0123456789!",
                               talent=own if role == Role.TALENT else None, enforce_policy=False)
            s.flush()
            actors[role.value] = Actor.of(user)
    return actors


def _preview(kb: KnowledgeBase, actor: Actor, name: str, talent: str = "h-001") -> tuple[str, list[dict]]:
    with kb.sessions() as s, s.begin():
        shown = service.preview(s, actor, kt.get_talent(s, talent), (DATA / name).read_bytes(), name)
        return shown.batch, [service.item_dict(i) for i in shown.items]


def test_duplicates_within_the_file_and_against_the_profile_are_flagged(kb: KnowledgeBase, people) -> None:
    _, items = _preview(kb, people["talent"], "scholar.bib")
    dup = {i["item"]: i["duplicate"] for i in items if i["duplicate"]}
    with kb.sessions() as s:
        outputs = {o.title: o.id for o in kt.get_talent(s, "h-001").outputs}
    assert dup[1] == {"kind": "existing", "ref": outputs["跨境理财通试点的投资者结构与资金流动特征"],
                      "reason": "title", "score": 100.0, "title": "跨境理财通试点的投资者结构与资金流动特征"}
    assert dup[3]["kind"] == "file" and dup[3]["ref"] == 2  # the same paper as item 2, by title
    assert dup[4]["kind"] == "existing" and dup[4]["ref"] == outputs["跨境资金池：制度演进与企业实践"]
    assert set(dup) == {1, 3, 4}


def test_doi_and_patent_number_duplicates(kb: KnowledgeBase, people) -> None:
    _, orcid = _preview(kb, people["talent"], "orcid_record.xml")
    assert orcid[0]["duplicate"]["reason"] == "doi"  # 10.1108/CFRI-… already on the profile (upper case)
    _, patents = _preview(kb, people["talent"], "patents_zh_gbk.csv")
    assert patents[2]["duplicate"] == {**patents[2]["duplicate"], "kind": "file", "ref": 1, "reason": "number"}


def test_preview_saves_nothing_on_the_profile(kb: KnowledgeBase, people) -> None:
    with kb.sessions() as s:
        version = kt.get_talent(s, "h-001").version
    _preview(kb, people["talent"], "cnki_gbk.ris")
    with kb.sessions() as s:
        talent = kt.get_talent(s, "h-001")
        assert talent.version == version and len(talent.outputs) == 4
        assert len(service.pending_items(s, talent)) == 4


@pytest.mark.parametrize("who, delegated", [("talent", False), ("commissioner", True), ("admin", True)])
def test_claims_go_through_the_write_path_and_delegation_is_recorded(kb: KnowledgeBase, people, who: str,
                                                                     delegated: bool) -> None:
    batch, items = _preview(kb, people[who], "cnki_gbk.ris")
    claim = [i["id"] for i in items if not i["duplicate"]]
    with kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "h-001")
        result = service.confirm(s, people[who], talent, batch, claim)
        assert [i.position for i in result.created] == [2, 3, 4]
        assert [i.position for i in result.rejected] == [1]
    with kb.sessions() as s:
        talent = kt.get_talent(s, "h-001")
        pool = next(o for o in talent.outputs if o.title == "本外币一体化资金池的跨境资金流动风险监测")
        assert pool.doi == "10.13490/j.cnki.frr.2024.03.004" and pool.authors[:2] == ["林书衡", "陈静"]
        rev = s.scalars(select(Revision).where(Revision.talent_external_id == "h-001")
                        .order_by(Revision.id.desc())).first()
        assert (rev.action, rev.delegated) == ("harvest", delegated)
        assert rev.actor_label == f"u-{who}" and len(rev.changes) == 3
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action.startswith("talent.outputs."))).all()
        assert [a.detail["delegated"] for a in audits] == [delegated, delegated]
        assert s.scalars(select(QueueItem).where(QueueItem.payload["talent"].as_string() == "h-001")).first()
        states = {i.position: i.state for i in s.scalars(select(HarvestedItem).where(HarvestedItem.batch == batch))}
        assert states == {1: "rejected", 2: "claimed", 3: "claimed", 4: "claimed"}


def test_a_batch_is_decided_once(kb: KnowledgeBase, people) -> None:
    batch, items = _preview(kb, people["talent"], "cnki_gbk.ris")
    with kb.sessions() as s, s.begin():
        service.confirm(s, people["talent"], kt.get_talent(s, "h-001"), batch, [items[1]["id"]])
    with kb.sessions() as s, s.begin(), pytest.raises(Conflict):
        service.confirm(s, people["talent"], kt.get_talent(s, "h-001"), batch, [items[1]["id"]])


def test_an_output_added_after_the_preview_is_not_created_twice(kb: KnowledgeBase, people) -> None:
    batch, items = _preview(kb, people["talent"], "cnki_gbk.ris")
    with kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "h-001")
        kt.add_output(s, people["talent"], talent, {"type": "report", "title": "罗湖区跨境金融服务需求调查报告（2024）"},
                      None)
    with kb.sessions() as s, s.begin():
        result = service.confirm(s, people["talent"], kt.get_talent(s, "h-001"), batch, [items[3]["id"]])
        assert result.created == [] and [i.position for i in result.skipped] == [4]


@pytest.mark.parametrize("role", list(Role))
def test_only_the_talent_itself_and_staff_may_harvest(kb: KnowledgeBase, people, role: Role) -> None:
    may_own = role in (Role.TALENT, Role.COMMISSIONER, Role.ADMIN)
    may_other = role in (Role.COMMISSIONER, Role.ADMIN)
    for talent, allowed in (("h-001", may_own), ("h-002", may_other)):
        if allowed:
            _preview(kb, people[role.value], "cnki_gbk.ris", talent)
        else:
            with pytest.raises(PermissionDenied):
                _preview(kb, people[role.value], "cnki_gbk.ris", talent)


def test_a_talent_cannot_confirm_into_someone_elses_batch(kb: KnowledgeBase, people) -> None:
    batch, items = _preview(kb, people["commissioner"], "cnki_gbk.ris", "h-002")
    with kb.sessions() as s, s.begin(), pytest.raises(PermissionDenied):
        service.confirm(s, people["talent"], kt.get_talent(s, "h-002"), batch, [items[0]["id"]])


def test_harvested_fields_round_trip_through_export_and_import(kb: KnowledgeBase, people) -> None:
    batch, items = _preview(kb, people["talent"], "scholar.bib")
    with kb.sessions() as s, s.begin():
        service.confirm(s, people["talent"], kt.get_talent(s, "h-001"), batch,
                        [i["id"] for i in items if not i["duplicate"] and not i["error"]])
    with kb.sessions() as s:
        rec = kt.talent_to_record(kt.get_talent(s, "h-001"))
    hedge = next(o for o in rec["outputs"] if o.get("doi") == "10.1016/j.pacfin.2024.102301")
    assert hedge["authors"] == ["Shuheng Lin", "Anna Müller"] and hedge["keywords"][0] == "FX options"
    with kb.sessions() as s, s.begin():
        assert kt.apply_record(s, rec, Actor.system("re-import"))[1] == "unchanged"


def test_an_output_edit_that_does_not_name_the_bibliographic_fields_keeps_them(kb: KnowledgeBase, people) -> None:
    """The output form has no DOI, number, authors or keywords inputs: saving it must not erase them."""
    batch, items = _preview(kb, people["talent"], "cnki_gbk.ris")
    with kb.sessions() as s, s.begin():
        result = service.confirm(s, people["talent"], kt.get_talent(s, "h-001"), batch, [items[1]["id"]])
        output_id = result.created[0].output_id
    with kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "h-001")
        kt.update_output(s, people["talent"], talent, output_id,
                         {"type": "paper", "title": "本外币一体化资金池的跨境资金流动风险监测（修订）", "year": 2024}, None)
    with kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "h-001")
        output = next(o for o in talent.outputs if o.id == output_id)
        assert output.doi == "10.13490/j.cnki.frr.2024.03.004" and output.keywords[0] == "资金池"
        kt.update_output(s, people["talent"], talent, output_id,
                         {"type": "paper", "title": output.title, "doi": "", "keywords": []}, None)
    with kb.sessions() as s:
        output = next(o for o in kt.get_talent(s, "h-001").outputs if o.id == output_id)
        assert (output.doi, output.keywords, output.authors[0]) == ("", [], "林书衡")


def test_the_upload_name_is_kept_as_every_upload_name_is(kb: KnowledgeBase, people) -> None:
    """No directory part and no control or format characters (kb.filenames), in the items and the audit log."""
    name = "C:\\exports\\scholar\u202efdp.bib\n"
    with kb.sessions() as s, s.begin():
        shown = service.preview(s, people["talent"], kt.get_talent(s, "h-001"), (DATA / "scholar.bib").read_bytes(),
                                name)
        assert {i.filename for i in shown.items} == {"scholarfdp.bib"}
        entry = s.scalar(select(AuditEvent).where(AuditEvent.action == "talent.outputs.harvest"))
        assert entry is not None and entry.detail["filename"] == "scholarfdp.bib"
