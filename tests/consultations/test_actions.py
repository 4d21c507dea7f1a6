"""Consultation actions are kb entry points taking enums; the page and the API only adapt to them.

``requests.transition`` and ``invitations.respond`` are what both the page
and the API call; a code that is not a member is refused with a 400 naming
the accepted values, whichever way it arrives.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.choices import choice
from kb.consultations import invitations, requests
from kb.consultations.enums import InvitationResponse, InvitationState, RequestState
from kb.consultations.states import IllegalTransition
from kb.errors import ValidationError
from kb.models.consultation import ConsultationRequest
from kb.talents.changes import get_talent
from tests.consultations.conftest import open_new

WEB = Path(__file__).resolve().parents[2] / "web"
# The per-move functions the page and the API used to pick between themselves.
DISPATCHED = re.compile(r"\b(?:requests\.(?:open_request|mark_answered|close_request|cancel_request)|"
                        r"invitations\.(?:accept|decline|declare_conflict))\(")


@given(value=st.one_of(st.text(max_size=20), st.sampled_from([s.value for s in RequestState]), st.none(),
                       st.integers(), st.lists(st.text(max_size=3), max_size=2)))
def test_a_move_code_is_read_only_when_it_names_a_manual_move(value: object) -> None:
    if isinstance(value, str) and value in set(requests.MANUAL_MOVES):
        assert choice(RequestState, value, "to", requests.MANUAL_MOVES) == value
    else:
        with pytest.raises(ValidationError) as refused:
            choice(RequestState, value, "to", requests.MANUAL_MOVES)
        assert set(refused.value.errors) == {"to"}
        assert all(m.value in str(refused.value) for m in requests.MANUAL_MOVES), "the message lists what is accepted"


@given(value=st.text(max_size=20))
def test_a_response_code_is_read_only_when_it_is_a_member(value: str) -> None:
    if value in set(InvitationResponse):
        assert choice(InvitationResponse, value, "action") is InvitationResponse(value)
    else:
        with pytest.raises(ValidationError):
            choice(InvitationResponse, value, "action")


@pytest.mark.parametrize("to", [s for s in RequestState if s not in requests.MANUAL_MOVES])
def test_moves_that_follow_from_invitations_cannot_be_made_by_hand(kb, people, to: RequestState) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s:
        req = s.get(ConsultationRequest, rid)
        with pytest.raises(ValidationError):
            requests.transition(s, people["researcher"], req, to)
        assert req.state == RequestState.OPEN
        assert [t.to_state for t in req.transitions] == ["draft", "open"]


def test_transition_moves_and_records_the_stored_string(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        requests.transition(s, people["researcher"], s.get(ConsultationRequest, rid), RequestState.CANCELLED, "预算取消")
    with kb.sessions() as s:
        req = s.get(ConsultationRequest, rid)
        assert req.state == "cancelled" and type(req.state) is str
        assert (req.transitions[-1].to_state, req.transitions[-1].note) == ("cancelled", "预算取消")


def test_transition_still_follows_the_life_cycle(kb, people) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s:
        req = s.get(ConsultationRequest, rid)
        with pytest.raises(IllegalTransition, match="cannot become 'closed'"):
            requests.transition(s, people["researcher"], req, RequestState.CLOSED)
        assert req.state == RequestState.OPEN


RESULT = {InvitationResponse.ACCEPT: InvitationState.ACCEPTED, InvitationResponse.DECLINE: InvitationState.DECLINED,
          InvitationResponse.CONFLICT: InvitationState.CONFLICT}


@pytest.mark.parametrize("action", list(InvitationResponse))
def test_respond_records_each_answer(kb, people, csettings, action: InvitationResponse) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        req = s.get(ConsultationRequest, rid)
        (inv,) = invitations.invite(s, people["researcher"], req, [get_talent(s, "c-1")], settings=csettings)
        iid = inv.id
    with kb.sessions() as s, s.begin():
        inv = requests.get_invitation(s, people["c-1"], iid)
        invitations.respond(s, people["c-1"], inv, action, "本人曾参与相关项目")
    with kb.sessions() as s:
        inv = requests.get_invitation(s, people["c-1"], iid)
        assert inv.state == RESULT[action]
        if action is not InvitationResponse.ACCEPT:
            assert inv.reason == "本人曾参与相关项目"


@pytest.mark.parametrize("action", [InvitationResponse.DECLINE, InvitationResponse.CONFLICT])
def test_declining_or_withdrawing_needs_a_reason(kb, people, csettings, action: InvitationResponse) -> None:  # type: ignore[no-untyped-def]
    rid = open_new(kb, people["researcher"])
    with kb.sessions() as s, s.begin():
        req = s.get(ConsultationRequest, rid)
        (inv,) = invitations.invite(s, people["researcher"], req, [get_talent(s, "c-2")], settings=csettings)
        iid = inv.id
    with kb.sessions() as s:
        inv = requests.get_invitation(s, people["c-2"], iid)
        with pytest.raises(ValidationError):
            invitations.respond(s, people["c-2"], inv, action, "  ")
        assert inv.state == InvitationState.INVITED


@pytest.mark.parametrize("module", ["consultations/views.py", "consultations/api.py"])
def test_page_and_api_do_not_dispatch_moves_themselves(module: str) -> None:
    """Both adapt to requests.transition / invitations.respond; picking the per-move function is kb's job."""
    source = (WEB / module).read_text(encoding="utf-8")
    assert not DISPATCHED.findall(source)
    assert "requests.transition(" in source and "invitations.respond(" in source
