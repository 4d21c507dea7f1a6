"""The numpy inverted index against a naive reference (segments, merges, BM25)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.backends.embedded.lexicon import FieldIndex
from indexer.retrieval.params import BM25_B, BM25_K1

VOCAB = [f"t{i}" for i in range(12)]
batches = st.lists(
    st.lists(st.lists(st.sampled_from(VOCAB), max_size=8), min_size=1, max_size=6), min_size=1, max_size=5
)


def naive_bm25(docs: dict[int, list[str]], query: list[str]) -> dict[int, float]:
    counted = {pid: terms for pid, terms in docs.items() if terms}
    n = len(counted)
    avgdl = sum(len(t) for t in counted.values()) / n
    out: dict[int, float] = {}
    for term in query:
        df = sum(1 for t in counted.values() if term in t)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for pid, terms in counted.items():
            tf = Counter(terms)[term]
            if tf:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * len(terms) / avgdl)
                out[pid] = out.get(pid, 0.0) + idf * tf / (tf + norm)
    return out


@given(
    batches,
    st.sets(st.integers(0, 40)),
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_segments_and_merge_match_a_naive_index(batch_list, dead, query):
    index = FieldIndex()
    docs: dict[int, list[str]] = {}
    pid = 0
    for batch in batch_list:
        pids = list(range(pid, pid + len(batch)))
        pid += len(batch)
        index.add_batch(pids, batch)
        docs.update(zip(pids, batch, strict=True))
    if not any(docs.values()):
        return
    scores = np.zeros(pid, dtype=np.float32)
    index.score_into(query, scores)
    expected = naive_bm25(docs, query)
    assert np.allclose([scores[p] for p in range(pid)], [expected.get(p, 0.0) for p in range(pid)], atol=1e-4)

    alive = np.ones(pid, dtype=bool)
    alive[[d for d in dead if d < pid]] = False
    index.rebuild(alive)
    live_docs = {p: t for p, t in docs.items() if alive[p]}
    for term in VOCAB:
        got = {int(p): int(f) for pids, tfs in index._postings(term) for p, f in zip(pids, tfs, strict=True)}
        want = {p: c for p, terms in live_docs.items() if (c := Counter(terms)[term])}
        assert got == want
    if any(live_docs.values()):
        scores = np.zeros(pid, dtype=np.float32)
        index.score_into(query, scores)
        expected = naive_bm25(live_docs, query)
        assert np.allclose(
            [scores[p] for p in range(pid)], [expected.get(p, 0.0) for p in range(pid)], atol=1e-4
        )


def test_folding_many_small_deltas_keeps_postings_and_statistics():
    index = FieldIndex()
    docs = {p: [VOCAB[p % 5], VOCAB[(p * 7) % 12]] for p in range(100)}
    for p, terms in docs.items():
        index.add_batch([p], [terms])  # one talent per write, as web edits do
    before = (index.doc_count, index.total_length)
    scores = np.zeros(100, dtype=np.float32)
    index.score_into(VOCAB[:3], scores)
    index.merge_deltas()
    assert len(index.deltas) == 1 and (index.doc_count, index.total_length) == before
    again = np.zeros(100, dtype=np.float32)
    index.score_into(VOCAB[:3], again)
    assert np.allclose(scores, again)


@given(
    batches,
    st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4, unique=True),
    st.lists(st.integers(0, 40), max_size=12),
)
@settings(max_examples=60, deadline=None)
def test_scores_of_chosen_passages_equal_the_full_pass(batch_list, query, chosen):
    index = FieldIndex()
    pid = 0
    for batch in batch_list:
        index.add_batch(list(range(pid, pid + len(batch))), batch)
        pid += len(batch)
    full = np.zeros(41, dtype=np.float32)
    index.score_into(query, full)
    chosen_pids = np.asarray([c for c in chosen if c < pid], dtype=np.int64)
    assert np.allclose(index.scores_of(query, chosen_pids), full[chosen_pids], atol=1e-5)
