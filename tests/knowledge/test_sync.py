"""Edits reach the knowledge index through the queue: advice within a second, an output's kind follows its type."""

from __future__ import annotations

import time

from sqlalchemy import select

from kb.consultations.invitations import invite, submit_advice
from kb.consultations.requests import close_request
from kb.knowledge.outbox import KNOWLEDGE_TOPIC
from kb.knowledge.service import search_knowledge
from kb.models import Output, QueueItem, Talent
from kb.models.consultation import ConsultationRequest
from kb.talents import changes as ops
from tests.consultations.conftest import open_new


def test_submitted_advice_is_found_within_a_second(kb, people, tmp_path):
    rid = open_new(kb, people["researcher"], confidentiality="public")
    kb.sync_knowledge()
    kb.start_background_sync(interval=0.1)
    with kb.sessions() as s, s.begin():
        req = s.get(ConsultationRequest, rid)
        (inv,) = invite(s, people["researcher"], req, [s.query(Talent).filter_by(external_id="c-1").one()])
    with kb.sessions() as s, s.begin():
        inv = s.merge(inv)
        submit_advice(s, people["c-1"], inv, "建议推广仓单质押区块链平台 ZEBRA17", data_dir=tmp_path)
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        found = search_knowledge(kb, people["organizer"], "ZEBRA17 仓单质押", ("advice",)).results
        if found:
            break
        time.sleep(0.05)
    assert found, "advice not searchable within a second"
    assert found[0].talent_id == "c-1" and found[0].request_id == str(rid)


def test_an_output_edit_moves_it_between_kinds_and_a_delete_removes_it(kb, people):
    actor = people["c-3"]
    with kb.sessions() as s, s.begin():
        talent = s.query(Talent).filter_by(external_id="c-3").one()
        output = ops.add_output(s, actor, talent, {"type": "paper", "title": "城市更新中的片区统筹机制 KIWI17"}, None)
        s.flush()
        oid = output.id
    kb.sync_knowledge()
    hit = search_knowledge(kb, actor, "KIWI17 片区统筹").results[0]
    assert (hit.kind, hit.id) == ("output", str(oid))
    with kb.sessions() as s, s.begin():
        talent = s.query(Talent).filter_by(external_id="c-3").one()
        ops.update_output(s, actor, talent, oid, {"type": "report", "title": "城市更新中的片区统筹机制 KIWI17"}, None)
    kb.sync_knowledge()
    kinds = [(r.kind, r.id) for r in search_knowledge(kb, actor, "KIWI17 片区统筹").results if r.id == str(oid)]
    assert kinds == [("stage_result", str(oid))]
    with kb.sessions() as s, s.begin():
        talent = s.query(Talent).filter_by(external_id="c-3").one()
        ops.delete_output(s, actor, talent, oid, None)
    kb.sync_knowledge()
    assert all(r.id != str(oid) for r in search_knowledge(kb, actor, "KIWI17 片区统筹").results)
    with kb.sessions() as s:
        assert s.get(Output, oid) is None


def _queued_knowledge(kb) -> list[str]:
    with kb.sessions() as s:
        return sorted(i.payload["knowledge"] for i in s.scalars(
            select(QueueItem).where(QueueItem.topic == KNOWLEDGE_TOPIC, QueueItem.state == "pending")))


def test_only_changes_to_what_the_documents_read_queue_a_sync(kb, people, tmp_path):
    """A transition or a reply changes no document; a new title changes the question and its advice."""
    rid = open_new(kb, people["researcher"], confidentiality="public")
    with kb.sessions() as s, s.begin():
        req = s.get(ConsultationRequest, rid)
        (inv,) = invite(s, people["researcher"], req, [s.query(Talent).filter_by(external_id="c-1").one()])
        advice = submit_advice(s, people["c-1"], inv, "建议设立风险补偿资金池", data_dir=tmp_path)
        s.flush()
        advice_key = f"advice:{advice.id}"
    kb.sync_knowledge()
    assert _queued_knowledge(kb) == []
    with kb.sessions() as s, s.begin():
        close_request(s, people["researcher"], s.get(ConsultationRequest, rid))
    assert _queued_knowledge(kb) == []
    with kb.sessions() as s, s.begin():
        req = s.get(ConsultationRequest, rid)
        req.title = "罗湖区供应链金融扶持政策咨询（修订）"
    assert _queued_knowledge(kb) == sorted([f"question:{rid}", advice_key])
