"""Bilingual expert search for the Luohu talent knowledge base.

Typical use::

    from indexer import open_search, SearchQuery
    search = open_search(settings.search)  # the [search] section, loaded by kb.settings
    search.upsert(docs)                    # TalentDoc values from the knowledge base
    response = search.search(SearchQuery("商业健康保险 精算定价"))
"""

from indexer.documents import OutputDoc, TalentDoc
from indexer.errors import IndexMismatch, SearchError, SearchUnavailable
from indexer.models import Evidence, SearchQuery, SearchResponse, SearchResult
from indexer.search import ExpertSearch, open_search
from indexer.settings import SearchSettings

__all__ = [
    "Evidence",
    "ExpertSearch",
    "IndexMismatch",
    "OutputDoc",
    "SearchError",
    "SearchQuery",
    "SearchResponse",
    "SearchResult",
    "SearchSettings",
    "SearchUnavailable",
    "TalentDoc",
    "open_search",
]
