"""Event fixtures: a knowledge base on SQLite or PostgreSQL with people in every role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.events.manage import create_event, publish_event
from kb.models import Event, Talent, utcnow
from kb.talents import changes as ops
from tests.kb.conftest import kb, postgres_kb, record, sqlite_kb  # noqa: F401 - fixtures for this package

SYSTEM = Actor.system("test")


@dataclass
class People:
    organizer: Actor
    admin: Actor
    researcher: Actor
    commissioner: Actor
    talents: dict[str, Actor]  # external id -> the talent's own actor


def add_talent(session: Any, rid: str, *, account: bool = True, **over: Any) -> tuple[Talent, Actor | None]:
    talent, _ = ops.apply_record(session, record(rid, name=over.pop("name", f"人才{rid}"), **over), SYSTEM)
    if not account:
        return talent, None
    user = create_user(session, SYSTEM, f"u-{rid}", "talent", None, talent=talent, email=f"{rid}@example.org")
    return talent, Actor.of(user)


def make_people(base: KnowledgeBase, n_talents: int = 5) -> People:
    with base.sessions() as s, s.begin():
        staff = {role: Actor.of(create_user(s, SYSTEM, role, role, None, email=f"{role}@example.org"))
                 for role in ("organizer", "admin", "researcher", "commissioner")}
        talents = {}
        for i in range(n_talents):
            _t, actor = add_talent(s, f"t-{i:02d}")
            talents[f"t-{i:02d}"] = actor
    return People(talents=talents, **staff)


@pytest.fixture
def people(request: pytest.FixtureRequest) -> People:
    return make_people(request.getfixturevalue("kb"))


def event_values(**over: Any) -> dict[str, Any]:
    day = (utcnow() + timedelta(days=10)).date()
    start = datetime(day.year, day.month, day.day, 14, 30)  # local time in Asia/Shanghai
    values: dict[str, Any] = {
        "kind": "salon", "title": "低空经济与无人机物流", "description": "沙龙：低空物流的航线、空域与商业模式。",
        "topics": ["低空经济", "无人机物流"], "start_at": start,
        "end_at": start + timedelta(hours=2, minutes=30), "timezone": "Asia/Shanghai", "place": "罗湖区人才之家",
        "capacity": 10,
    }
    values.update(over)
    return values


def new_event(base: KnowledgeBase, actor: Actor, publish: bool = True, **over: Any) -> int:
    with base.sessions() as s, s.begin():
        event = create_event(s, actor, event_values(**over))
        if publish:
            publish_event(s, actor, event)
        return event.id


def talent_of(session: Any, actor: Actor) -> Talent:
    return session.get(Talent, actor.talent_id)


def event_of(session: Any, event_id: int) -> Event:
    return session.get(Event, event_id)
