"""The search pipeline, independent of the backend.

query text → analysed terms + centred query vector → candidate passages from
the backend (lexical top-N, dense top-N per language group) → missing scores
filled in exactly → fusion per passage → aggregation per talent → result set,
facets, page → evidence with highlights.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from indexer.analysis import Analyzer, cjk_share, language_group, normalize_text
from indexer.backends.base import Backend, Filters, Hit, LexicalQuery
from indexer.embedding import Embedder
from indexer.models import Evidence, SearchQuery, SearchResponse, SearchResult
from indexer.retrieval.aggregate import aggregate, passages_by_talent
from indexer.retrieval.dense import DenseQuery, center_query
from indexer.retrieval.facets import count_facets
from indexer.retrieval.fusion import Candidate, assign_ranks, fuse_calibrated, fuse_rrf
from indexer.retrieval.highlight import highlight
from indexer.retrieval.params import DEFAULT_PARAMS, MAX_QUERY_CHARS, MAX_QUERY_TERMS, RankingParams


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
        #: Wall-clock split of the last search (embedding vs the rest), for benchmarks.
        self.last_timing: dict[str, float] = {}

    def search(self, q: SearchQuery, exclude: Sequence[str] = ()) -> SearchResponse:
        """Run one query against a single, consistent view of the index."""
        view = self.backend.reader()
        try:
            return _Run(self, view).search(q, exclude)
        finally:
            view.release()


class _Run:
    """One query execution pinned to one backend view (one generation)."""

    def __init__(self, searcher: Searcher, backend: Backend) -> None:
        self.backend = backend
        self.embedder = searcher.embedder
        self.analyzer = searcher.analyzer
        self.params = searcher.params
        self.last_timing = searcher.last_timing

    def search(self, q: SearchQuery, exclude: Sequence[str] = ()) -> SearchResponse:
        started = time.perf_counter()
        text = clean_query(q.text)
        filters = filters_of(q, exclude)
        if not text:
            return self._browse(q, filters, started)
        lexq = self._lexical_query(text) if q.mode != "dense" else LexicalQuery((), ())
        dq = self._dense_query(text) if q.mode != "lexical" else None
        cands = self._candidates(lexq, dq, filters, q.mode)
        assign_ranks(cands)
        if self.params.fusion == "rrf":
            fuse_rrf(cands, q.mode, self.params)
        else:
            fuse_calibrated(cands, cjk_share(text), q.mode, self.params)
        talent_scores = aggregate(cands, self.params)
        ranked = self._result_set(talent_scores, q.mode)
        records = self.backend.talents(ranked) if ranked else {}
        ranked = [t for t in ranked if t in records and filters.accepts(records[t])]
        page_ids = ranked[q.offset : q.offset + q.limit]
        per_talent = passages_by_talent(cands)
        results = self._results(page_ids, talent_scores, records, per_talent, lexq)
        facets = count_facets(records[t] for t in ranked) if q.with_facets else {}
        return SearchResponse(results, len(ranked), facets, q.offset, q.limit, self._took(started))

    # -- stages ----------------------------------------------------------------
    def _lexical_query(self, text: str) -> LexicalQuery:
        analysis = self.analyzer.query(text)
        return LexicalQuery(tuple(analysis.words[:MAX_QUERY_TERMS]), tuple(analysis.grams[:MAX_QUERY_TERMS]))

    def _dense_query(self, text: str) -> DenseQuery:
        t0 = time.perf_counter()
        vector = self.embedder.embed_query(text)
        self.last_timing["embed_ms"] = (time.perf_counter() - t0) * 1000
        group = language_group(cjk_share(text))
        return center_query(vector, group, self.backend.centroids(), self.params.centroid_prior)

    def _candidates(
        self, lexq: LexicalQuery, dq: DenseQuery | None, filters: Filters, mode: str
    ) -> list[Candidate]:
        cands: dict[str, Candidate] = {}

        def add(hit: Hit) -> Candidate:
            c = cands.get(hit.key)
            if c is None:
                c = cands[hit.key] = Candidate(hit.key, hit.talent_id, hit.group, hit.cjk_share)
            return c

        lex_hits, dense_hits = self.backend.candidates(
            lexq if lexq else None,
            dq.unit if dq is not None else None,
            list(dq.offsets) if dq is not None else [],
            filters,
            self.params.lexical_pool,
            self.params.dense_pool,
        )
        for hit in lex_hits:
            add(hit).lexical = hit.score
        for hits in dense_hits.values():
            for hit in hits:
                c = add(hit)
                c.dense = dq.score(hit.score, hit.group)  # type: ignore[union-attr]
                c.dense_rank = 0  # marks "retrieved by dense"; real ranks are assigned later
        if mode == "hybrid":
            self._fill_missing(cands, lexq, dq)
        return list(cands.values())

    def _fill_missing(self, cands: dict[str, Candidate], lexq: LexicalQuery, dq: DenseQuery | None) -> None:
        """Exact scores for passages that only one list returned, so fusion compares like with like."""
        lex_keys = (
            [k for k, c in cands.items() if c.dense_rank is not None and c.lexical == 0.0] if lexq else []
        )
        dense_keys = [k for k, c in cands.items() if c.dense is None] if dq is not None else []
        lex, dense = self.backend.rescore(
            lexq if lexq else None, lex_keys, dq.unit if dq is not None else None, dense_keys
        )
        for key, score in lex.items():
            cands[key].lexical = score
        for key, cosine in dense.items():
            cands[key].dense = dq.score(cosine, cands[key].group)  # type: ignore[union-attr]

    def _result_set(self, talent_scores: dict[str, float], mode: str) -> list[str]:
        """Talents ordered by score; hybrid/dense keep those within the relevance floor of the best."""
        ranked = sorted(talent_scores, key=lambda t: (-talent_scores[t], t))
        if not ranked:
            return []
        if mode == "lexical":
            return [t for t in ranked if talent_scores[t] > 0]
        best = talent_scores[ranked[0]]
        if best <= 0:
            return []
        return [t for t in ranked if talent_scores[t] >= self.params.relevance_floor * best]

    def _results(
        self, page_ids, talent_scores, records, per_talent, lexq: LexicalQuery
    ) -> list[SearchResult]:
        picked: dict[str, list[Candidate]] = {}
        for talent_id in page_ids:
            top = [c for c in per_talent.get(talent_id, []) if c.fused > 0][: self.params.evidence_per_result]
            picked[talent_id] = top or per_talent.get(talent_id, [])[:1]
        stored = self.backend.passages([c.key for cs in picked.values() for c in cs])
        words, grams = set(lexq.words), set(lexq.grams)
        results = []
        for talent_id in page_ids:
            evidence = []
            for c in picked[talent_id]:
                passage = stored.get(c.key)
                if passage is None:
                    continue
                plain, marked = highlight(self.analyzer, passage.text, words, grams)
                evidence.append(
                    Evidence(passage.kind, passage.ref, plain, marked, round(c.fused, 6), c.matched_by)
                )
            results.append(_result(records[talent_id], talent_scores[talent_id], evidence))
        return results

    def _browse(self, q: SearchQuery, filters: Filters, started: float) -> SearchResponse:
        """Empty query: filtered talents in name order, with their profile as evidence."""
        ids, total = self.backend.browse(filters, q.offset, q.limit)
        records = self.backend.talents(ids)
        results = []
        for talent_id in ids:
            profile = [p for p in self.backend.talent_passages(talent_id) if p.kind == "profile"]
            evidence = [
                Evidence("profile", p.ref, *highlight(self.analyzer, p.text, set(), set()), 0.0, "lexical")
                for p in profile[:1]
            ]
            results.append(_result(records[talent_id], 0.0, evidence))
        facets = self.backend.facet_counts(filters) if q.with_facets else {}
        return SearchResponse(results, total, facets, q.offset, q.limit, self._took(started))

    @staticmethod
    def _took(started: float) -> float:
        return round((time.perf_counter() - started) * 1000, 3)


def _result(t, score: float, evidence: list[Evidence]) -> SearchResult:
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
    )
