"""Living profiles: a few talents with accounts, two commissioners and an admin, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import Talent, User, utcnow
from kb.talents import changes as ops
from tests.kb.conftest import kb, postgres_kb, record, sqlite_kb  # noqa: F401  (fixtures)

SYSTEM = Actor.system("test")


@dataclass
class People:
    admin: Actor
    c1: Actor
    c2: Actor
    talent: Actor  # the account of t-1
    other_talent: Actor  # the account of t-2


@pytest.fixture
def people(kb: KnowledgeBase) -> People:  # noqa: F811
    with kb.sessions() as s, s.begin():
        for i in (1, 2, 3):
            ops.apply_record(s, record(f"t-{i}"), SYSTEM)
        s.flush()
        users = {
            "admin": create_user(s, SYSTEM, "admin", "admin", "pw-admin-123", enforce_policy=False),
            "c1": create_user(s, SYSTEM, "c1", "commissioner", "pw-c1-12345", enforce_policy=False),
            "c2": create_user(s, SYSTEM, "c2", "commissioner", "pw-c2-12345", enforce_policy=False),
            "talent": create_user(s, SYSTEM, "t1", "talent", "pw-t1-12345", email="t1@example.org",
                                  talent=ops.get_talent(s, "t-1"), enforce_policy=False),
            "other_talent": create_user(s, SYSTEM, "t2", "talent", "pw-t2-12345", email="t2@example.org",
                                        talent=ops.get_talent(s, "t-2"), enforce_policy=False),
        }
        s.flush()
        actors = {k: Actor.of(u) for k, u in users.items()}
    return People(**actors)


def age(base: KnowledgeBase, external_id: str, days: float, now: datetime | None = None) -> None:
    """Make a talent's last substantive change ``days`` old (and its creation older)."""
    now = now or utcnow()
    with base.sessions() as s, s.begin():
        t = ops.get_talent(s, external_id)
        t.last_changed_at = now - timedelta(days=days)
        t.created_at = min(t.created_at, t.last_changed_at)


def user(base: KnowledgeBase, username: str) -> User:
    from sqlalchemy import select

    with base.sessions() as s:
        u = s.scalar(select(User).where(User.username == username))
        assert u is not None
        s.expunge(u)
        return u


def talent_row(base: KnowledgeBase, external_id: str) -> Talent:
    with base.sessions() as s:
        t = ops.get_talent(s, external_id)
        s.expunge(t)
        return t
