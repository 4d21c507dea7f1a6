"""Fixtures for the capability map: the consultation tests' people and needs, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.consultations.conftest import kb, need, open_new, people  # noqa: F401 - fixtures used by name
from tests.kb.conftest import postgres_kb, sqlite_kb  # noqa: F401 - fixtures used by name
