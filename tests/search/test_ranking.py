"""Shared ranking pieces: centring, fusion, aggregation, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.backends.base import Centroids, Hit
from indexer.bench.metrics import evaluate, ndcg_at, recall_at, reciprocal_rank
from indexer.retrieval.aggregate import aggregate
from indexer.retrieval.candidates import CandidateSet
from indexer.retrieval.dense import center_query
from indexer.retrieval.fusion import fuse_calibrated, fuse_rrf
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


def cands_of(rows) -> CandidateSet:
    """rows: (key, talent, share, lexical, dense or None, retrieved_by_dense)."""
    cs = CandidateSet()
    for key, talent, share, lexical, dense, retrieved in rows:
        group = "zh" if share > 0.5 else "en"
        if lexical:
            cs.add_lexical([Hit(key, talent, group, share, lexical)])
        if dense is not None and retrieved:
            cs.add_dense([Hit(key, talent, group, share, dense)], {}, 0.0)
        elif not lexical:
            cs.add_lexical([Hit(key, talent, group, share, 0.0)])
    cs.freeze()
    for i, (_, _, _, _, dense, retrieved) in enumerate(rows):
        if dense is not None and not retrieved:
            cs.dense[i] = dense
    return cs


def test_calibrated_fusion_does_not_penalise_invisible_lexical_evidence():
    # Chinese query: an English passage cannot share words with it, so its missing lexical
    # score must not count against it; a Chinese passage without the words is penalised.
    cs = cands_of(
        [
            ("a", "t1", 0.0, 0.0, 0.8, True),
            ("b", "t2", 1.0, 0.0, 0.8, True),
            ("c", "t3", 1.0, 10.0, 0.8, True),
        ]
    )
    fuse_calibrated(cs, query_share=1.0, mode="hybrid", params=DEFAULT_PARAMS)
    en, zh_no_words, zh_words = cs.fused
    assert zh_words == pytest.approx(1.0)
    assert en == pytest.approx(1.0)
    assert zh_no_words == pytest.approx(1.0 - DEFAULT_PARAMS.lexical_weight)


def test_modes_use_one_signal_each():
    cs = cands_of([("a", "t1", 1.0, 2.0, 0.1, True), ("b", "t2", 1.0, 1.0, 0.4, True)])
    fuse_calibrated(cs, 1.0, "lexical", DEFAULT_PARAMS)
    assert cs.fused.tolist() == [1.0, 0.5]
    fuse_calibrated(cs, 1.0, "dense", DEFAULT_PARAMS)
    assert cs.fused.tolist() == [pytest.approx(0.25), 1.0]


def test_rrf_rewards_agreement():
    cs = cands_of(
        [
            ("a", "t1", 1.0, 3.0, 0.9, True),
            ("b", "t2", 1.0, 5.0, 0.1, False),
            ("c", "t3", 1.0, 0.0, 0.95, True),
        ]
    )
    fuse_rrf(cs, "hybrid", DEFAULT_PARAMS)
    a, b, c = cs.fused
    assert a > b and a > c
    assert [cs.matched_by(i) for i in range(3)] == ["both", "lexical", "dense"]


def test_aggregation_prefers_several_strong_passages_over_one():
    rows = [
        (str(i), t, 1.0, 1.0, None, False)
        for i, t in enumerate(["many", "many", "many", "one", "weak", "weak"])
    ]
    cs = cands_of(rows)
    cs.fused = np.array([0.9, 0.85, 0.8, 0.92, 0.9, 0.2])
    agg = aggregate(cs, DEFAULT_PARAMS)
    scores = dict(zip(agg.talents, agg.scores, strict=True))
    assert scores["many"] > scores["one"]
    assert scores["weak"] == pytest.approx(0.9)  # a passage below the floor adds nothing
    many = agg.talents.index("many")
    assert cs.fused[agg.passages(many)].tolist() == [0.9, 0.85, 0.8]  # best first
    assert [agg.talents[t] for t in agg.ranked()] == ["many", "one", "weak"]


def test_metrics_follow_the_documented_conventions():
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], grades) < ndcg_at(["a", "x"], grades)
    assert recall_at(["c", "x"], grades) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c", "b"], grades) == pytest.approx(0.5)  # first grade >= 2
    figures = evaluate({"q": ["a"]}, {"q": grades})
    assert figures["queries"] == 1 and 0 < figures["ndcg@10"] < 1
