"""Fixtures shared by the whole suite.

Real services are opt-in for a developer and mandatory in CI: tests that need
PostgreSQL or Elasticsearch take the ``pg_url`` / ``es_url`` fixtures, which skip
with a message starting ``needs PostgreSQL`` / ``needs Elasticsearch`` when the
service variables are unset. ``.ci/run`` fails the build if any such skip
happens there: it sets ``KB_TEST_STRICT_SKIPS=1``, under which every skip not
declared ``optional_skip`` is a failure (tests/skip_policy.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.skip_policy import pytest_runtest_makereport  # noqa: F401  (a hook)

SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = os.environ.get("KB_TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs PostgreSQL: run `eval \"$(scripts/services up)\"` to set KB_TEST_DATABASE_URL")
    return url


@pytest.fixture(scope="session")
def es_url() -> str:
    url = os.environ.get("KB_TEST_ELASTICSEARCH_URL")
    if not url:
        pytest.skip(
            "needs Elasticsearch: run `eval \"$(scripts/services up)\"` to set KB_TEST_ELASTICSEARCH_URL"
        )
    return url


@pytest.fixture(scope="session")
def dev_set() -> Path:
    """The shared development set lies outside the repository: tests that use it are
    declared optional_skip; tests/data/demo_eval (in the repository) checks ranking
    quality everywhere (tests/search/test_acceptance_quality.py)."""
    if not (SHARED_DEV / "corpus.jsonl").exists():
        pytest.skip(f"the development set is not beside this checkout ({SHARED_DEV})")
    return SHARED_DEV


@pytest.fixture(scope="session", autouse=True)
def shared_embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One embedding cache for the whole run: vectors are keyed by content hash and
    embedder name, so sharing it is safe and keeps the suite from re-embedding the
    same corpus in every test."""
    cache_dir = Path(os.environ.get("KB_TEST_CACHE_DIR", Path.home() / ".cache" / "luohu-kb-tests"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KB_EMBEDDING_CACHE", str(cache_dir / "embeddings.sqlite"))
