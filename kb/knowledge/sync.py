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
from indexer.knowledge import KnowledgeSearch, item_key, split_item_key
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


def drain_knowledge_queue(factory: sessionmaker[Session], search: KnowledgeSearch, batch: int = 200) -> DrainReport:
    def handle(items: list[QueueItem]) -> None:
        wanted = _key_ids(i.payload["knowledge"] for i in items)
        with factory() as session:
            docs = load_docs(session, wanted)
        if docs:
            search.upsert(docs.values())
        gone = sorted(wanted - set(docs))
        if gone:
            search.delete(gone)

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
