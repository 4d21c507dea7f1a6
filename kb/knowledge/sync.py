"""Drain the knowledge queue into the knowledge index, and rebuild it.

Draining reads each item's *current* row, like the talent sync, so repeated or
out-of-order items converge; a row that is gone is deleted from the index.
What queues the items: ``kb.knowledge.outbox``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from indexer import SearchUnavailable
from indexer.knowledge import KnowledgeDoc, KnowledgeSearch, item_key, split_item_key
from kb.index_settle import write_settled
from kb.knowledge.documents import iter_all_docs, load_docs
from kb.knowledge.outbox import KNOWLEDGE_TOPIC, queue_knowledge_sync
from kb.models import QueueItem
from kb.queue import DrainReport, drain


def _key_ids(keys: Iterable[str]) -> set[str]:
    """Every key an item may have had (an output's kind follows its type)."""
    out = set()
    for key in keys:
        kind, item_id = split_item_key(key)
        if kind in ("output", "stage_result"):
            out |= {item_key("output", item_id), item_key("stage_result", item_id)}
        else:
            out.add(key)
    return out


def _current(factory: sessionmaker[Session], keys: set[str]) -> dict[str, KnowledgeDoc]:
    with factory() as session:
        return load_docs(session, keys)


def drain_knowledge_queue(factory: sessionmaker[Session], search: KnowledgeSearch, batch: int = 200) -> DrainReport:
    def handle(items: list[QueueItem]) -> None:
        # Read again after writing (kb.index_settle): another server may have written a
        # newer state of an item while this one wrote an older.
        unsettled = write_settled(lambda keys: _current(factory, keys), search.upsert, search.delete,
                                  _key_ids(i.payload["knowledge"] for i in items))
        if unsettled:
            with factory() as session, session.begin():  # still changing: a fresh item for each
                queue_knowledge_sync(session, unsettled)

    return drain(factory, KNOWLEDGE_TOPIC, handle, batch=batch, outage=(SearchUnavailable,))


def rebuild_knowledge(factory: sessionmaker[Session], search: KnowledgeSearch) -> int:
    """Rebuild the knowledge index; changes queued meanwhile are replayed after the swap."""
    with factory() as session:
        start = session.scalar(select(func.max(QueueItem.id))) or 0
    count = search.rebuild(iter_all_docs(factory))
    with factory() as session, session.begin():
        later = session.scalars(
            select(QueueItem).where(QueueItem.id > start, QueueItem.topic == KNOWLEDGE_TOPIC)
        ).all()
        queue_knowledge_sync(session, {i.payload["knowledge"] for i in later})
    return count
