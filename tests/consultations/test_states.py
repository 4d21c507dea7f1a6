"""The request life cycle: legal moves recorded, illegal ones refused clearly."""

from __future__ import annotations

import pytest

from kb.consultations import states
from kb.consultations.invitations import accept, decline, invite, submit_advice
from kb.consultations.requests import (
    cancel_request,
    close_request,
    create_request,
    get_request,
    mark_answered,
    open_request,
    update_request,
)
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.models.consultation import ConsultationTransition
from kb.talents import changes as ops
from tests.consultations.conftest import need, open_new


def test_every_transition_is_recorded_with_who_and_when(kb, people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    with kb.sessions() as s, s.begin():
        req = create_request(s, researcher, need())
        assert req.state == "draft" and req.unit == "罗湖区发展和改革局"
        open_request(s, researcher, req)
        a, b = invite(s, researcher, req, [ops.get_talent(s, "c-3"), ops.get_talent(s, "c-7")])
        assert req.state == "invited"
        accept(s, people["c-3"], a)
        assert req.state == "in_progress"
        submit_advice(s, people["c-3"], a, "建议设立风险补偿资金池。", data_dir=tmp_path)
        assert req.state == "in_progress"  # c-7 has not answered yet
        decline(s, people["c-7"], b, "时间冲突")
        assert req.state == "answered"
        close_request(s, researcher, req, "意见已采纳")
        rid = req.id
    with kb.sessions() as s:
        rows = s.query(ConsultationTransition).filter_by(request_id=rid).order_by(ConsultationTransition.id).all()
        assert [(r.from_state, r.to_state, r.actor_label) for r in rows] == [
            ("", "draft", "researcher"), ("draft", "open", "researcher"), ("open", "invited", "researcher"),
            ("invited", "in_progress", "user-c-3"), ("in_progress", "answered", "user-c-7"),
            ("answered", "closed", "researcher"),
        ]
        assert all(r.at is not None for r in rows)


def test_illegal_transitions_are_refused(kb, people) -> None:  # type: ignore[no-untyped-def]
    researcher = people["researcher"]
    with kb.sessions() as s, s.begin():
        req = create_request(s, researcher, need())
        with pytest.raises(states.IllegalTransition, match="'draft' and cannot become 'closed'; allowed next: cancelled, open"):
            close_request(s, researcher, req)
        with pytest.raises(states.IllegalTransition):
            invite(s, researcher, req, [ops.get_talent(s, "c-3")])
        with pytest.raises(Conflict, match="no advice"):
            mark_answered(s, researcher, req)
        with pytest.raises(ValidationError):
            cancel_request(s, researcher, req, "")
        cancel_request(s, researcher, req, "需求已撤回")
        with pytest.raises(states.IllegalTransition, match="final state"):
            open_request(s, researcher, req)
        with pytest.raises(Conflict):
            update_request(s, researcher, req, {"title": "新标题"})


def test_only_the_owning_unit_runs_a_request(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"], confidentiality="public")
    with kb.sessions() as s:
        req = get_request(s, people["other_researcher"], rid)  # public: visible
        for who in ("other_researcher", "commissioner", "c-1"):
            with pytest.raises(PermissionDenied):
                invite(s, people[who], req, [ops.get_talent(s, "c-3")])
        with pytest.raises(PermissionDenied):
            create_request(s, people["c-1"], need())


def test_request_fields_are_validated(kb, people) -> None:  # type: ignore[no-untyped-def]
    with kb.sessions() as s, pytest.raises(ValidationError) as err:
        create_request(s, people["researcher"], need(title="", fields=["nonsense"], deadline="2000-01-01",
                                                     form="poem", confidentiality="open", experts_wanted=0))
    assert set(err.value.errors) == {"title", "fields", "deadline", "form", "confidentiality", "experts_wanted"}
