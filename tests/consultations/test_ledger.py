"""The adoption ledger: from 批示 to evaluation with each step's evidence, counted by level.

A bare 同意/圈阅 is read, not adopted: hypothesis writes such marks with any
punctuation, spacing, signature dates and repetitions, and the same marks
followed by a real instruction, and the two must never be confused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kb.consultations.attachments import Upload
from kb.consultations.enums import LeaderLevel, LedgerStep, RequestState
from kb.consultations.instructions import BARE_MARKS, classify_instruction
from kb.consultations.invitations import invite, submit_advice
from kb.consultations.ledger import StepInput, adoption_status, counts_by_level, record_step
from kb.consultations.outcome import record_adoption
from kb.consultations.requests import get_request
from kb.consultations.settings import ConsultationSettings
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.localtime import to_local
from kb.models import Notification, User
from kb.models.consultation import ConsultationAdvice
from kb.talents import changes as ops
from kb.visibility import ledger_visible
from tests.consultations.conftest import open_new

SUBMITTED = datetime(2025, 3, 2, 9, 0)  # long enough ago for its evaluation a year on


def advised(kb, people, tmp_path, talent="c-3", confidentiality="unit", **over):  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"], confidentiality=confidentiality, **over)
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        [inv] = invite(s, people["researcher"], req, [ops.get_talent(s, talent)])
        return submit_advice(s, people[talent], inv, "建议设立风险补偿资金池。", data_dir=tmp_path, now=SUBMITTED).id


def step(kb, actor, advice_id, upload=None, tmp_path=None, csettings=None, **values):  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        entry = record_step(s, actor, s.get(ConsultationAdvice, advice_id), StepInput.parse(values), upload,
                            data_dir=tmp_path, settings=csettings)
        return entry.step


def test_the_ledger_runs_from_instruction_to_evaluation_with_evidence(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    r = people["researcher"]
    assert step(kb, r, aid, step="instructed", evidence="圈阅", leader="张区长", leader_level="district",
                at="2025-03-05") == LedgerStep.ACKNOWLEDGED
    assert step(kb, r, aid, step="instructed", evidence="同意。请区发改局会同金融局研究落实。", leader="李副市长",
                leader_level="city", at="2025-03-09") == LedgerStep.INSTRUCTED
    pdf = Upload("罗府办〔2025〕12号.pdf", b"%PDF-1.4 the adopted measures")
    assert step(kb, r, aid, pdf, tmp_path, step="adopted", doc_title="罗湖区供应链金融扶持办法",
                doc_number="罗府办〔2025〕12号", doc_date="2025-04-01", doc_url="https://www.szlh.gov.cn/a/12.html",
                extent="partial", at="2025-04-01") == LedgerStep.ADOPTED
    assert step(kb, r, aid, step="implemented", evidence="首批 3000 万元风险补偿资金到位", at="2025-06-30") == "implemented"
    assert step(kb, r, aid, step="evaluated", evidence="一年内新增供应链融资 12 亿元，坏账率 0.8%。",
                at="2026-04-02") == "evaluated"
    with kb.sessions() as s:
        advice = s.get(ConsultationAdvice, aid)
        rows = [(e.step, e.actor_label) for e in advice.ledger]
        assert rows[0] == ("submitted", people["c-3"].label)
        assert [k for k, _ in rows] == ["submitted", "acknowledged", "instructed", "adopted", "implemented",
                                        "evaluated"]
        assert all(label == r.label for _, label in rows[1:])
        instruction = advice.ledger[2]
        assert (instruction.evidence, instruction.leader, instruction.leader_level) == (
            "同意。请区发改局会同金融局研究落实。", "李副市长", "city")
        adopted = advice.ledger[3]
        assert (adopted.doc_number, adopted.doc_date.isoformat(), adopted.extent) == (
            "罗府办〔2025〕12号", "2025-04-01", "partial")
        assert adopted.file_name == "罗府办〔2025〕12号.pdf" and (tmp_path / "attachments" / adopted.stored_name).is_file()
        assert advice.adoption == "partial" and "罗府办〔2025〕12号" in advice.adopted_into
        status = adoption_status(advice)
        assert status.level == "city" and status.implemented and status.evaluated
        assert advice.ledger[-1].evidence == "一年内新增供应链融资 12 亿元，坏账率 0.8%。"
        talent = s.scalar(select(User).where(User.username == "user-c-3"))
        told = [n.body for n in s.scalars(select(Notification).where(Notification.user_id == talent.id,
                                                                      Notification.kind == "consultation.adopted"))]
        # The expert hears of each step but the 圈阅.
        assert len(told) == 4 and "市领导" in told[0]


def test_evaluation_needs_an_assessment_and_an_adoption_first(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    r = people["researcher"]
    with pytest.raises(Conflict):
        step(kb, r, aid, step="evaluated", evidence="效果良好")
    with pytest.raises(Conflict):
        step(kb, r, aid, step="implemented", evidence="已落实")
    step(kb, r, aid, step="adopted", doc_title="罗湖区扶持办法")
    with pytest.raises(ValidationError):
        step(kb, r, aid, step="evaluated", evidence="")
    with pytest.raises(ValidationError):
        step(kb, r, aid, step="evaluated", evidence="好" * 1001)
    with pytest.raises(Conflict):
        step(kb, r, aid, step="not_adopted")
    assert step(kb, r, aid, step="evaluated", evidence="一年来效果良好") == "evaluated"
    with kb.sessions() as s:
        assert adoption_status(s.get(ConsultationAdvice, aid)).evaluated


@pytest.mark.parametrize(("values", "field"), [
    ({"step": "instructed", "evidence": "请研究"}, "leader_level"),
    ({"step": "adopted"}, "doc_title"),
    ({"step": "adopted", "doc_title": "办法", "doc_url": "javascript:alert(1)"}, "doc_url"),
    ({"step": "adopted", "doc_title": "办法", "doc_date": "2026-13-40"}, "doc_date"),
    ({"step": "instructed", "evidence": "请研究", "leader_level": "village"}, "leader_level"),
    ({"step": "submitted"}, "step"),
    ({"step": "adopted", "doc_title": "办法", "at": "2999-01-01"}, "at"),
])
def test_a_step_without_its_evidence_is_refused(kb, people, tmp_path, values, field) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    with pytest.raises(ValidationError) as refused:
        step(kb, people["researcher"], aid, **values)
    assert field in refused.value.errors


def test_an_uploaded_document_has_the_attachment_checks_and_limits(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    small = ConsultationSettings(attachment_max_bytes=100)
    for bad in (Upload("政策.exe", b"MZ"), Upload("政策.pdf", b"not a pdf"), Upload("政策.pdf", b"%PDF-" + b"x" * 100)):
        with pytest.raises(ValidationError) as refused:
            step(kb, people["researcher"], aid, bad, tmp_path, small, step="adopted", doc_title="办法")
        assert refused.value.code.startswith("attachment.")
    with pytest.raises(ValidationError):
        step(kb, people["researcher"], aid, Upload("a.pdf", b"%PDF-1"), tmp_path, step="implemented", evidence="x")


WHO = ["researcher", "admin", "other_researcher", "commissioner", "organizer", "c-3", "c-7"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("confidentiality", ["public", "unit", "confidential"])
def test_who_may_record_and_read_the_ledger(kb, people, tmp_path, who, confidentiality) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path, confidentiality=confidentiality)
    may_record = who in ("researcher", "admin")
    if may_record:
        assert step(kb, people[who], aid, step="adopted", doc_title="办法") == "adopted"
    else:
        with pytest.raises(PermissionDenied):
            step(kb, people[who], aid, step="adopted", doc_title="办法")
    may_read = who in ("researcher", "admin", "c-3") or (who == "commissioner" and confidentiality == "public")
    with kb.sessions() as s:
        assert ledger_visible(people[who], s.get(ConsultationAdvice, aid)) is may_read


def test_a_cancelled_request_takes_no_steps(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kb.consultations.requests import transition

    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        first, _second = invite(s, people["researcher"], req, [ops.get_talent(s, t) for t in ("c-3", "c-7")])
        aid = submit_advice(s, people["c-3"], first, "建议", data_dir=tmp_path, now=SUBMITTED).id
    with kb.sessions() as s, s.begin():
        req = get_request(s, people["researcher"], rid)
        assert req.state == RequestState.IN_PROGRESS
        transition(s, people["researcher"], req, RequestState.CANCELLED, "不再需要")
    with pytest.raises(Conflict):
        step(kb, people["researcher"], aid, step="adopted", doc_title="办法")


def test_the_old_short_form_writes_ledger_rows(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    with kb.sessions() as s, s.begin():
        record_adoption(s, people["researcher"], s.get(ConsultationAdvice, aid), "full", "《罗湖区扶持办法》")
    with kb.sessions() as s:
        advice = s.get(ConsultationAdvice, aid)
        assert [e.step for e in advice.ledger] == ["submitted", "adopted"]
        assert (advice.adoption, advice.adopted_into) == ("full", "《罗湖区扶持办法》")
        assert adoption_status(advice).level == "document"


# --- bare 同意/圈阅 are not adoption, in any spelling -------------------------------------------------------

_marks = st.lists(st.sampled_from(BARE_MARKS), min_size=1, max_size=3)
_glue = st.sampled_from(["", " ", "，", "。", "！", "、", "\u3000", "\n", ".", "!", "；", "……"])
_dates = st.sampled_from(["", "3月5日", "2026年3月5日", "2026.3.5", "2026-03-05", "12/1"])
_instruction = st.sampled_from(["请区发改局研究落实", "请金融局牵头制定实施细则", "可在全区推广", "抄送科技局参考",
                                "please draft the measures", "纳入明年工作要点"])


@st.composite
def bare_texts(draw: st.DrawFn) -> str:
    parts = [draw(_glue) + mark + draw(_glue) for mark in draw(_marks)]
    return "".join(parts) + draw(_glue) + draw(_dates)


@given(text=bare_texts(), leader=st.sampled_from(["", "张三", "李副市长"]), with_name=st.booleans())
def test_bare_marks_are_acknowledgements(text: str, leader: str, with_name: bool) -> None:
    written = f"{text} {leader}" if with_name else text
    assert classify_instruction(written, leader) is LedgerStep.ACKNOWLEDGED


@given(text=bare_texts(), instruction=_instruction, glue=_glue)
def test_marks_with_an_instruction_are_instructions(text: str, instruction: str, glue: str) -> None:
    assert classify_instruction(text + glue + instruction) is LedgerStep.INSTRUCTED
    assert classify_instruction(instruction + glue + text) is LedgerStep.INSTRUCTED


AVAILABLE = ["c-1", "c-2", "c-3", "c-4", "c-5", "c-7", "c-8"]


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=bare_texts(), level=st.sampled_from(list(LeaderLevel)))
def test_a_bare_instruction_is_never_counted_as_adoption(kb, people, tmp_path, text: str,  # type: ignore[no-untyped-def]
                                                         level: LeaderLevel) -> None:
    used = _used.setdefault(id(kb), [])
    talent = AVAILABLE[len(used) % len(AVAILABLE)]  # each expert asked at most twice (workload cap)
    used.append(talent)
    aid = advised(kb, people, tmp_path, talent=talent)
    assert step(kb, people["researcher"], aid, step="instructed", evidence=text,
                leader_level=level.value) == LedgerStep.ACKNOWLEDGED
    with kb.sessions() as s:
        counts = counts_by_level([s.get(ConsultationAdvice, aid)])
    assert counts["adopted"] == 0 and counts["acknowledged_only"] == 1
    assert all(counts[lv] == 0 for lv in ("district", "city", "provincial", "document"))


_used: dict[int, list[str]] = {}


def test_counts_by_level_take_the_highest_instruction(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = people["researcher"]
    plan = {
        "c-1": [("instructed", {"evidence": "请研究", "leader_level": "district"}),
                ("instructed", {"evidence": "请省发改委参考", "leader_level": "provincial"})],
        "c-2": [("instructed", {"evidence": "请落实", "leader_level": "city"})],
        "c-3": [("adopted", {"doc_title": "办法"})],
        "c-4": [("instructed", {"evidence": "同意", "leader_level": "city"})],
        "c-5": [("not_adopted", {})],
    }
    ids = []
    for talent, steps in plan.items():
        aid = advised(kb, people, tmp_path, talent=talent)
        ids.append(aid)
        for kind, values in steps:
            step(kb, r, aid, step=kind, **values)
    with kb.sessions() as s:
        counts = counts_by_level([s.get(ConsultationAdvice, a) for a in ids])
    assert {k: counts[k] for k in ("provincial", "city", "district", "document", "adopted", "acknowledged_only",
                                   "advice")} == {"provincial": 1, "city": 1, "district": 0, "document": 1,
                                                  "adopted": 3, "acknowledged_only": 1, "advice": 5}


def test_a_step_dated_today_is_todays_date_in_luohu(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 04:00 on 10 March in Luohu it is still 9 March in UTC: a step of 10 March is today, not the future."""
    aid = advised(kb, people, tmp_path)
    now = datetime(2025, 3, 9, 20, 0)
    with kb.sessions() as s, s.begin():
        entry = record_step(s, people["researcher"], s.get(ConsultationAdvice, aid),
                            StepInput.parse({"step": "instructed", "evidence": "请区金融局研究落实",
                                             "leader_level": "district", "at": "2025-03-10"}),
                            now=now, tz="Asia/Shanghai")
        assert to_local(entry.at, "Asia/Shanghai").date() == date(2025, 3, 10)
        with pytest.raises(ValidationError):  # tomorrow in Luohu is still the future
            record_step(s, people["researcher"], s.get(ConsultationAdvice, aid),
                        StepInput.parse({"step": "instructed", "evidence": "请区金融局研究落实",
                                         "leader_level": "city", "at": "2025-03-11"}),
                        now=now, tz="Asia/Shanghai")


def test_steps_happen_after_the_advice(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = advised(kb, people, tmp_path)
    with pytest.raises(ValidationError):
        step(kb, people["researcher"], aid, step="adopted", doc_title="办法",
             at=(SUBMITTED - timedelta(days=3)).date().isoformat())


def test_pages_and_files_word_the_ledger_alike() -> None:
    """The page's translatable words (web/consultations/ledger_views.py) and the files' Chinese
    (kb.consultations.ledger: dossiers, quarterly reports) name every step and level the same."""
    from kb.consultations.ledger import DOCUMENT_LEVEL, LEVEL_ZH, STEP_ZH
    from web.consultations.ledger_views import LEADER_LEVELS, LEDGER_STEPS

    assert {str(s) for s in LedgerStep} == set(STEP_ZH) == set(LEDGER_STEPS)
    assert {str(level) for level in LeaderLevel} | {DOCUMENT_LEVEL} == set(LEVEL_ZH) == set(LEADER_LEVELS)
    assert {k: str(v) for k, v in LEDGER_STEPS.items()} == STEP_ZH
    assert {k: str(v) for k, v in LEADER_LEVELS.items()} == LEVEL_ZH
