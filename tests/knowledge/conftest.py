"""A knowledge base per test with the instant hashing embedder, on each search backend.

Experts, researchers of two units and one account per other role come from
the consultation tests' ``people`` fixture; requests are filed and advice
submitted through the real write paths, so the knowledge index is fed by the
queue exactly as in the product.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kb.context import KnowledgeBase
from kb.settings import load_settings
from tests.consultations.conftest import need, open_new, people  # noqa: F401 - fixtures used by name

BACKENDS = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


@contextmanager
def knowledge_base_on(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KnowledgeBase]:
    """A SQLite knowledge base with the hashing embedder on the fixture's search backend
    (``request.param``), its Elasticsearch indexes dropped afterwards."""
    overrides: dict[str, object] = {
        "env": "development", "data_dir": tmp_path, "database.url": f"sqlite:///{tmp_path / 'kb.sqlite3'}",
        "security.secret_key": "test", "search.embedder": "hashing",
    }
    if request.param == "elasticsearch":
        overrides.update({"search.backend": "elasticsearch",
                          "search.elasticsearch_url": request.getfixturevalue("es_url"),
                          "search.elasticsearch_index": f"kbtest-{uuid.uuid4().hex[:12]}"})
    kb = KnowledgeBase(load_settings(overrides))
    kb.init_db()
    try:
        yield kb
    finally:
        if request.param == "elasticsearch":
            kb.knowledge.backend.drop()  # type: ignore[attr-defined]
            kb.search.backend.drop()  # type: ignore[attr-defined]
        kb.close()


@pytest.fixture(params=BACKENDS)
def kb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KnowledgeBase]:
    with knowledge_base_on(request, tmp_path) as kb:
        yield kb
