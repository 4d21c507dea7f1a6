"""Who may do what with events: organizers manage, talents see published events and themselves."""

from __future__ import annotations

import pytest

from kb.errors import NotFound, PermissionDenied
from kb.events import manage, queries
from kb.events.checkin import checkin_list
from kb.events.export import attendee_rows
from kb.events.history import talent_history
from kb.events.invitations import invite
from kb.events.registration import register
from kb.events.stats import event_stats
from tests.events.conftest import event_of, event_values, new_event, talent_of


def test_only_organizers_and_admins_manage(kb, people) -> None:  # type: ignore[no-untyped-def]
    talent = people.talents["t-00"]
    for actor in (talent, people.researcher, people.commissioner):
        with kb.sessions() as s, pytest.raises(PermissionDenied):
            manage.create_event(s, actor, event_values())
    event_id = new_event(kb, people.admin)
    with kb.sessions() as s:
        event = event_of(s, event_id)
        for act in (
            lambda: manage.update_event(s, talent, event, {"title": "hijacked"}),
            lambda: manage.cancel_event(s, talent, event),
            lambda: invite(s, talent, event, [talent_of(s, talent)]),
            lambda: queries.replies(s, talent, event),
            lambda: checkin_list(s, talent, event),
            lambda: attendee_rows(s, talent, event),
            lambda: event_stats(s, talent),
        ):
            with pytest.raises(PermissionDenied):
                act()


def test_talents_see_published_events_only(kb, people) -> None:  # type: ignore[no-untyped-def]
    talent = people.talents["t-00"]
    draft = new_event(kb, people.organizer, publish=False, title="草稿活动")
    published = new_event(kb, people.organizer, title="已发布活动")
    with kb.sessions() as s:
        assert [e.id for e in queries.list_events(s, talent)] == [published]
        assert {e.id for e in queries.list_events(s, people.organizer)} == {draft, published}
        assert queries.get_event(s, talent, published).id == published
        with pytest.raises(NotFound):
            queries.get_event(s, talent, draft)
        assert queries.get_event(s, people.organizer, draft).id == draft


def test_talent_history_is_its_own(kb, people) -> None:  # type: ignore[no-untyped-def]
    a, b = people.talents["t-00"], people.talents["t-01"]
    event_id = new_event(kb, people.organizer)
    with kb.sessions() as s, s.begin():
        register(s, a, event_of(s, event_id), talent_of(s, a))
    with kb.sessions() as s:
        assert [h.event.id for h in talent_history(s, a, talent_of(s, a))] == [event_id]
        assert [h.registration.status for h in talent_history(s, people.organizer, talent_of(s, a))] == ["registered"]
        with pytest.raises(PermissionDenied):
            talent_history(s, b, talent_of(s, a))
        with pytest.raises(PermissionDenied):
            talent_history(s, people.researcher, talent_of(s, a))
