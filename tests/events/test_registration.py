"""Seats, the waitlist and its promotion; no overbooking under concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kb.errors import Conflict, ValidationError
from kb.events import registration as reg_ops
from kb.events.manage import update_event
from kb.events.registration import RegistrationClosed
from kb.models import Event, EventRegistration, Notification, utcnow
from tests.events.conftest import SYSTEM, add_talent, event_of, make_people, new_event, talent_of


def _register(kb, actor, event_id):  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        return reg_ops.register(s, actor, event_of(s, event_id), talent_of(s, actor)).status


def _cancel(kb, actor, event_id):  # type: ignore[no-untyped-def]
    with kb.sessions() as s, s.begin():
        promoted = reg_ops.cancel(s, actor, event_of(s, event_id), talent_of(s, actor))
        return promoted.talent_id if promoted else None


def _statuses(kb, event_id):  # type: ignore[no-untyped-def]
    with kb.sessions() as s:
        event = event_of(s, event_id)
        rows = s.execute(select(EventRegistration.status, func.count()).where(EventRegistration.event_id == event_id)
                         .group_by(EventRegistration.status)).all()
        return event.registered_count, dict(rows)


def test_seats_then_waitlist_then_promotion_on_cancel(kb) -> None:  # type: ignore[no-untyped-def]
    people = make_people(kb, 4)
    event_id = new_event(kb, people.organizer, capacity=2)
    a, b, c, d = people.talents.values()
    assert [_register(kb, x, event_id) for x in (a, b, c, d)] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert _register(kb, a, event_id) == "registered"  # again: nothing changes
    assert _statuses(kb, event_id) == (2, {"registered": 2, "waitlisted": 2})

    # b cancels: c (first come) is promoted and told so, with a check-in code.
    assert _cancel(kb, b, event_id) == c.talent_id
    with kb.sessions() as s:
        reg_c = reg_ops.find_registration(s, event_id, c.talent_id)
        assert reg_c.status == "registered" and reg_c.checkin_code
        kinds = list(s.scalars(select(Notification.kind).where(Notification.user_id == c.user_id)))
        assert kinds == ["event.waitlisted", "event.promoted"]
        reg_d = reg_ops.find_registration(s, event_id, d.talent_id)
        assert reg_ops.waitlist_position(s, reg_d) == 1
    assert _statuses(kb, event_id) == (2, {"registered": 2, "waitlisted": 1, "cancelled": 1})

    # A waitlisted talent leaving frees no seat; a seat freed with nobody waiting returns to the pool.
    assert _cancel(kb, d, event_id) is None
    assert _cancel(kb, a, event_id) is None
    assert _statuses(kb, event_id) == (1, {"registered": 1, "cancelled": 3})
    # b may come back, at the end of the queue (here: straight to the free seat).
    assert _register(kb, b, event_id) == "registered"
    with pytest.raises(Conflict):
        _cancel(kb, d, event_id)


def test_capacity_changes(kb) -> None:  # type: ignore[no-untyped-def]
    people = make_people(kb, 4)
    event_id = new_event(kb, people.organizer, capacity=1)
    for t in people.talents.values():
        _register(kb, t, event_id)
    with kb.sessions() as s:
        with pytest.raises(ValidationError) as err:
            update_event(s, people.organizer, event_of(s, event_id), {"capacity": 0})
        assert "capacity" in err.value.errors
    with kb.sessions() as s, s.begin():
        update_event(s, people.organizer, event_of(s, event_id), {"capacity": 3})
    assert _statuses(kb, event_id) == (3, {"registered": 3, "waitlisted": 1})
    with kb.sessions() as s, pytest.raises(ValidationError):
        update_event(s, people.organizer, event_of(s, event_id), {"capacity": 2})


def test_registration_window(kb) -> None:  # type: ignore[no-untyped-def]
    people = make_people(kb, 1)
    talent = next(iter(people.talents.values()))
    draft = new_event(kb, people.organizer, publish=False)
    with kb.sessions() as s, pytest.raises(RegistrationClosed):
        reg_ops.register(s, people.organizer, event_of(s, draft), talent_of(s, talent))
    event_id = new_event(kb, people.organizer)
    with kb.sessions() as s, s.begin():
        event = event_of(s, event_id)
        event.registration_deadline = utcnow() - timedelta(minutes=1)
    with kb.sessions() as s:
        with pytest.raises(RegistrationClosed):
            reg_ops.register(s, talent, event_of(s, event_id), talent_of(s, talent))
        event = event_of(s, event_id)
        with pytest.raises(RegistrationClosed):
            reg_ops.register(s, talent, event, talent_of(s, talent), now=event.start_at)


def _race(kb, actions) -> list:  # type: ignore[no-untyped-def]
    """Run the callables at the same moment, one thread each; collect results or errors."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = actions[i]()
        except Exception as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _crowd(kb, n: int):  # type: ignore[no-untyped-def]
    people = make_people(kb, 0)
    actors = []
    with kb.sessions() as s, s.begin():
        for i in range(n):
            _t, actor = add_talent(s, f"crowd-{i:02d}")
            actors.append(actor)
    return people, actors


def test_thirty_threads_race_for_ten_seats(kb) -> None:  # type: ignore[no-untyped-def]
    people, crowd = _crowd(kb, 30)
    event_id = new_event(kb, people.organizer, capacity=10)
    results = _race(kb, [lambda a=a: _register(kb, a, event_id) for a in crowd])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results).count("registered") == 10 and results.count("waitlisted") == 20
    assert _statuses(kb, event_id) == (10, {"registered": 10, "waitlisted": 20})


def test_cancellations_racing_registrations_keep_the_books_straight(kb) -> None:  # type: ignore[no-untyped-def]
    people, crowd = _crowd(kb, 30)
    event_id = new_event(kb, people.organizer, capacity=10)
    first, rest = crowd[:15], crowd[15:]
    for a in first:  # 10 seats taken, 5 waiting
        _register(kb, a, event_id)
    # 5 seat holders leave while 15 newcomers sign up and the organizer adds 2 seats.
    def grow() -> None:
        with kb.sessions() as s, s.begin():
            update_event(s, people.organizer, event_of(s, event_id), {"capacity": 12})

    actions = [lambda a=a: _cancel(kb, a, event_id) for a in first[:5]]
    actions += [lambda a=a: _register(kb, a, event_id) for a in rest]
    actions.append(grow)
    results = _race(kb, actions)
    assert not [r for r in results if isinstance(r, Exception)], results
    count, statuses = _statuses(kb, event_id)
    assert count == statuses["registered"] == 12
    assert statuses["cancelled"] == 5 and statuses["waitlisted"] == 30 - 5 - 12
    with kb.sessions() as s:
        event = s.get(Event, event_id)
        waiting = reg_ops.waitlist(s, event)
        # The first five waitlisted before the race were served before any newcomer.
        early = {a.talent_id for a in first[10:]}
        assert early.isdisjoint(r.talent_id for r in waiting)


def test_system_actor_and_organizer_register_others_but_talents_not(kb) -> None:  # type: ignore[no-untyped-def]
    from kb.errors import PermissionDenied

    people = make_people(kb, 2)
    a, b = people.talents.values()
    event_id = new_event(kb, people.organizer)
    with kb.sessions() as s, pytest.raises(PermissionDenied):
        reg_ops.register(s, a, event_of(s, event_id), talent_of(s, b))
    with kb.sessions() as s, s.begin():
        assert reg_ops.register(s, people.organizer, event_of(s, event_id), talent_of(s, b)).status == "registered"
        assert reg_ops.register(s, SYSTEM, event_of(s, event_id), talent_of(s, a)).status == "registered"
