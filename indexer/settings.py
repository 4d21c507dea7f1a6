"""Search configuration, read from the environment.

Every process that touches the index (web workers, the CLI, background jobs)
must agree on where the index lives and which embedder built it, so all of it
comes from one place: ``SearchSettings.from_env()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("embedded", "elasticsearch")


@dataclass(frozen=True)
class SearchSettings:
    """Where the index lives, which backend serves it and which embedder feeds it."""

    data_dir: Path = Path("./instance")
    backend: str = "embedded"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_index: str = "luohu-talents"
    embedder: str = "auto"
    embedding_model: str = ""
    query_prefix: str | None = None
    passage_prefix: str | None = None
    embedding_cache: Path | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"KB_SEARCH_BACKEND must be one of {BACKENDS}, not {self.backend!r}")

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

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> SearchSettings:
        """Read ``KB_*`` variables; unset or empty variables keep the defaults."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value if value not in (None, "") else None

        cache = get("KB_EMBEDDING_CACHE")
        return cls(
            data_dir=Path(get("KB_DATA_DIR") or "./instance"),
            backend=get("KB_SEARCH_BACKEND") or "embedded",
            elasticsearch_url=get("KB_ELASTICSEARCH_URL") or "http://127.0.0.1:9200",
            elasticsearch_index=get("KB_ELASTICSEARCH_INDEX") or "luohu-talents",
            embedder=get("KB_EMBEDDER") or "auto",
            embedding_model=get("KB_EMBEDDING_MODEL") or "",
            query_prefix=env.get("KB_EMBEDDING_QUERY_PREFIX"),
            passage_prefix=env.get("KB_EMBEDDING_PASSAGE_PREFIX"),
            embedding_cache=Path(cache) if cache else None,
        )
