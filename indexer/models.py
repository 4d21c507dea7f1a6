"""Query and result values exchanged with callers (web, CLI, batch evaluation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["hybrid", "lexical", "dense"]
#: Passage kinds: a talent's (``indexer.passages.KINDS``), then a knowledge item's (``indexer.knowledge``).
EvidenceKind = Literal["direction", "profile", "bio", "output", "title", "text"]
MatchedBy = Literal["lexical", "dense", "both"]
#: How well an expert fits the need, from absolute evidence (``indexer.retrieval.match``).
MatchLevel = Literal["strong", "partial", "weak"]

FACET_KEYS = ("category", "fields", "available", "languages")
MAX_LIMIT = 100


@dataclass(frozen=True)
class SearchQuery:
    """A need in plain text plus exact filters. Empty text browses by filters."""

    text: str
    categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    available: bool | None = None
    languages: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 10
    mode: Mode = "hybrid"
    with_facets: bool = True

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the value hashable and immutable.
        for name in ("categories", "fields", "languages"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        if self.mode not in ("hybrid", "lexical", "dense"):
            raise ValueError(f"mode must be hybrid, lexical or dense, not {self.mode!r}")
        object.__setattr__(self, "offset", max(0, int(self.offset)))
        object.__setattr__(self, "limit", min(MAX_LIMIT, max(0, int(self.limit))))


@dataclass(frozen=True)
class Evidence:
    """Why a talent fits: one passage, plain and highlighted (HTML-escaped, ``<mark>``)."""

    kind: EvidenceKind
    ref: str
    text: str
    highlighted: str
    score: float
    matched_by: MatchedBy


@dataclass(frozen=True)
class SearchResult:
    """One expert with the evidence that makes them fit."""

    talent_id: str
    score: float
    name: str
    name_en: str
    category: str
    fields: tuple[str, ...]
    title: str
    organization: str
    available: bool
    evidence: list[Evidence] = field(default_factory=list)
    #: ``None`` when browsing without a need (nothing to match against).
    match: MatchLevel | None = None


@dataclass(frozen=True)
class SearchResponse:
    """A page of results.

    The whole result set is ordered good matches (strong, partial) first, then
    the closest weak ones; ``total`` counts it all (``offset`` pages through
    it), ``matched`` counts the good matches — the number a user is told —
    and ``facets`` count that same good set, so a facet's number is what a
    click on it returns. Browsing without a need has no match levels:
    ``matched`` then equals ``total`` and the facets cover every listed talent.
    """

    results: list[SearchResult]
    total: int
    facets: dict[str, dict[str, int]]
    offset: int
    limit: int
    took_ms: float
    matched: int = 0
    #: Milliseconds per stage of this search (analyze, embed, collect, ...), for monitoring.
    timing: dict[str, float] = field(default_factory=dict, compare=False)
