"""A fresh knowledge base per test, on SQLite or (when configured) PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kb.context import KnowledgeBase
from kb.settings import Settings, load_settings


def _settings(tmp_path: Path, url: str) -> Settings:
    return load_settings({"env": "development", "data_dir": tmp_path, "database.url": url,
                          "security.secret_key": "test"})


@pytest.fixture
def sqlite_kb(tmp_path: Path) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(_settings(tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite3'}"))
    kb.init_db()
    yield kb
    kb.close()


@pytest.fixture
def postgres_kb(tmp_path: Path, pg_url: str) -> Iterator[KnowledgeBase]:
    """A throw-away database on the test server, dropped afterwards."""
    name = f"kb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    kb = KnowledgeBase(_settings(tmp_path, url))
    kb.init_db()
    yield kb
    kb.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def kb(request: pytest.FixtureRequest) -> KnowledgeBase:
    """The same domain tests run on both databases."""
    return request.getfixturevalue(f"{request.param}_kb")


def record(rid: str = "t-1", **over: object) -> dict:
    rec = {
        "id": rid,
        "name": "林海",
        "name_en": "Lin Hai",
        "category": "B",
        "title": "研究员",
        "organization": "深港金融研究院",
        "fields": ["banking", "funds"],
        "research_directions": ["供应链金融", "跨境人民币结算"],
        "bio": "长期研究深港跨境金融。",
        "languages": ["zh", "en"],
        "available_for_consultation": True,
        # an import certifies only when the file says so (kb.talents.changes._certification)
        "certification_status": "certified",
        "certified_on": "2024-03-01",
        "contact": {"email": "lin.hai@example.org", "phone": "0755-00000001"},
        "outputs": [
            {"type": "paper", "title": "跨境理财通的风险管理", "year": 2022, "venue": "《金融研究》"},
            {"type": "report", "title": "Qianhai cross-border RMB report", "year": 2023},
        ],
    }
    rec.update(over)
    return rec
