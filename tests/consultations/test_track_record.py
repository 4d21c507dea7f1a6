"""Each recommended expert comes with a rating history: average rating, advice given, adoptions by level."""

from __future__ import annotations

from datetime import datetime

from kb.consultations.ledger import StepInput, record_step
from kb.consultations.outcome import rate_advice
from kb.consultations.recommend import recommend
from kb.consultations.requests import get_request
from kb.models.consultation import ConsultationAdvice
from tests.consultations.conftest import FakeSearch, open_new
from tests.consultations.test_ledger import advised


def test_recommendations_carry_the_experts_record(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    history = {  # talent: [(rating, ledger steps)]
        "c-1": [(5, [{"step": "instructed", "evidence": "请落实", "leader_level": "city"}]),
                (3, [{"step": "instructed", "evidence": "同意", "leader_level": "provincial"}])],
        "c-2": [(4, [{"step": "adopted", "doc_title": "办法"}])],
    }
    for talent, advices in history.items():
        for rating, steps in advices:
            aid = advised(kb, people, tmp_path, talent=talent)
            with kb.sessions() as s, s.begin():
                advice = s.get(ConsultationAdvice, aid)
                rate_advice(s, people["researcher"], advice, rating, now=advice.submitted_at)
                for values in steps:
                    record_step(s, people["researcher"], advice, StepInput.parse(values))
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s:
        req = get_request(s, people["researcher"], rid)
        found = recommend(None, s, people["researcher"], req, search=FakeSearch(["c-1", "c-2", "c-7"]),
                          now=datetime.now())
    records = {c["talent_id"]: c["track_record"] for c in found.as_dict()["candidates"]}
    assert records["c-1"]["advice"] == 2 and records["c-1"]["average_rating"] == 4.0
    assert records["c-1"]["adopted"] == 1 and records["c-1"]["by_level"]["city"] == 1
    assert records["c-1"]["by_level"]["provincial"] == 0 and records["c-1"]["acknowledged_only"] == 1
    assert records["c-2"]["by_level"]["document"] == 1 and records["c-2"]["average_rating"] == 4.0
    assert records["c-7"] == {"advice": 0, "rated": 0, "average_rating": None, "adopted": 0,
                              "by_level": {"provincial": 0, "city": 0, "district": 0, "document": 0},
                              "acknowledged_only": 0, "implemented": 0, "evaluated": 0}
