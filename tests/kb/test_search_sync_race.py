"""A slow drainer must not leave an older state of a talent (or knowledge item) in the index.

With several app servers every gunicorn worker drains the search queue. Drainer A
reads a talent and, while it is still writing, the talent changes (edited, or
deleted) and drainer B applies that change. A's write then lands last. Before
``write_settled`` both queue items ended "done" and the index kept A's older
state for good: search answered with text the profile no longer has, or with a
deleted talent. The index here is a dict standing for the one shared index,
written through two handles like two processes' backends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.documents import TalentDoc
from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.knowledge.documents import load_docs
from kb.knowledge.sync import drain_knowledge_queue
from kb.models import Talent
from kb.talents.changes import apply_record, delete_talent, get_talent
from kb.talents.search_sync import drain_search_queue
from tests.kb.conftest import record

SYSTEM = Actor.system("test")


class SharedIndex:
    """What the index holds, by talent id (the shared Elasticsearch alias of several servers)."""

    def __init__(self) -> None:
        self.docs: dict[str, Any] = {}


class Handle:
    """One process's view of the shared index; ``pause_first`` holds its first write."""

    def __init__(self, index: SharedIndex, pause_first: bool = False) -> None:
        self.index = index
        self.entered, self.release = threading.Event(), threading.Event()
        self.pause = pause_first

    def upsert(self, docs: Iterable[Any]) -> None:
        docs = list(docs)  # read before pausing: this is the state the drainer saw
        if self.pause:
            self.pause = False
            self.entered.set()
            assert self.release.wait(30)
        for doc in docs:
            self.index.docs[doc.talent_id if isinstance(doc, TalentDoc) else doc.key] = doc

    def delete(self, talent_ids: Iterable[str]) -> None:
        for tid in talent_ids:
            self.index.docs.pop(tid, None)


def _edit(session: Session) -> None:
    apply_record(session, record("race-1", bio="改为研究碳金融与绿色债券。"), SYSTEM)


def _delete(session: Session) -> None:
    delete_talent(session, SYSTEM, get_talent(session, "race-1"))


@pytest.mark.parametrize("change", [_edit, _delete], ids=["edited", "deleted"])
def test_a_write_that_lands_after_a_newer_one_is_corrected(kb: KnowledgeBase,
                                                          change: Callable[[Session], None]) -> None:
    with kb.sessions() as s, s.begin():
        apply_record(s, record("race-1", bio="长期研究深港跨境金融。"), SYSTEM)
    index = SharedIndex()
    slow, fast = Handle(index, pause_first=True), Handle(index)
    drainer_a = threading.Thread(target=drain_search_queue, args=(kb.sessions, slow))
    drainer_a.start()
    assert slow.entered.wait(30), "drainer A never reached its write"
    with kb.sessions() as s, s.begin():  # the talent changes while A holds the old state
        change(s)
    drain_search_queue(kb.sessions, fast)  # B applies the change first
    slow.release.set()                     # then A's older write lands
    drainer_a.join(30)
    assert not drainer_a.is_alive()

    with kb.sessions() as s:
        now = s.scalar(select(Talent).where(Talent.external_id == "race-1"))
        expected = now.bio if now is not None else None
    held = index.docs.get("race-1")
    assert (held.bio if held is not None else None) == expected


def test_a_knowledge_item_written_late_is_corrected(kb: KnowledgeBase) -> None:
    """The same for the knowledge index: an output retitled (or replaced) while a slow drainer writes it."""
    with kb.sessions() as s, s.begin():
        apply_record(s, record("race-2", outputs=[{"type": "paper", "title": "跨境理财通的风险管理", "year": 2022}]),
                     SYSTEM)
    index = SharedIndex()
    slow, fast = Handle(index, pause_first=True), Handle(index)
    drainer_a = threading.Thread(target=drain_knowledge_queue, args=(kb.sessions, slow))
    drainer_a.start()
    assert slow.entered.wait(30), "drainer A never reached its write"
    with kb.sessions() as s, s.begin():
        apply_record(s, record("race-2", outputs=[{"type": "paper", "title": "绿色债券的定价", "year": 2024}]),
                     SYSTEM)
    drain_knowledge_queue(kb.sessions, fast)
    slow.release.set()
    drainer_a.join(30)
    assert not drainer_a.is_alive()

    with kb.sessions() as s:
        current = load_docs(s, index.docs)  # what the database says of every item the index holds
    assert index.docs == current
    assert [d.title for d in index.docs.values() if d.kind == "output"] == ["绿色债券的定价"]
