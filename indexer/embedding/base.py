"""The embedder interface every dense-retrieval component talks to.

``name`` is the identity of the vector space: model, variant, dimension and the
query/passage prefixes. It is stored in index metadata and is part of every
cache key, so vectors from two different spaces can never be mixed.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Maps texts to L2-normalised float32 vectors; queries and passages may differ."""

    name: str
    dim: int
    #: Intra-op threads of the model; 0 for embedders that are not a threaded engine.
    threads: int = 0

    @abstractmethod
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalised."""

    @abstractmethod
    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray:
        """One query vector ``(dim,)``."""
        vector: np.ndarray = self.embed_queries([text])[0]
        return vector

    def remembers_query(self, text: str) -> bool:
        """True when ``embed_query(text)`` will answer from memory, without running the model."""
        return False

    def close(self) -> None:  # noqa: B027 - optional hook, most embedders hold nothing
        """Release resources (files, threads) held by the embedder."""


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-normalise to unit length (zero rows stay zero) as contiguous float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def embedding_threads(configured: int = 0) -> int:
    """Threads one process gives its embedding model: ``configured`` (search.embedding_threads), else every core.

    A single process (``kb search``, ``kb import``, the benchmarks) should use
    the whole machine for the one text it is embedding. ``kb serve`` divides
    the cores among its workers instead (it sets the setting before forking),
    because each worker already serves requests in parallel and idle-spinning
    pools in every worker would take the cores from one another.
    """
    if configured > 0:
        return configured
    return available_cores()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers narrow)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
