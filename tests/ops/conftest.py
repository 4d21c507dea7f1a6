"""A small site of its own per test (hashing embedder: seconds, not minutes) for the ops endpoints."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kb.accounts import create_user
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import QueueItem, utcnow
from kb.settings import load_settings
from kb.talents.changes import SEARCH_TOPIC
from kb.talents.importer import import_file
from tests.web.data import PASSWORD, TALENTS, jsonl


def free_port() -> int:
    """A port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_kb(data_dir: Path, **settings: Any) -> KnowledgeBase:
    values = {"data_dir": data_dir, "security.secret_key": "ops-test-secret-key", "search.embedder": "hashing"}
    kb = KnowledgeBase(load_settings({**values, **settings}))
    kb.init_db()
    return kb


def populate(kb: KnowledgeBase) -> None:
    assert import_file(kb.sessions, Path("t.jsonl"), Actor.system("ops tests"), data=jsonl(TALENTS)).ok
    with kb.sessions() as session, session.begin():
        create_user(session, Actor.system("ops tests"), "researcher", "researcher", PASSWORD, unit="研究中心")
    kb.sync_search()


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., tuple[Flask, KnowledgeBase]]]:
    """``make_app(**settings)`` → (app, kb); every kb is closed afterwards."""
    from web.app import create_app

    opened: list[KnowledgeBase] = []

    def make(**settings: Any) -> tuple[Flask, KnowledgeBase]:
        kb = open_kb(tmp_path / f"site-{len(opened)}", **settings)
        opened.append(kb)
        return create_app(kb, TESTING=True), kb

    yield make
    for kb in opened:
        kb.close()


def queue_item(kb, *, due_ago_s: float, age_s: float, topic: str = SEARCH_TOPIC) -> None:  # type: ignore[no-untyped-def]
    """An open queue item, due ``due_ago_s`` ago (negative: later), queued ``age_s`` ago."""
    now = utcnow()
    with kb.sessions() as session, session.begin():
        session.add(QueueItem(topic=topic, payload={"talent": "x"}, run_after=now - timedelta(seconds=due_ago_s),
                              created_at=now - timedelta(seconds=age_s)))
