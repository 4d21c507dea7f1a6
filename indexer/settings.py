"""The search section of the configuration.

Every process that touches the index (web workers, the CLI, background jobs)
must agree on where the index lives and which embedder built it. The values
come from the ``[search]`` section of the product's configuration, which
``kb.settings`` loads once and hands to ``open_search``; the indexer reads no
environment itself (it does not import ``kb``, so it only declares the shape).

Field metadata is the contract with the loader: ``choices``, ``min`` and
``kind`` (``url``, ``path``, ``embedder``) are checked by ``kb config check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

BACKENDS = ("embedded", "elasticsearch")


@dataclass(frozen=True)
class SearchSettings:
    """Where the index lives, which backend serves it and which embedder feeds it."""

    # Filled from the top-level ``data_dir`` by the loader, not a key of [search].
    data_dir: Path = field(default=Path("./instance"), metadata={"derived": True})
    backend: str = field(default="embedded", metadata={"choices": BACKENDS})
    # One URL, or every node of a cluster comma-separated: the client spreads requests over
    # them and retries on another node when one is lost (``elasticsearch_hosts``).
    elasticsearch_url: str = field(default="http://127.0.0.1:9200", metadata={"kind": "urls"})
    elasticsearch_index: str = "luohu-talents"
    # Replicas of a new index generation: ``auto`` (one copy more when the cluster has a second
    # data node, none on a single node) or a number.
    elasticsearch_replicas: str = field(default="auto", metadata={"kind": "replicas"})
    embedder: str = field(default="auto", metadata={"kind": "embedder"})
    embedding_model: str = ""
    query_prefix: str = ""
    passage_prefix: str = ""
    embedding_cache: Path | None = field(default=None, metadata={"kind": "path"})
    # 0: every core this process may use (see indexer.embedding.base.embedding_threads).
    embedding_threads: int = field(default=0, metadata={"min": 0})
    # Set by the bulk commands (``kb reindex --device``), not a key of the file: serving embeds on the CPU.
    embedding_device: str = field(default="cpu", metadata={"derived": True})

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"search.backend must be one of {BACKENDS}, not {self.backend!r}")

    @property
    def search_dir(self) -> Path:
        """Directory of the embedded index (generations live below it)."""
        return Path(self.data_dir) / "search"

    @property
    def cache_path(self) -> Path:
        """SQLite file of the embedding cache."""
        if self.embedding_cache is not None:
            return Path(self.embedding_cache)
        return Path(self.data_dir) / "embeddings.sqlite"


def elasticsearch_hosts(url: str) -> list[str]:
    """``"http://a:9200, http://b:9200"`` -> ``["http://a:9200", "http://b:9200"]``."""
    return [part.strip() for part in url.split(",") if part.strip()]


def replica_count(value: str) -> int | None:
    """``None`` for ``auto``, else the number of replicas ``value`` names (``ValueError`` otherwise)."""
    if value.strip().lower() == "auto":
        return None
    count = int(value)
    if count < 0:
        raise ValueError("a replica count cannot be negative")
    return count
