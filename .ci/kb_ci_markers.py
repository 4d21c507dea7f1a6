"""pytest plugin loaded by .ci/run: records each test's markers that CI reads back as a
junit property (``kb_markers``), so the xml says which tests needed PostgreSQL,
Elasticsearch or a browser, and which skips were declared optional, whatever the
tests are named."""

from __future__ import annotations

import pytest

WATCHED = {"postgres", "elasticsearch", "browser", "optional_skip"}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = sorted({m.name for m in item.iter_markers()} & WATCHED)
        item.user_properties.append(("kb_markers", ",".join(names)))
