"""``ExpertSearch``: the one object the rest of the product talks to."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.analysis import Analyzer, get_analyzer
from indexer.backends.base import Backend, IndexMeta
from indexer.documents import TalentDoc
from indexer.embedding import Embedder, make_embedder
from indexer.embedding.base import l2_normalize
from indexer.indexing import IndexWriter, prepare
from indexer.models import SearchQuery, SearchResponse
from indexer.retrieval.params import DEFAULT_PARAMS, RankingParams
from indexer.retrieval.searcher import Searcher
from indexer.settings import SearchSettings

log = logging.getLogger(__name__)

def _talent_id(doc: TalentDoc) -> str:
    return doc.talent_id


_SIMILAR_FILTERS = {"categories", "fields", "available", "languages", "offset", "with_facets"}


class ExpertSearch(IndexWriter[TalentDoc]):
    """Index talents and find the right experts for a need, with evidence."""

    def __init__(
        self,
        backend: Backend,
        embedder: Embedder,
        analyzer: Analyzer,
        params: RankingParams = DEFAULT_PARAMS,
    ) -> None:
        super().__init__(backend, embedder, analyzer, _talent_id, prepare)
        self.params = params
        self.searcher = Searcher(backend, embedder, analyzer, params)

    # -- reads -------------------------------------------------------------------
    def search(self, q: SearchQuery) -> SearchResponse:
        return self.searcher.search(q)

    def similar(self, talent_id: str, limit: int = 10, **filters: Any) -> SearchResponse:
        """Experts whose work resembles this talent's directions and profile (excluding them).

        Dense only, from the mean of the talent's own direction (or profile)
        passage vectors: those vectors were computed at indexing and come from
        the vector cache, so a profile page does not pay for a query embedding
        nor for a lexical search over a paragraph of text.
        """
        unknown = set(filters) - _SIMILAR_FILTERS
        if unknown:
            raise TypeError(f"unknown filters for similar(): {sorted(unknown)}")
        passages = self.backend.talent_passages(talent_id)
        texts = [p.text for p in passages if p.kind == "direction"] or [
            p.text for p in passages if p.kind == "profile"
        ]
        filters.setdefault("with_facets", False)  # a short list beside a profile, not a result page
        query = SearchQuery(text="; ".join(texts), limit=limit, mode="dense", **filters)
        if not texts:
            return SearchResponse([], 0, {}, query.offset, query.limit, 0.0)
        vector = l2_normalize(self.embedder.embed_passages(texts).mean(axis=0))[0]
        return self.searcher.search(query, exclude=(talent_id,), vector=vector)

    def ping(self) -> None:
        self.backend.ping()

    def info(self) -> dict[str, Any]:
        info = self.backend.info()
        info.update(
            embedder=self.embedder.name,
            dim=self.embedder.dim,
            analyzer=self.analyzer.version,
            fusion=self.params.fusion,
        )
        return info

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> ExpertSearch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def with_params(self, **changes: Any) -> ExpertSearch:
        """A view of the same index ranked with other parameters (benchmarks)."""
        return ExpertSearch(self.backend, self.embedder, self.analyzer, replace(self.params, **changes))


def open_search(
    settings: SearchSettings,
    *,
    embedder: Embedder | None = None,
    params: RankingParams = DEFAULT_PARAMS,
) -> ExpertSearch:
    """Open the configured backend (creating an empty embedded index if none exists).

    ``IndexMismatch`` when the existing index was built with another embedder or
    analyzer (raised here by the embedded backend, by the first read or write on
    Elasticsearch, whose rebuild must still be possible), and ``SearchUnavailable``
    when the backend is down.
    """
    embedder = embedder or make_embedder(settings)
    analyzer = get_analyzer()
    backend = open_backend(settings, embedder, analyzer, settings.search_dir, settings.elasticsearch_index)
    return ExpertSearch(backend, embedder, analyzer, params)


def open_backend(
    settings: SearchSettings, embedder: Embedder, analyzer: Analyzer, folder: Path, alias: str
) -> Backend:
    """The configured backend of one logical index: its embedded ``folder`` or Elasticsearch ``alias``.

    The index's identity is this embedder's and analyzer's (``IndexMismatch`` otherwise).
    """
    meta = IndexMeta(embedder=embedder.name, dim=embedder.dim, analyzer=analyzer.version)
    if settings.backend == "elasticsearch":
        from indexer.backends.elasticsearch import ElasticsearchBackend
        from indexer.settings import replica_count

        return ElasticsearchBackend(
            settings.elasticsearch_url, alias, meta, replicas=replica_count(settings.elasticsearch_replicas)
        )
    from indexer.backends.embedded.backend import EmbeddedBackend

    return EmbeddedBackend(folder, meta)
