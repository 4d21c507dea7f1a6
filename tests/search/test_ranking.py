"""Shared ranking pieces: centring, fusion, aggregation, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.backends.base import Centroids
from indexer.bench.metrics import evaluate, ndcg_at, recall_at, reciprocal_rank
from indexer.retrieval.aggregate import aggregate
from indexer.retrieval.dense import center_query
from indexer.retrieval.fusion import Candidate, assign_ranks, fuse_calibrated, fuse_rrf
from indexer.retrieval.params import DEFAULT_PARAMS


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def test_centring_removes_the_language_component():
    # Two languages share a topic axis (x) but each carries its own language direction (y / z).
    zh_passages = [unit([t, 1, 0]) for t in (-0.2, 0.0, 0.2)]
    en_passages = [unit([t, 0, 1]) for t in (-0.2, 0.0, 0.2)]
    centroids = Centroids(
        sums={"zh": np.sum(zh_passages, axis=0), "en": np.sum(en_passages, axis=0)}, counts={"zh": 3, "en": 3}
    )
    query = unit([1.0, 1, 0])  # Chinese query about topic x
    dq = center_query(query, "zh", centroids, prior=0.0)
    on_topic_en = unit([0.9, 0, 1])
    off_topic_zh = unit([0.0, 1, 0])
    raw = (on_topic_en @ query, off_topic_zh @ query)
    centred = (
        dq.score(float(on_topic_en @ dq.unit), "en"),
        dq.score(float(off_topic_zh @ dq.unit), "zh"),
    )
    assert raw[0] < raw[1]  # raw cosine prefers the same language ...
    assert centred[0] > centred[1]  # ... centring prefers the topic


def test_empty_index_leaves_the_query_alone():
    dq = center_query(unit([1, 2, 3]), "zh", Centroids({}, {}), prior=10.0)
    assert np.allclose(dq.unit, unit([1, 2, 3]))
    assert dq.score(0.5, "en") == 0.5


def cand(key, talent, share, lexical=0.0, dense=None, retrieved=True) -> Candidate:
    c = Candidate(key, talent, "zh" if share > 0.5 else "en", share, lexical=lexical, dense=dense)
    c.dense_rank = 0 if retrieved and dense is not None else None
    return c


def test_calibrated_fusion_does_not_penalise_invisible_lexical_evidence():
    # Chinese query: an English passage cannot share words with it, so its missing lexical
    # score must not count against it; a Chinese passage without the words is penalised.
    en = cand("a", "t1", 0.0, lexical=0.0, dense=0.8)
    zh_no_words = cand("b", "t2", 1.0, lexical=0.0, dense=0.8)
    zh_words = cand("c", "t3", 1.0, lexical=10.0, dense=0.8)
    fuse_calibrated([en, zh_no_words, zh_words], query_share=1.0, mode="hybrid", params=DEFAULT_PARAMS)
    assert zh_words.fused == pytest.approx(1.0)
    assert en.fused == pytest.approx(1.0)
    assert zh_no_words.fused == pytest.approx(1.0 - DEFAULT_PARAMS.lexical_weight)


def test_modes_use_one_signal_each():
    a, b = cand("a", "t1", 1.0, lexical=2.0, dense=0.1), cand("b", "t2", 1.0, lexical=1.0, dense=0.4)
    fuse_calibrated([a, b], 1.0, "lexical", DEFAULT_PARAMS)
    assert (a.fused, b.fused) == (1.0, 0.5)
    fuse_calibrated([a, b], 1.0, "dense", DEFAULT_PARAMS)
    assert (a.fused, b.fused) == (pytest.approx(0.25), 1.0)


def test_rrf_rewards_agreement():
    a = cand("a", "t1", 1.0, lexical=3.0, dense=0.9)
    b = cand("b", "t2", 1.0, lexical=5.0, dense=0.1, retrieved=False)
    c = cand("c", "t3", 1.0, lexical=0.0, dense=0.95)
    cands = [a, b, c]
    assign_ranks(cands)
    fuse_rrf(cands, "hybrid", DEFAULT_PARAMS)
    assert a.fused > b.fused and a.fused > c.fused
    assert (a.matched_by, b.matched_by, c.matched_by) == ("both", "lexical", "dense")


def test_aggregation_prefers_several_strong_passages_over_one():
    cands = [cand("1", "many", 1.0), cand("2", "many", 1.0), cand("3", "many", 1.0), cand("4", "one", 1.0)]
    for c, score in zip(cands, (0.9, 0.85, 0.8, 0.92), strict=True):
        c.fused = score
    weak_tail = [cand("5", "weak", 1.0), cand("6", "weak", 1.0)]
    weak_tail[0].fused, weak_tail[1].fused = 0.9, 0.2
    scores = aggregate(cands + weak_tail, DEFAULT_PARAMS)
    assert scores["many"] > scores["one"]
    assert scores["weak"] == pytest.approx(0.9)  # a passage below the floor adds nothing


def test_metrics_follow_the_documented_conventions():
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], grades) < ndcg_at(["a", "x"], grades)
    assert recall_at(["c", "x"], grades) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c", "b"], grades) == pytest.approx(0.5)  # first grade >= 2
    figures = evaluate({"q": ["a"]}, {"q": grades})
    assert figures["queries"] == 1 and 0 < figures["ndcg@10"] < 1
