"""Match strength: how well each expert fits the need, on an absolute scale.

The ranking score (``fusion``) divides every list by its best score, so the
top expert always scores 1 — for keyboard noise as for a perfect need, and
differently under every filter. It orders experts but cannot say whether
any of them fits. Match strength is read from the components *before* that
scaling, which mean the same for every query and filter:

* the centred dense similarity (``dense.py``): the language component is
  removed, so 0 is "unrelated" for Chinese and English passages alike;
* lexical evidence as BM25 per weighted query term: the raw BM25 sum grows
  with the length of the query, its share per term does not.

A passage's evidence is ``dense + lexical_weight × BM25 / query terms``; a
talent's is aggregated like its ranking score (best passage plus a damped
bonus for further strong ones). Two thresholds turn it into ``strong``,
``partial`` or ``weak``. They were set on the judged sets (``shared/eval/dev``,
``tests/data/demo_eval``) together with needs nobody in those corpora serves
(``tests/data/no_answer``): ``partial`` sits just above what keyboard noise
and punctuation reach, ``strong`` above every no-answer need;
``python -m indexer.bench quality`` prints the resulting figures.

Classification happens here, after scoring and before paging, so both
backends (which return the same component scores) label alike, and the
labels of a talent do not depend on the filters or the page.
"""

from __future__ import annotations

import numpy as np

from indexer.backends.base import Hit, LexicalQuery
from indexer.models import MatchLevel
from indexer.retrieval.aggregate import TalentScores
from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.dense import DenseQuery
from indexer.retrieval.params import RankingParams

#: Best first: the order of the tiers in a result list.
LEVELS: tuple[MatchLevel, ...] = ("strong", "partial", "weak")
#: Levels counted as "matches well" (the result count, facets, the page's main list).
GOOD_LEVELS: frozenset[str] = frozenset({"strong", "partial"})


def query_weight(lexq: LexicalQuery) -> float:
    """Weighted number of query terms: the most BM25 "slots" a passage can fill."""
    words = sum(lexq.word_weight(w) for w in lexq.words)
    return words + lexq.gram_weight * len(lexq.grams)


def passage_evidence(cands: CandidateSet, lexq: LexicalQuery, params: RankingParams) -> np.ndarray:
    """Absolute evidence per candidate passage (see the module docstring)."""
    dense = np.nan_to_num(cands.dense, nan=0.0)
    terms = query_weight(lexq)
    if terms <= 0:
        return dense
    return dense + params.match_lexical_weight * cands.lexical / terms


def talent_evidence(
    talents: TalentScores, cands: CandidateSet, lexq: LexicalQuery, params: RankingParams
) -> np.ndarray:
    """Per talent: best passage evidence plus the ranking's damped bonus for further strong ones.

    Vectorised like ``aggregate``: passages sorted by (talent, evidence descending).
    """
    n = len(talents.talents)
    if n == 0:
        return np.zeros(0)
    per_passage = passage_evidence(cands, lexq, params)
    sizes = np.diff(np.r_[talents.starts, talents.order.shape[0]])
    talent_of = np.empty(len(cands), dtype=np.int64)
    talent_of[talents.order] = np.repeat(np.arange(n), sizes)
    order = np.lexsort((-per_passage, talent_of))
    grouped = talent_of[order]
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    rank = np.arange(order.shape[0]) - starts[grouped]
    values = per_passage[order]
    best = values[starts]
    floor = params.agg_floor * np.maximum(best, 0.0)[grouped]
    extra = np.where(rank >= 1, params.agg_decay ** np.maximum(rank - 1, 0) * np.maximum(0.0, values - floor), 0.0)
    scores: np.ndarray = best + params.agg_alpha * np.bincount(grouped, weights=extra, minlength=n)
    return scores


def level(evidence: float, params: RankingParams) -> MatchLevel:
    if evidence >= params.match_strong:
        return "strong"
    if evidence >= params.match_partial:
        return "partial"
    return "weak"


def classify(
    talents: TalentScores, cands: CandidateSet, lexq: LexicalQuery, params: RankingParams
) -> list[MatchLevel]:
    """Match level per talent position.

    A query without a single analysable term (punctuation, symbols) names no
    topic, so nothing matches it well, whatever its embedding lands near.
    """
    if not lexq:
        return ["weak"] * len(talents.talents)
    return [level(float(e), params) for e in talent_evidence(talents, cands, lexq, params)]


def tiered(ranked: list[int], levels: list[MatchLevel]) -> list[int]:
    """Good matches (strong and partial, in ranking order) first, then the weak ones."""
    good = [t for t in ranked if levels[t] in GOOD_LEVELS]
    weak = [t for t in ranked if levels[t] not in GOOD_LEVELS]
    return good + weak


#: Candidate pools grow (×4) until no unseen passage could be a good match, up to this size per list.
POOL_CAP = 1000


def unseen_bound(
    lexical: list[Hit],
    dense: dict[str, list[Hit]],
    n_lexical: int,
    n_dense: int,
    dq: DenseQuery | None,
    terms: float,
    params: RankingParams,
) -> float | None:
    """Highest evidence a passage outside the fetched lists could have; ``None`` when
    every passage passing the filters was fetched.

    The lists are top-N: a passage missing from a full list scores at most the
    list's last hit there. A good match missed by the unfiltered pools but found
    by a filtered search would make a facet count differ from its click, so the
    pools grow while this bound reaches ``match_partial`` (``Searcher``).
    """
    saturated = [
        min(h.score for h in hits) - (dq.offsets.get(group, dq.default_offset) if dq is not None else 0.0)
        for group, hits in dense.items()
        if len(hits) >= n_dense
    ]
    dense_exhausted = dq is not None and not saturated
    lexical_full = len(lexical) >= n_lexical
    if dense_exhausted:
        return None
    lex_last = min(h.score for h in lexical) if lexical_full and lexical else 0.0
    dense_last = max(saturated) if saturated else 0.0
    return dense_last + (params.match_lexical_weight * lex_last / terms if terms > 0 else 0.0)
