"""Dense embedders behind one interface, with a persistent vector cache."""

from indexer.embedding.base import Embedder, l2_normalize
from indexer.embedding.cache import CachedEmbedder, VectorCache
from indexer.embedding.factory import load_model, make_embedder

__all__ = ["CachedEmbedder", "Embedder", "VectorCache", "l2_normalize", "load_model", "make_embedder"]
