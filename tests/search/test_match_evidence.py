"""Match evidence per talent: a property of the talent's own passages only.

That is what makes match levels stable under filters (a filter removes other
talents' passages from the candidate set, never the talent's own) and equal
on both backends (which return the same component scores). Generated
candidate sets check it, and that strong extra passages count while weak
ones add nothing, as in the ranking's aggregation.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.backends.base import Hit, LexicalQuery
from indexer.retrieval.aggregate import aggregate
from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.match import classify, talent_evidence
from indexer.retrieval.params import DEFAULT_PARAMS

QUERY = LexicalQuery(("无人机", "物流"), ("无人", "人机", "物流"))
passage = st.tuples(st.integers(0, 5), st.floats(0, 12), st.floats(-0.2, 0.4))


def _evidence(rows: list[tuple[int, float, float]]) -> dict[str, float]:
    cands = CandidateSet()
    cands.add_lexical(Hit(f"p{i}", f"t{t}", "zh", 1.0, lex) for i, (t, lex, _) in enumerate(rows))
    cands.freeze()
    cands.dense = np.array([d for _, _, d in rows])
    cands.fused = cands.dense + cands.lexical / 20  # any ranking: evidence must not depend on it
    talents = aggregate(cands, DEFAULT_PARAMS)
    return dict(zip(talents.talents, talent_evidence(talents, cands, QUERY, DEFAULT_PARAMS).tolist(), strict=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(passage, min_size=1, max_size=40), st.lists(passage, max_size=40))
def test_a_talents_evidence_ignores_everyone_elses_passages(own: list, others: list) -> None:
    own = [(0, lex, d) for _, lex, d in own]
    others = [(t + 1, lex, d) for t, lex, d in others]
    alone = _evidence(own)["t0"]
    assert np.isclose(_evidence(own + others)["t0"], alone)
    assert np.isclose(_evidence(others + own)["t0"], alone)


@settings(max_examples=200, deadline=None)
@given(st.lists(passage, min_size=1, max_size=20), st.floats(-0.2, 0.4))
def test_a_further_passage_never_lowers_a_talents_evidence(own: list, dense: float) -> None:
    own = [(0, lex, d) for _, lex, d in own]
    assert _evidence([*own, (0, 0.0, dense)])["t0"] >= _evidence(own)["t0"] - 1e-12


def test_a_query_without_terms_matches_nobody_well() -> None:
    cands = CandidateSet()
    cands.add_lexical([Hit("p0", "t0", "zh", 1.0, 0.0)])
    cands.freeze()
    cands.dense = np.array([0.9])
    cands.fused = cands.dense.copy()
    talents = aggregate(cands, DEFAULT_PARAMS)
    assert classify(talents, cands, LexicalQuery((), ()), DEFAULT_PARAMS) == ["weak"]
    assert classify(talents, cands, QUERY, DEFAULT_PARAMS) == ["strong"]
