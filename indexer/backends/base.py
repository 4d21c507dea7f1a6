"""What a search backend must do, and the records it stores.

A backend is storage plus candidate generation: it keeps passages and
per-talent filter attributes, and answers "lexical top-N", "dense top-N",
"exact scores for these passages", facet counts and browsing. Ranking itself
(score calibration, fusion, aggregation to talents, evidence) lives in
``indexer.retrieval`` and is shared, so both backends rank the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

#: Bump when the stored layout changes; part of the index metadata.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class IndexMeta:
    """Identity of an index: opening it with another configuration is an ``IndexMismatch``."""

    embedder: str
    dim: int
    analyzer: str
    schema: int = SCHEMA_VERSION

    def as_dict(self) -> dict[str, str | int]:
        return {"embedder": self.embedder, "dim": self.dim, "analyzer": self.analyzer, "schema": self.schema}

    def differences(self, other: IndexMeta) -> list[str]:
        """Human-readable list of what differs (empty when compatible)."""
        out = []
        for key, mine in self.as_dict().items():
            theirs = other.as_dict()[key]
            if mine != theirs:
                out.append(f"{key}: index has {theirs!r}, this process uses {mine!r}")
        return out


@dataclass(frozen=True)
class TalentRecord:
    """Per-talent attributes: filters, facets, display and browse order."""

    talent_id: str
    name: str
    name_en: str
    category: str
    fields: tuple[str, ...]
    title: str
    organization: str
    available: bool
    languages: tuple[str, ...]

    @property
    def sort_key(self) -> str:
        """Browse order: name, then id (deterministic; Unicode order for Chinese names)."""
        return f"{self.name.casefold()}\x1f{self.talent_id}"


@dataclass(frozen=True)
class PassageRecord:
    """A passage ready to store: analysed terms and its vector are precomputed."""

    talent_id: str
    kind: str
    ref: str
    text: str
    group: str
    cjk_share: float
    words: tuple[str, ...]
    grams: tuple[str, ...]
    vector: np.ndarray = field(repr=False, compare=False)

    @property
    def key(self) -> str:
        return passage_key(self.talent_id, self.kind, self.ref)


def passage_key(talent_id: str, kind: str, ref: str) -> str:
    """Backend-independent passage identity (also the Elasticsearch ``_id``)."""
    return f"{talent_id}\x1f{kind}\x1f{ref}"


def split_key(key: str) -> tuple[str, str, str]:
    talent_id, kind, ref = key.split("\x1f")
    return talent_id, kind, ref


@dataclass(frozen=True)
class Filters:
    """Exact talent filters; empty tuples and ``None`` mean "no constraint"."""

    categories: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    available: bool | None = None
    languages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def accepts(self, talent: TalentRecord) -> bool:
        """Reference semantics every backend must reproduce."""
        if self.categories and talent.category not in self.categories:
            return False
        if self.fields and not set(self.fields).intersection(talent.fields):
            return False
        if self.available is not None and talent.available != self.available:
            return False
        if self.languages and not set(self.languages).intersection(talent.languages):
            return False
        return talent.talent_id not in self.exclude


class Hit(NamedTuple):
    """A candidate passage with the score of the list it came from (a tuple: cheap to make)."""

    key: str
    talent_id: str
    group: str
    cjk_share: float
    score: float


@dataclass(frozen=True)
class StoredPassage:
    """A passage as read back for evidence."""

    key: str
    talent_id: str
    kind: str
    ref: str
    text: str
    group: str
    cjk_share: float


@dataclass(frozen=True)
class LexicalQuery:
    """Analysed query terms per field (each term once) and the weight of the bigram field."""

    words: tuple[str, ...]
    grams: tuple[str, ...]
    gram_weight: float = 0.5
    #: Words that also stand for their identical bigram: weighted ``1 + gram_weight``.
    folded: frozenset[str] = frozenset()

    def word_weight(self, term: str) -> float:
        return 1.0 + self.gram_weight if term in self.folded else 1.0

    def __bool__(self) -> bool:
        return bool(self.words or self.grams)


@dataclass(frozen=True)
class Centroids:
    """Sum of raw passage vectors and passage count per language group."""

    sums: dict[str, np.ndarray]
    counts: dict[str, int]


class Backend(ABC):
    """Storage and candidate generation; see the module docstring."""

    kind: str

    # -- lifecycle ---------------------------------------------------------
    def reader(self) -> Backend:
        """A view for one search: every read through it sees the same generation.

        Backends whose passage keys are stable across generations may return self.
        Call ``release`` on the view when the search is done.
        """
        return self

    def release(self) -> None:  # noqa: B027 - optional hook; most backends pin nothing
        """End of a ``reader`` view's search."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``SearchUnavailable`` when the backend cannot serve."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abstractmethod
    def talent_count(self) -> int: ...

    # -- writes ------------------------------------------------------------
    @abstractmethod
    def upsert(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None:
        """Replace every passage of each given talent (idempotent)."""

    @abstractmethod
    def delete(self, talent_ids: Iterable[str]) -> None: ...

    @abstractmethod
    def begin_rebuild(self) -> RebuildSession:
        """Start a fresh generation that becomes live only on ``commit``."""

    # -- reads -------------------------------------------------------------
    @abstractmethod
    def lexical_top(self, query: LexicalQuery, filters: Filters, n: int) -> list[Hit]:
        """Best ``n`` passages by BM25 (words + weighted grams), filtered."""

    @abstractmethod
    def lexical_scores(self, query: LexicalQuery, keys: Sequence[str]) -> dict[str, float]:
        """BM25 of the given passages (0 when nothing matches)."""

    @abstractmethod
    def dense_top(self, vector: np.ndarray, group: str, filters: Filters, n: int) -> list[Hit]:
        """Best ``n`` passages of one language group by cosine to ``vector`` (unit length)."""

    @abstractmethod
    def dense_scores(self, vector: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
        """Cosine of the given passages to ``vector``."""

    @abstractmethod
    def centroids(self) -> Centroids: ...

    # -- batched forms (a backend with per-request latency overrides these) -----
    def candidates(
        self,
        lexical: LexicalQuery | None,
        vector: np.ndarray | None,
        groups: Sequence[str],
        filters: Filters,
        n_lexical: int,
        n_dense: int,
    ) -> tuple[list[Hit], dict[str, list[Hit]]]:
        """Lexical top-N and dense top-N per group in one call."""
        lex = self.lexical_top(lexical, filters, n_lexical) if lexical else []
        dense = {g: self.dense_top(vector, g, filters, n_dense) for g in groups} if vector is not None else {}
        return lex, dense

    def rescore(
        self,
        lexical: LexicalQuery | None,
        lexical_keys: Sequence[str],
        vector: np.ndarray | None,
        dense_keys: Sequence[str],
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Exact lexical scores of some passages and dense scores of others, in one call."""
        lex = self.lexical_scores(lexical, lexical_keys) if lexical and lexical_keys else {}
        dense = self.dense_scores(vector, dense_keys) if vector is not None and dense_keys else {}
        return lex, dense

    @abstractmethod
    def passages(self, keys: Sequence[str]) -> dict[str, StoredPassage]: ...

    def page(
        self, talent_ids: Sequence[str], passage_keys: Sequence[str]
    ) -> tuple[dict[str, TalentRecord], dict[str, StoredPassage]]:
        """What a result page shows, in one call: the talents' records and their evidence passages."""
        return self.talents(talent_ids), self.passages(passage_keys)

    @abstractmethod
    def all_passages(self, batch: int = 5000) -> Iterator[list[PassageRecord]]:
        """Every live passage with its stored vector, in batches of about ``batch``.

        For analyses over the whole pool (the capability map clusters these
        vectors): reading what the index already holds costs a scan, where
        re-embedding every passage would cost an hour at 10k talents.
        """

    @abstractmethod
    def talent_passages(self, talent_id: str) -> list[StoredPassage]: ...

    @abstractmethod
    def talents(self, talent_ids: Sequence[str]) -> dict[str, TalentRecord]: ...

    @abstractmethod
    def browse(self, filters: Filters, offset: int, limit: int) -> tuple[list[str], int]:
        """Talent ids matching ``filters`` in ``sort_key`` order, and their total."""

    @abstractmethod
    def facet_counts(self, filters: Filters) -> dict[str, dict[str, int]]:
        """Exact facet counts over every talent matching ``filters``."""

    def facets_for(self, talent_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Exact facet counts over the given talents (a search's result set)."""
        from indexer.retrieval.facets import count_facets

        return count_facets(self.talents(talent_ids).values())


class RebuildSession(ABC):
    """A generation being built next to the live one."""

    @abstractmethod
    def add(self, talents: Sequence[TalentRecord], passages: Sequence[PassageRecord]) -> None: ...

    @abstractmethod
    def commit(self) -> None:
        """Make the new generation live atomically."""

    @abstractmethod
    def abort(self) -> None: ...
