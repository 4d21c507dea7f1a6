"""Migration 0008 on SQLite and PostgreSQL: the last substantive change is backfilled from revisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from kb import schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    pg_url = request.getfixturevalue("pg_url")
    name = f"kb_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(engine: sa.Engine, target: str) -> None:
    cfg = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def _downgrade(engine: sa.Engine, target: str) -> None:
    cfg = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)


def test_0008_backfills_the_last_substantive_change(empty_url: str) -> None:
    engine = sa.create_engine(empty_url)
    try:
        _upgrade(engine, "0005")
        created = datetime(2023, 5, 1, 8)
        with engine.begin() as conn:
            for pk, ext in ((1, "m-1"), (2, "m-2"), (3, "m-3")):
                conn.execute(sa.text(
                    "INSERT INTO talents (id, external_id, name, name_en, category, certification_status, title,"
                    " organization, fields, research_directions, bio, languages, available_for_consultation,"
                    " accepts_event_invitations, email, phone, created_at, updated_at, version) VALUES"
                    " (:id, :ext, '甲', '', 'B', 'certified', '', '', '[]', '[]', '', '[]', true, true, '', '',"
                    " :at, :at, 1)"), {"id": pk, "ext": ext, "at": created})

            def rev(pk: int, at: datetime, field: str, status: str = "applied") -> None:
                conn.execute(sa.text(
                    "INSERT INTO revisions (talent_id, talent_external_id, actor_label, action, at, changes, status)"
                    " VALUES (:pk, :ext, 'x', 'edit', :at, :changes, :status)"),
                    {"pk": pk, "ext": f"m-{pk}", "at": at, "status": status,
                     "changes": f'[{{"field": "{field}", "old": null, "new": 1}}]'})

            rev(1, datetime(2024, 2, 1), "research_directions")
            rev(1, datetime(2024, 9, 1), "outputs[4].title")
            rev(1, datetime(2025, 1, 1), "bio")  # not substantive
            rev(2, datetime(2024, 3, 1), "phone")
            rev(2, datetime(2025, 3, 1), "research_directions", status="pending")  # never applied
            # m-3 has no revision at all
        _upgrade(engine, "0008")
        with engine.connect() as conn:
            got = dict(conn.execute(sa.text("SELECT external_id, last_changed_at FROM talents")).all())
            assert {k: (v if isinstance(v, datetime) else datetime.fromisoformat(str(v))) for k, v in got.items()} \
                == {"m-1": datetime(2024, 9, 1), "m-2": created, "m-3": created}
            assert conn.execute(sa.text("SELECT count(*) FROM revisions WHERE delegated")).scalar() == 0
        _downgrade(engine, "0005")
        _upgrade(engine, "heads")
    finally:
        engine.dispose()
