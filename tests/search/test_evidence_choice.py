"""A result quotes a passage holding the query's words whenever one matched them.

Two-server runs with the hashing embedder found a talent whose only passage with
the query's word fused below zero (a mixed-language passage is weighted mostly by
its dense score): the result showed unrelated passages as its evidence.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from indexer.retrieval.searcher import _Run

scores = st.lists(st.tuples(st.floats(-5, 5), st.sampled_from([0.0, 0.0, 0.3, 2.2])), min_size=1, max_size=12)


def _evidence(pairs: list[tuple[float, float]], n: int) -> tuple[list[int], np.ndarray, np.ndarray]:
    fused = np.array([f for f, _ in pairs])
    lexical = np.array([lex for _, lex in pairs])
    idx = np.argsort(-fused, kind="stable")  # a talent's passages, best fused first (as aggregate orders them)
    searcher = SimpleNamespace(params=SimpleNamespace(evidence_per_result=n))
    return _Run._evidence_of(searcher, idx, SimpleNamespace(fused=fused, lexical=lexical)), fused, lexical  # type: ignore[arg-type]


@given(scores, st.integers(1, 4))
def test_evidence_holds_the_query_words_when_a_passage_matched_them(pairs: list[tuple[float, float]], n: int) -> None:
    picked, fused, lexical = _evidence(pairs, n)
    assert 1 <= len(picked) <= n and len(set(picked)) == len(picked)
    if (lexical > 0).any():
        assert any(lexical[i] > 0 for i in picked)
    positive = [i for i in picked if fused[i] > 0]
    assert positive == sorted(positive, key=lambda i: -fused[i])[: len(positive)]


def test_a_worded_passage_below_zero_replaces_the_last_unworded_one() -> None:
    picked, _, _ = _evidence([(0.9, 0.0), (0.8, 0.0), (0.7, 0.0), (-0.4, 2.2)], 3)
    assert picked == [0, 1, 3]


def test_nothing_changes_when_the_best_passages_already_hold_the_words() -> None:
    picked, _, _ = _evidence([(0.9, 2.2), (0.8, 0.0), (0.7, 0.0), (-0.4, 0.3)], 3)
    assert picked == [0, 1, 2]
