"""A deterministic, instant embedder for unit tests and synthetic benchmarks.

It hashes analyzer terms into a fixed number of buckets, so texts sharing words
get similar vectors. It has no notion of meaning or language and is never a
production choice; it exists so conformance tests run in milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from indexer.analysis import get_analyzer
from indexer.embedding.base import Embedder, l2_normalize


class HashingEmbedder(Embedder):
    """Feature-hashing bag of words (words + CJK bigrams), signed, L2-normalised."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hashing:v1:dim{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        analysis = get_analyzer().analyze(text)
        for term in analysis.words + analysis.grams:
            h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(np.stack([self._vector(t) for t in texts]))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
