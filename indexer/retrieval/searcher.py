"""The search pipeline, independent of the backend.

query text → analysed terms + centred query vector → candidate passages from
the backend (lexical top-N, dense top-N per language group) → missing scores
filled in exactly → fusion per passage → aggregation per talent → result set,
facets, page → evidence with highlights.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import cast

import numpy as np

from indexer.analysis import Analyzer, cjk_share, language_group, normalize_text
from indexer.backends.base import Backend, Filters, Hit, LexicalQuery, TalentRecord
from indexer.embedding import Embedder
from indexer.models import Evidence, EvidenceKind, MatchLevel, SearchQuery, SearchResponse, SearchResult
from indexer.retrieval.aggregate import TalentScores, aggregate
from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.dense import DenseQuery, center_query
from indexer.retrieval.fusion import fuse_calibrated, fuse_rrf
from indexer.retrieval.highlight import highlight
from indexer.retrieval.match import GOOD_LEVELS, POOL_CAP, classify, query_weight, tiered, unseen_bound
from indexer.retrieval.params import DEFAULT_PARAMS, MAX_QUERY_CHARS, MAX_QUERY_TERMS, RankingParams

#: Up to this many excluded talents are dropped after ranking rather than filtered in the backend.
DROP_AFTER_MAX = 3


def clean_query(text: str) -> str:
    """Plain, bounded query text: never interpreted, only analysed and embedded."""
    return " ".join(normalize_text(text or "")[:MAX_QUERY_CHARS].split())


def filters_of(q: SearchQuery, exclude: Sequence[str] = ()) -> Filters:
    return Filters(q.categories, q.fields, q.available, q.languages, tuple(exclude))


class Searcher:
    """Runs queries against one backend with one embedder and analyzer."""

    def __init__(
        self, backend: Backend, embedder: Embedder, analyzer: Analyzer, params: RankingParams = DEFAULT_PARAMS
    ) -> None:
        self.backend = backend
        self.embedder = embedder
        self.analyzer = analyzer
        self.params = params

    def search(
        self, q: SearchQuery, exclude: Sequence[str] = (), vector: np.ndarray | None = None
    ) -> SearchResponse:
        """Run one query against a single, consistent view of the index.

        ``vector`` replaces the embedding of ``q.text`` (similar experts start
        from vectors already computed for the index).
        """
        view = self.backend.reader()
        run = _Run(self, view, vector)
        try:
            response = run.search(q, exclude)
        finally:
            view.release()
        # Each search times into its own dict (concurrent web threads never share one).
        return replace(response, timing=run.timing)


class _Run:
    """One query execution pinned to one backend view (one generation)."""

    def __init__(self, searcher: Searcher, backend: Backend, vector: np.ndarray | None = None) -> None:
        self.backend = backend
        self.vector = vector
        self.embedder = searcher.embedder
        self.analyzer = searcher.analyzer
        self.params = searcher.params
        self.timing: dict[str, float] = {}

    def search(self, q: SearchQuery, exclude: Sequence[str] = ()) -> SearchResponse:
        started = time.perf_counter()
        text = clean_query(q.text)
        if not text:
            return self._browse(q, filters_of(q, exclude), started)
        # A few excluded talents (similar experts leave out the talent itself) are dropped
        # from the ranking afterwards: as a filter, each distinct exclusion compiled a fresh
        # passage mask and sent every vector group down the slower filtered path.
        dropped = frozenset(exclude) if len(exclude) <= DROP_AFTER_MAX else frozenset()
        filters = filters_of(q, () if dropped else exclude)
        clock = _Clock(self.timing)
        # Analysed in every mode: match strength needs the query's terms even when
        # the dense list alone ranks.
        analysed = self._lexical_query(text)
        lexq = analysed if q.mode != "dense" else LexicalQuery((), ())
        clock.lap("analyze_ms")
        lex_hits = None
        if q.mode == "lexical":
            dq = None
        elif self.vector is not None or self.embedder.remembers_query(text):
            # No model call (similar experts bring their vector; repeated queries are remembered):
            # nothing to overlap, and handing it to the embedding thread cost a thread hop and
            # two GIL hand-overs per search.
            dq = self._dense_query(text)
        elif q.mode == "hybrid" and lexq and self.embedder.threads == 1:
            # A one-thread embedding runs in C without the GIL: score the lexical list meanwhile.
            # With more threads the embedding has the cores to itself: overlapped, the two
            # slowed each other down (alternating runs at 100k talents: p95 68–85 ms overlapped,
            # 61–68 ms one after the other).
            pending = _embedding_pool().submit(self._dense_query, text)
            lex_hits = self.backend.lexical_top(lexq, filters, self.params.lexical_pool)
            dq = pending.result()
        else:
            dq = _embedding_pool().submit(self._dense_query, text).result()
        clock.lap("query_ms")
        cands = self._candidates(lexq, dq, filters, q.mode, lex_hits, analysed)
        clock.lap("candidates_ms")
        if self.params.fusion == "rrf":
            fuse_rrf(cands, q.mode, self.params)
        else:
            fuse_calibrated(cands, cjk_share(text), q.mode, self.params)
        talents = aggregate(cands, self.params)
        levels = classify(talents, cands, analysed, self.params)
        ranked = tiered(self._result_set(talents, q.mode, levels, dropped), levels)
        matched = sum(1 for t in ranked if levels[t] in GOOD_LEVELS)
        clock.lap("rank_ms")
        page = ranked[q.offset : q.offset + q.limit]
        results = self._results(page, talents, cands, lexq, levels)
        clock.lap("evidence_ms")
        # Facets count the good matches: the set the user is told about, and the set a
        # filter click narrows (levels are absolute, so a filter keeps a talent's level).
        good = [talents.talents[t] for t in ranked[:matched]]
        facets = self.backend.facets_for(good) if q.with_facets else {}
        clock.lap("facets_ms")
        return SearchResponse(results, len(ranked), facets, q.offset, q.limit, _took(started), matched)

    # -- stages ----------------------------------------------------------------
    def _lexical_query(self, text: str) -> LexicalQuery:
        analysis = self.analyzer.query(text)
        return LexicalQuery(
            tuple(analysis.words[:MAX_QUERY_TERMS]),
            tuple(analysis.grams[:MAX_QUERY_TERMS]),
            self.params.gram_weight,
            analysis.folded,
        )

    def _dense_query(self, text: str) -> DenseQuery:
        t0 = time.perf_counter()
        vector = self.embedder.embed_query(text) if self.vector is None else self.vector
        self.timing["embed_ms"] = (time.perf_counter() - t0) * 1000
        group = language_group(cjk_share(text))
        return center_query(
            vector, group, self.backend.centroids(), self.params.centroid_prior, self.params.center_dense
        )

    def _candidates(
        self,
        lexq: LexicalQuery,
        dq: DenseQuery | None,
        filters: Filters,
        mode: str,
        lex_hits: list[Hit] | None = None,
        analysed: LexicalQuery | None = None,
    ) -> CandidateSet:
        """Candidate passages from both lists (``lex_hits`` when the lexical list is already known).

        The pools grow while a passage outside them could still be a good match
        (``match.unseen_bound``), so the good matches of a search are complete
        whatever the filters: a facet's count is what its click returns.
        """
        cands = CandidateSet()
        unit = dq.unit if dq is not None else None
        groups = list(dq.offsets) if dq is not None else []

        def fetch(lexical: bool, n_lex: int, n_dense: int) -> tuple[list[Hit], dict[str, list[Hit]]]:
            lexical_query = lexq if lexical and lexq else None
            return self.backend.candidates(lexical_query, unit, groups, filters, n_lex, n_dense)

        n_lex, n_dense = self.params.lexical_pool, self.params.dense_pool
        fetched_lex, dense_hits = fetch(lex_hits is None, n_lex, n_dense)
        terms = query_weight(analysed) if analysed else 0.0
        while analysed and (n_lex < POOL_CAP or n_dense < POOL_CAP):
            seen_lex = lex_hits if lex_hits is not None else fetched_lex
            bound = unseen_bound(
                seen_lex if lexq else [], dense_hits, n_lex if lexq else 1, n_dense, dq, terms, self.params
            )
            if bound is None or bound < self.params.match_partial:
                break
            n_lex, n_dense = min(POOL_CAP, n_lex * 4), min(POOL_CAP, n_dense * 4)
            lex_hits = None
            fetched_lex, dense_hits = fetch(True, n_lex, n_dense)
        t0 = time.perf_counter()
        cands.add_lexical(lex_hits if lex_hits is not None else fetched_lex)
        if dq is not None:
            for hits in dense_hits.values():
                cands.add_dense(hits, dq.offsets, dq.default_offset)
        cands.freeze()
        self.timing["collect_ms"] = (time.perf_counter() - t0) * 1000
        if mode == "hybrid" and len(cands):
            # Exact scores for passages only one list returned, so fusion compares like with like.
            lex, dense = self.backend.rescore(
                lexq if lexq else None,
                cands.missing_lexical() if lexq else [],
                dq.unit if dq is not None else None,
                cands.missing_dense() if dq is not None else [],
            )
            cands.set_lexical(lex)
            if dq is not None:
                cands.set_dense(dense, dq.offsets, dq.default_offset)
            self.timing["rescore_ms"] = (time.perf_counter() - t0) * 1000 - self.timing["collect_ms"]
        return cands

    def _result_set(
        self, talents: TalentScores, mode: str, levels: list[MatchLevel], dropped: frozenset[str] = frozenset()
    ) -> list[int]:
        """Talent positions ordered by score: every good match, and the weak ones
        within the relevance floor of the best score (hybrid/dense) or with any
        lexical score (lexical). The floor is relative to the best, so it only
        trims the weak tail: a good match never depends on who else was found."""
        ranked = [t for t in talents.ranked() if talents.talents[t] not in dropped]
        if not ranked:
            return []
        if mode == "lexical":
            return [t for t in ranked if talents.scores[t] > 0 or levels[t] in GOOD_LEVELS]
        floor = self.params.relevance_floor * max(float(talents.scores[ranked[0]]), 0.0)
        return [t for t in ranked if levels[t] in GOOD_LEVELS or talents.scores[t] >= floor and talents.scores[t] > 0]

    def _evidence_of(self, idx: np.ndarray, cands: CandidateSet) -> list[int]:
        """A talent's evidence: its best passages by fused score, and always one holding the query's words.

        Fusion can rank a passage that contains the query's words below the talent's
        other passages, or below zero: a mixed-language passage is weighted mostly by
        its dense score, which a poor embedding makes negative. The match level reads
        the lexical evidence, so a result must quote it, or "strong" shows unrelated text.
        """
        n = self.params.evidence_per_result
        positive = [int(i) for i in idx if cands.fused[i] > 0][:n]
        worded = [int(i) for i in idx if cands.lexical[i] > 0]
        if worded and not set(worded) & set(positive):
            best = max(worded, key=lambda i: float(cands.lexical[i]))
            positive = [*positive[: n - 1], best]
        return positive or [int(idx[0])]

    def _results(
        self,
        page: list[int],
        talents: TalentScores,
        cands: CandidateSet,
        lexq: LexicalQuery,
        levels: list[MatchLevel],
    ) -> list[SearchResult]:
        picked: dict[int, list[int]] = {}
        for t in page:
            picked[t] = self._evidence_of(talents.passages(t), cands)
        evidence_keys = [cands.keys[i] for items in picked.values() for i in items]
        records, stored = self.backend.page([talents.talents[t] for t in page], evidence_keys)
        words, grams = set(lexq.words), set(lexq.grams)
        results = []
        for t in page:
            talent_id = talents.talents[t]
            record = records.get(talent_id)
            if record is None:  # deleted between retrieval and display
                continue
            evidence = []
            for i in picked[t]:
                passage = stored.get(cands.keys[i])
                if passage is None:
                    continue
                plain, marked = highlight(self.analyzer, passage.text, words, grams)
                evidence.append(
                    Evidence(
                        cast(EvidenceKind, passage.kind),  # what the indexes store (talents', items')
                        passage.ref,
                        plain,
                        marked,
                        round(float(cands.fused[i]), 6),
                        cands.matched_by(i),
                    )
                )
            results.append(_result(record, float(talents.scores[t]), evidence, levels[t]))
        return results

    def _browse(self, q: SearchQuery, filters: Filters, started: float) -> SearchResponse:
        """Empty query: filtered talents in name order, with their profile as evidence."""
        ids, total = self.backend.browse(filters, q.offset, q.limit)
        records = self.backend.talents(ids)
        results = []
        for talent_id in ids:
            if talent_id not in records:
                continue
            profile = [p for p in self.backend.talent_passages(talent_id) if p.kind == "profile"]
            evidence = [
                Evidence("profile", p.ref, *highlight(self.analyzer, p.text, set(), set()), 0.0, "lexical")
                for p in profile[:1]
            ]
            results.append(_result(records[talent_id], 0.0, evidence))
        facets = self.backend.facet_counts(filters) if q.with_facets else {}
        return SearchResponse(results, total, facets, q.offset, q.limit, _took(started), total)


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _embedding_pool() -> ThreadPoolExecutor:
    """The one thread that embeds queries for every search of this process.

    One thread, because an OpenMP engine keeps a thread team per calling
    thread: embeddings from many request threads made many teams, more
    threads than cores, and libgomp then stops spinning between parallel
    regions (a two-thread query took 30 ms instead of 12). The models
    serialise their calls anyway.
    """
    global _POOL
    if _POOL is None:
        with _POOL_LOCK:
            if _POOL is None:
                _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-query-embed")
    return _POOL


class _Clock:
    """Stage timings of one search, recorded into its ``SearchResponse.timing``."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = (now - self.last) * 1000
        self.last = now


def _took(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _result(
    t: TalentRecord, score: float, evidence: list[Evidence], match: MatchLevel | None = None
) -> SearchResult:
    return SearchResult(
        talent_id=t.talent_id,
        score=round(score, 6),
        name=t.name,
        name_en=t.name_en,
        category=t.category,
        fields=t.fields,
        title=t.title,
        organization=t.organization,
        available=t.available,
        evidence=evidence,
        match=match,
    )


__all__ = ["Searcher", "clean_query", "filters_of"]
