"""TalentDoc → records a backend stores (analysed terms, vectors), in batches.

Both backends receive exactly the same records, so they index the same terms
and vectors; embedding happens here, once, through the cached embedder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar

from indexer.analysis import Analyzer
from indexer.backends.base import Backend, PassageRecord, TalentRecord
from indexer.documents import TalentDoc
from indexer.embedding import Embedder
from indexer.passages import Passage, talent_passages

#: Talents per indexing batch: large enough for efficient batch embedding,
#: small enough to keep memory flat during a full rebuild.
BATCH_TALENTS = 256

Doc = TypeVar("Doc")
#: What a backend stores for a batch of documents: one record each, and their passages.
Records = tuple[list[TalentRecord], list[PassageRecord]]


def talent_record(doc: TalentDoc) -> TalentRecord:
    """The filterable and displayable attributes of a talent (never contact data)."""
    return TalentRecord(
        talent_id=doc.talent_id,
        name=doc.name,
        name_en=doc.name_en,
        category=doc.category,
        fields=tuple(doc.fields),
        title=doc.title,
        organization=doc.organization,
        available=doc.available,
        languages=tuple(doc.languages),
    )


def prepare(
    docs: Sequence[TalentDoc], analyzer: Analyzer, embedder: Embedder
) -> Records:
    """Records for a batch of talents; the passages of the batch are embedded together."""
    talents = [talent_record(d) for d in docs]
    passages = [p for d in docs for p in talent_passages(d)]
    return talents, passage_records(passages, analyzer, embedder)


def passage_records(passages: Sequence[Passage], analyzer: Analyzer, embedder: Embedder) -> list[PassageRecord]:
    """Analysed terms and vectors of passages (embedded together in one batch).

    Shared by expert and knowledge indexing, so both store the same terms and vectors.
    """
    vectors = embedder.embed_passages([p.text for p in passages])
    records = []
    for passage, vector in zip(passages, vectors, strict=True):
        analysis = analyzer.analyze(passage.text)
        records.append(
            PassageRecord(
                talent_id=passage.talent_id,
                kind=passage.kind,
                ref=passage.ref,
                text=passage.text,
                group=passage.lang,
                cjk_share=passage.cjk_share,
                words=tuple(analysis.words),
                grams=tuple(analysis.grams),
                vector=vector,
            )
        )
    return records


def batches(docs: Iterable[Doc], key: Callable[[Doc], str], size: int = BATCH_TALENTS) -> Iterator[list[Doc]]:
    """Group a stream of documents, keeping only the last version of a repeated key."""
    batch: dict[str, Doc] = {}
    for doc in docs:
        batch[key(doc)] = doc
        if len(batch) >= size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


class IndexWriter(Generic[Doc]):
    """Writes one kind of document to a backend in batches.

    Experts and knowledge items both go through it, so an upsert and a rebuild
    (a fresh generation swapped in at the end, abandoned on any error) behave
    the same for both indexes.
    """

    def __init__(
        self,
        backend: Backend,
        embedder: Embedder,
        analyzer: Analyzer,
        key: Callable[[Doc], str],
        prepare: Callable[[Sequence[Doc], Analyzer, Embedder], Records],
    ) -> None:
        self.backend = backend
        self.embedder = embedder
        self.analyzer = analyzer
        self._key = key
        self._prepare = prepare
        #: Told how many documents each written batch held; a bulk command's progress bar listens here.
        self.on_written: Callable[[int], None] | None = None

    def _written(self, n: int) -> None:
        if self.on_written is not None:
            self.on_written(n)

    def upsert(self, docs: Iterable[Doc]) -> int:
        """Index or replace documents (all of their passages); returns how many were written."""
        count = 0
        for batch in batches(docs, self._key):
            self.backend.upsert(*self._prepare(batch, self.analyzer, self.embedder))
            count += len(batch)
            self._written(len(batch))
        return count

    def delete(self, keys: Iterable[str]) -> None:
        self.backend.delete(list(keys))

    def rebuild(self, docs: Iterable[Doc]) -> int:
        """Build a fresh generation from ``docs`` and swap it in atomically."""
        session = self.backend.begin_rebuild()
        count = 0
        try:
            for batch in batches(docs, self._key):
                session.add(*self._prepare(batch, self.analyzer, self.embedder))
                count += len(batch)
                self._written(len(batch))
            session.commit()
        except BaseException:
            session.abort()
            raise
        return count
