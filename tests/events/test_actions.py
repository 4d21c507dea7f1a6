"""Event moves and audience changes are kb entry points taking enums; page and API only adapt.

``manage.transition`` and ``audience.change_audience`` are what both the page
and the API call; a code that is not a member is a 400 naming the accepted
values, and the stored status stays the plain string it always was.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from kb.choices import choice
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.events import audience, manage
from kb.events.enums import AudienceAction, EventStatus
from kb.models import Event
from kb.models.event import EventAudienceEntry
from tests.events.conftest import event_of, new_event, talent_of

WEB = Path(__file__).resolve().parents[2] / "web"
DISPATCHED = re.compile(r"\b(?:manage\.(?:publish_event|cancel_event|finish_event)|"
                        r"audience\.(?:add_to_audience|remove_from_audience|reset_audience_entry))\(")


@given(value=st.one_of(st.text(max_size=20), st.sampled_from([s.value for s in EventStatus]), st.none(), st.booleans()))
def test_a_move_code_is_read_only_when_it_names_a_move(value: object) -> None:
    if isinstance(value, str) and value in set(manage.MANUAL_MOVES):
        assert choice(EventStatus, value, "to", manage.MANUAL_MOVES) == value
    else:
        with pytest.raises(ValidationError) as refused:
            choice(EventStatus, value, "to", manage.MANUAL_MOVES)
        assert set(refused.value.errors) == {"to"}


def test_draft_is_never_a_move(kb, people) -> None:  # type: ignore[no-untyped-def]
    eid = new_event(kb, people.organizer, publish=False)
    with kb.sessions() as s, pytest.raises(ValidationError):
        manage.transition(s, people.organizer, event_of(s, eid), EventStatus.DRAFT)


@pytest.mark.parametrize(("start", "to", "outcome"), [
    ("draft", EventStatus.PUBLISHED, "published"),
    ("draft", EventStatus.CANCELLED, "cancelled"),
    ("published", EventStatus.CANCELLED, "cancelled"),
    ("draft", EventStatus.FINISHED, Conflict),  # only a published event that has started can finish
    ("published", EventStatus.FINISHED, Conflict),  # it starts in ten days
    ("published", EventStatus.PUBLISHED, Conflict),
])
def test_transition_follows_the_life_cycle(kb, people, start: str, to: EventStatus, outcome: object) -> None:  # type: ignore[no-untyped-def]
    eid = new_event(kb, people.organizer, publish=start == "published")
    if isinstance(outcome, str):
        with kb.sessions() as s, s.begin():
            manage.transition(s, people.organizer, event_of(s, eid), to, "场地调整")
        with kb.sessions() as s:
            assert s.scalar(select(Event.status).where(Event.id == eid)) == outcome
            assert type(event_of(s, eid).status) is str
    else:
        with kb.sessions() as s:
            with pytest.raises(outcome):  # type: ignore[call-overload]
                manage.transition(s, people.organizer, event_of(s, eid), to)
            assert event_of(s, eid).status == start


@pytest.mark.parametrize("to", list(manage.MANUAL_MOVES))
def test_only_organizers_move_events(kb, people, to: EventStatus) -> None:  # type: ignore[no-untyped-def]
    eid = new_event(kb, people.organizer, publish=False)
    with kb.sessions() as s, pytest.raises(PermissionDenied):
        manage.transition(s, people.researcher, event_of(s, eid), to)


EXPECTED_ENTRY = {AudienceAction.ADD: "add", AudienceAction.REMOVE: "remove", AudienceAction.RESET: None}


@pytest.mark.parametrize("first", list(AudienceAction))
@pytest.mark.parametrize("then", list(AudienceAction))
def test_change_audience_leaves_the_last_hand_change(kb, people, first: AudienceAction, then: AudienceAction) -> None:  # type: ignore[no-untyped-def]
    eid = new_event(kb, people.organizer)
    with kb.sessions() as s, s.begin():
        event, talent = event_of(s, eid), talent_of(s, people.talents["t-01"])
        audience.change_audience(s, people.organizer, event, talent, first)
        audience.change_audience(s, people.organizer, event, talent, then)
    with kb.sessions() as s:
        entry = s.scalar(select(EventAudienceEntry.action).where(EventAudienceEntry.event_id == eid))
        assert entry == EXPECTED_ENTRY[then]


@pytest.mark.parametrize("module", ["events/views.py", "events/api.py"])
def test_page_and_api_do_not_dispatch_moves_themselves(module: str) -> None:
    """Both adapt to manage.transition / audience.change_audience; picking the function is kb's job."""
    source = (WEB / module).read_text(encoding="utf-8")
    assert not DISPATCHED.findall(source)
    assert "manage.transition(" in source and "audience.change_audience(" in source
