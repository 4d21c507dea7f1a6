"""Keep the search index in step with the database through the outbox.

Every committed change queues ``{"talent": external_id}``; draining reads the
talent's *current* state, so repeated or out-of-order items converge on the
truth, and an item whose handler fails (index down) is retried, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from indexer import ExpertSearch, SearchUnavailable
from indexer.documents import OutputDoc, TalentDoc
from kb.index_settle import write_settled as settle
from kb.models import Output, QueueItem, Talent
from kb.queue import DrainReport, drain, enqueue
from kb.talents.changes import SEARCH_TOPIC


def talent_doc(t: Talent) -> TalentDoc:
    """What search may know of a talent: never its contact data."""
    return TalentDoc(
        talent_id=t.external_id,
        name=t.name,
        name_en=t.name_en or "",
        category=t.category,
        fields=tuple(t.fields),
        research_directions=tuple(t.research_directions),
        title=t.title or "",
        organization=t.organization or "",
        bio=t.bio or "",
        languages=tuple(t.languages),
        available=bool(t.available_for_consultation),
        outputs=tuple(
            OutputDoc(str(o.id), o.type, o.title, o.year, o.venue or "", _described(o))
            for o in sorted(t.outputs, key=lambda o: o.id)
        ),
    )


def _described(o: Output) -> str:
    """The abstract, with a harvested output's keywords after it: they name its topic too."""
    keywords = "; ".join(o.keywords or [])
    return "\n".join(part for part in (o.abstract or "", keywords) if part)


def _load(session: Session, external_ids: Iterable[str]) -> dict[str, Talent]:
    stmt = select(Talent).options(selectinload(Talent.outputs)).where(Talent.external_id.in_(list(external_ids)))
    return {t.external_id: t for t in session.scalars(stmt)}


def _current_docs(factory: sessionmaker[Session], external_ids: set[str]) -> dict[str, TalentDoc]:
    with factory() as session:
        return {tid: talent_doc(t) for tid, t in _load(session, external_ids).items()}


def write_settled(factory: sessionmaker[Session], search: ExpertSearch, external_ids: set[str]) -> set[str]:
    """Write these talents' current state to the index, re-reading after the write
    (``kb.index_settle``: several processes drain the queue); returns the talents still changing."""
    return settle(lambda ids: _current_docs(factory, ids), search.upsert, search.delete, external_ids)


def drain_search_queue(factory: sessionmaker[Session], search: ExpertSearch, batch: int = 200) -> DrainReport:
    def handle(items: list[QueueItem]) -> None:
        unsettled = write_settled(factory, search, {i.payload["talent"] for i in items})
        if unsettled:
            with factory() as session, session.begin():
                for talent in sorted(unsettled):
                    enqueue(session, SEARCH_TOPIC, {"talent": talent})

    # An index that is down for hours must not turn queued changes into dead items
    # that never reach it: SearchUnavailable is an outage, retried until it ends.
    return drain(factory, SEARCH_TOPIC, handle, batch=batch, outage=(SearchUnavailable,))


def iter_all_docs(factory: sessionmaker[Session], chunk: int = 500) -> Iterable[TalentDoc]:
    """Every talent as a document, read in chunks so a rebuild of 100k stays small in memory."""
    last = 0
    while True:
        with factory() as session:
            rows = list(
                session.scalars(
                    select(Talent).options(selectinload(Talent.outputs))
                    .where(Talent.id > last).order_by(Talent.id).limit(chunk)
                )
            )
            docs = [talent_doc(t) for t in rows]
        if not rows:
            return
        last = rows[-1].id
        yield from docs


def rebuild_index(factory: sessionmaker[Session], search: ExpertSearch) -> int:
    """Rebuild the index from the database while edits go on.

    Changes committed while the new generation is being built reach the old one
    through the worker; replaying their queue items after the swap makes sure the
    new generation gets them too.
    """
    from sqlalchemy import func

    with factory() as session:
        start = session.scalar(select(func.max(QueueItem.id))) or 0
    count = 0

    def counted() -> Iterable[TalentDoc]:
        nonlocal count
        for doc in iter_all_docs(factory):
            count += 1
            yield doc

    search.rebuild(counted())
    with factory() as session, session.begin():
        later = session.scalars(
            select(QueueItem).where(QueueItem.id > start, QueueItem.topic == SEARCH_TOPIC)
        ).all()
        for talent in sorted({i.payload["talent"] for i in later}):
            enqueue(session, SEARCH_TOPIC, {"talent": talent})
    return count
