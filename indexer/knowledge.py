"""Knowledge search: advice, outputs, stage results and requests' questions as items.

The think tank's memory is searched with the expert engine itself — same
analyzer, embedder, calibrated fusion, evidence and match levels — but in a
second logical index (embedded: ``search/knowledge``; Elasticsearch: the alias
``<index>-knowledge``), so expert search never sees these documents.

Each item is its own result: the engine's group key (``TalentRecord.talent_id``)
is the item key ``kind:id``, so passages of one piece of advice aggregate to
that advice, never to its author. The record's filter attributes carry what
the product filters on *inside* the backend, with the mechanism both backends
already implement for category and field filters:

* ``category`` is the item kind (the ``kind=`` filter);
* ``fields`` is the item's audience — opaque tokens such as ``staff``,
  ``unit:<unit>`` or ``talent:<id>`` computed by the knowledge base from the
  item's visibility attributes. A query names the viewer's tokens and the
  backend keeps the items sharing at least one, so counts and pages are those
  of the visible set (no post-filtering).

The expert (``talent_id``) and the request (``request_id``) ride in the
record's ``title`` and ``organization`` slots, which are display-only there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.analysis import Analyzer, get_analyzer
from indexer.backends.base import Backend, TalentRecord
from indexer.embedding import Embedder, make_embedder
from indexer.indexing import IndexWriter, Records, passage_records
from indexer.models import Evidence, MatchLevel, Mode, SearchQuery
from indexer.passages import Passage
from indexer.retrieval.params import DEFAULT_PARAMS, RankingParams
from indexer.retrieval.searcher import Searcher
from indexer.search import open_backend
from indexer.settings import SearchSettings

#: Every kind of knowledge item, in the order the product lists them.
KINDS = ("advice", "stage_result", "output", "question")
#: Suffix of the Elasticsearch alias and name of the embedded sub-folder.
INDEX_SUFFIX = "knowledge"
#: A body is cut into passages of about this many characters (paragraphs kept whole when short).
CHUNK_CHARS = 400


@dataclass(frozen=True)
class KnowledgeDoc:
    """One item as the knowledge base hands it to the index (plain values, no ORM).

    ``audience`` is the set of viewer tokens that may see the item; an item
    with an empty audience is visible to no one but an unrestricted query.
    """

    kind: str
    item_id: str
    title: str
    text: str = ""
    talent_id: str = ""
    request_id: str = ""
    audience: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"knowledge kind must be one of {KINDS}, not {self.kind!r}")
        object.__setattr__(self, "audience", tuple(sorted(set(self.audience))))

    @property
    def key(self) -> str:
        return item_key(self.kind, self.item_id)


def item_key(kind: str, item_id: str | int) -> str:
    return f"{kind}:{item_id}"


def split_item_key(key: str) -> tuple[str, str]:
    kind, _, item_id = key.partition(":")
    return kind, item_id


@dataclass(frozen=True)
class KnowledgeQuery:
    """A need, the kinds wanted, and who is asking.

    ``audience`` are the viewer's tokens. ``None`` means unrestricted and is
    only accepted with ``unrestricted=True`` (the command line acting as the
    system), so a caller that forgets the viewer gets an error, not everything.
    """

    text: str
    kinds: tuple[str, ...] = ()
    audience: tuple[str, ...] | None = None
    offset: int = 0
    limit: int = 10
    mode: Mode = "hybrid"
    unrestricted: bool = False

    def __post_init__(self) -> None:
        kinds = (self.kinds,) if isinstance(self.kinds, str) else tuple(self.kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown knowledge kind(s) {unknown}; choose from {KINDS}")
        object.__setattr__(self, "kinds", kinds)
        if self.audience is None:
            if not self.unrestricted:
                raise ValueError("a knowledge query names its viewer's audience (or unrestricted=True)")
        else:
            audience = tuple(sorted(set(self.audience)))
            if not audience:
                raise ValueError("an empty audience would match every item; a viewer has at least one token")
            object.__setattr__(self, "audience", audience)


@dataclass(frozen=True)
class KnowledgeResult:
    kind: str
    id: str
    title: str
    talent_id: str
    request_id: str
    score: float
    match: MatchLevel | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class KnowledgeResponse:
    """A page of visible items; ``total`` and ``matched`` count the visible set only."""

    results: list[KnowledgeResult]
    total: int
    matched: int
    offset: int
    limit: int
    took_ms: float


def item_record(doc: KnowledgeDoc) -> TalentRecord:
    """The filterable and displayable attributes of an item (see the module docstring)."""
    return TalentRecord(
        talent_id=doc.key,
        name=doc.title,
        name_en="",
        category=doc.kind,
        fields=doc.audience,
        title=doc.talent_id,
        organization=doc.request_id,
        available=True,
        languages=(),
    )


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Paragraphs, merged while short and cut at sentence ends when long: evidence-sized passages."""
    pieces: list[str] = []
    for para in (p.strip() for p in re.split(r"\n\s*\n|\r?\n", text or "")):
        if not para:
            continue
        while len(para) > size:
            cut = max(para.rfind(mark, 0, size) for mark in "。！？；.!?;")
            cut = cut + 1 if cut > size // 3 else size
            pieces.append(para[:cut].strip())
            para = para[cut:].strip()
        if para:
            pieces.append(para)
    merged: list[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) + len(piece) < size // 2:
            merged[-1] = f"{merged[-1]}\n{piece}"
        else:
            merged.append(piece)
    return merged


def item_passages(doc: KnowledgeDoc) -> list[Passage]:
    """The title (one passage) and the body in chunks; a hit says which part fits."""
    out = [Passage.of(doc.key, "title", "", doc.title.strip())] if doc.title.strip() else []
    out += [Passage.of(doc.key, "text", str(i), piece) for i, piece in enumerate(chunks(doc.text))]
    return out


def prepare_items(docs: Sequence[KnowledgeDoc], analyzer: Analyzer, embedder: Embedder) -> Records:
    records = [item_record(d) for d in docs]
    passages = [p for d in docs for p in item_passages(d)]
    return records, passage_records(passages, analyzer, embedder)


def _item_key(doc: KnowledgeDoc) -> str:
    return doc.key


class KnowledgeSearch(IndexWriter[KnowledgeDoc]):
    """Index knowledge items and find them for a need, filtered by the viewer's audience."""

    def __init__(
        self, backend: Backend, embedder: Embedder, analyzer: Analyzer, params: RankingParams = DEFAULT_PARAMS
    ) -> None:
        super().__init__(backend, embedder, analyzer, _item_key, prepare_items)
        self.searcher = Searcher(backend, embedder, analyzer, params)

    def search(self, q: KnowledgeQuery) -> KnowledgeResponse:
        query = SearchQuery(
            text=q.text,
            categories=q.kinds,
            fields=q.audience or (),
            offset=q.offset,
            limit=q.limit,
            mode=q.mode,
            with_facets=False,
        )
        response = self.searcher.search(query)
        results = []
        for r in response.results:
            kind, item_id = split_item_key(r.talent_id)
            results.append(
                KnowledgeResult(kind, item_id, r.name, r.title, r.organization, r.score, r.match, r.evidence)
            )
        return KnowledgeResponse(results, response.total, response.matched, response.offset,
                                 response.limit, response.took_ms)

    def count(self) -> int:
        return self.backend.talent_count()

    def ping(self) -> None:
        self.backend.ping()

    def info(self) -> dict[str, Any]:
        return self.backend.info()

    def close(self) -> None:
        self.backend.close()


def knowledge_settings(settings: SearchSettings) -> tuple[Path, str]:
    """Where the knowledge index lives: (embedded folder, Elasticsearch alias)."""
    return settings.search_dir / INDEX_SUFFIX, f"{settings.elasticsearch_index}-{INDEX_SUFFIX}"


def open_knowledge_search(
    settings: SearchSettings, *, embedder: Embedder | None = None, params: RankingParams = DEFAULT_PARAMS
) -> KnowledgeSearch:
    """Open the knowledge index of the configured backend, with the expert index's identity rule.

    Pass the expert search's embedder to share the loaded model. ``IndexMismatch``
    when the index was built with another embedder or analyzer: raised here by the
    embedded backend, by the first read or write on Elasticsearch (whose rebuild
    must still be possible).
    """
    embedder = embedder or make_embedder(settings)
    analyzer = get_analyzer()
    folder, alias = knowledge_settings(settings)
    backend = open_backend(settings, embedder, analyzer, folder, alias)
    return KnowledgeSearch(backend, embedder, analyzer, params)


__all__ = [
    "KINDS",
    "KnowledgeDoc",
    "KnowledgeQuery",
    "KnowledgeResponse",
    "KnowledgeResult",
    "KnowledgeSearch",
    "item_key",
    "open_knowledge_search",
]
