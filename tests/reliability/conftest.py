"""Fixtures for fault tests: a data dir + database (SQLite or a fresh PostgreSQL database)
that real ``kb`` processes share, and helpers to run, kill and inspect them.

The processes use the hashing embedder (``KB_EMBEDDER=hashing``): these tests are
about durability, not ranking, and a model would only make them slower.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kb.context import KnowledgeBase
from tests.kb.conftest import record

KB = [sys.executable, "-c", "from kb.cli import main; main()"]


@dataclass
class Place:
    """Where a set of ``kb`` processes keeps its data."""

    data_dir: Path
    database_url: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") or k in ("KB_EMBEDDING_CACHE",)}
        env.update({"KB_DATA_DIR": str(self.data_dir), "KB_DATABASE_URL": self.database_url,
                    "KB_EMBEDDER": "hashing", "KB_SECRET_KEY": "reliability-tests", "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        return env

    def kb(self, **search_overrides: object) -> KnowledgeBase:
        """An in-process knowledge base over the same data, configured like the processes
        (the same variables), with ``search_overrides`` for keys of the [search] section."""
        from kb.settings import load_settings

        overrides = {f"search.{key}": value for key, value in search_overrides.items()}
        return KnowledgeBase(load_settings(overrides, environ=self.env))

    def run(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([*KB, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"kb {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*KB, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)


def _postgres_place(tmp_path: Path, pg_url: str) -> Iterator[Place]:
    name = f"kbrel_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield Place(tmp_path, url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Place]:
    """One data dir and an empty, initialised database: SQLite, and PostgreSQL when configured."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_place")
        return
    for p in _postgres_place(tmp_path, request.getfixturevalue("pg_url")):
        p.run("init")
        yield p


@pytest.fixture
def sqlite_place(tmp_path: Path) -> Place:
    """For faults whose database does not matter (the index's own files): SQLite only, to keep CI short."""
    p = Place(tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    p.run("init")
    return p


def corpus(n: int, prefix: str = "r", outputs: int = 3) -> list[dict]:
    """``n`` valid talents, each with ``outputs`` outputs (so a half-saved one would show)."""
    out = []
    for i in range(n):
        rec = record(f"{prefix}-{i:05d}", name=f"专家{i}", research_directions=[f"方向{i % 97}", "供应链金融"])
        rec["outputs"] = [{"type": "paper", "title": f"论文{i}-{j}", "year": 2000 + j} for j in range(outputs)]
        out.append(rec)
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path
