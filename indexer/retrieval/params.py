"""Ranking constants shared by both backends (so they rank identically).

Values were chosen on the development set with round numbers and kept when a
neighbourhood of values performed about the same; see ``indexer.bench``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: BM25 parameters (Lucene/Elasticsearch defaults, set explicitly on ES too).
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class RankingParams:
    """Knobs of fusion and aggregation; the defaults are the production setting."""

    #: Weight of the CJK-bigram field relative to the word field in BM25.
    gram_weight: float = 0.5
    #: ``calibrated`` (visibility-weighted score combination) or ``rrf``.
    fusion: str = "calibrated"
    #: Lexical share of the calibrated combination where lexical evidence is fully visible.
    lexical_weight: float = 0.3
    #: Reciprocal-rank-fusion constant.
    rrf_k: int = 60
    #: Talent aggregation: best passage + alpha * decaying sum of the next ones above
    #: ``agg_floor`` × best (so several strong passages beat one, weak ones add nothing).
    agg_alpha: float = 0.3
    agg_decay: float = 0.5
    agg_floor: float = 0.5
    #: Candidate pools (passages) per list; dense pools are per language group.
    lexical_pool: int = 100
    dense_pool: int = 60
    #: Result-set cut for hybrid/dense: talents scoring below this share of the best.
    relevance_floor: float = 0.2
    #: Cross-lingual mechanisms (switchable for the ablation rows of the quality benchmark):
    #: language-centred dense scores (dense.py) and visibility-weighted fusion (fusion.py).
    center_dense: bool = True
    visibility_weighting: bool = True
    #: Pseudo-count of zero vectors shrinking small language groups' centroids (see dense.py).
    centroid_prior: float = 10.0
    #: Evidence items per result.
    evidence_per_result: int = 3
    #: Match strength (``match.py``): absolute evidence thresholds of ``strong`` and
    #: ``partial`` and the weight of BM25-per-query-term in that evidence.
    match_strong: float = 0.175
    match_partial: float = 0.125
    match_lexical_weight: float = 0.02


DEFAULT_PARAMS = RankingParams()

#: Queries are plain text; longer input is cut (and never interpreted). Needs are pasted
#: from documents, so every entry point (search box, API, ``kb search``) accepts this many.
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 64
