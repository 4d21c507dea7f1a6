"""The clustering and labelling building blocks: deterministic k-means, c-TF-IDF term choice."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.capability.kmeans import kmeans
from kb.capability.terms import ctfidf, en_terms, zh_terms


def _blobs(seed: int, k: int, per: int, dim: int = 16) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:k] * 5
    truth = np.repeat(np.arange(k), per)
    return centres[truth] + rng.normal(0, 0.3, (k * per, dim)), truth


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 6), per=st.integers(3, 12))
def test_kmeans_finds_separated_groups_and_repeats_itself(seed: int, k: int, per: int) -> None:
    x, truth = _blobs(seed, k, per)
    labels, centroids = kmeans(x, k, seed=seed)
    again, _ = kmeans(x, k, seed=seed)
    assert np.array_equal(labels, again)  # same input, same seed: same map
    assert centroids.shape == (k, x.shape[1])
    # every true group lands in one cluster, and no two groups share one
    mapping = {int(t): {int(label) for label in labels[truth == t]} for t in range(k)}
    assert all(len(v) == 1 for v in mapping.values())
    assert len({next(iter(v)) for v in mapping.values()}) == k


@given(n=st.integers(1, 5), k=st.integers(1, 9))
def test_kmeans_never_returns_an_empty_cluster(n: int, k: int) -> None:
    x = np.random.default_rng(n * 31 + k).normal(size=(n, 4))
    labels, centroids = kmeans(x, k)
    assert len(labels) == n and centroids.shape[0] == min(n, k)
    assert set(labels.tolist()) == set(range(min(n, k)))


def test_ctfidf_prefers_the_distinctive_term_over_the_common_one() -> None:
    a = Counter({"无人机": 5, "城市": 6})
    b = Counter({"保险": 5, "城市": 6})
    c = Counter({"基金": 5, "城市": 6})
    top = ctfidf([a, b, c], top=1)
    assert top == [["无人机"], ["保险"], ["基金"]]


def test_terms_leave_out_filler_words_in_both_languages() -> None:
    assert "研究" not in zh_terms("研究无人机物流配送")
    assert "无人机" in zh_terms("研究无人机物流配送")
    assert en_terms("Research on catastrophe reinsurance and the typhoon") == ["catastrophe", "reinsurance", "typhoon"]
