"""Migration 0007 turns the old single adoption field into ledger rows, and back.

Runs on SQLite and (when configured) PostgreSQL: a database is brought to the
revisions before 0007, filled with advice in each old adoption state, then
upgraded; every advice gets its ``submitted`` row, adopted advice an
``adopted`` row carrying the document and extent, rejected advice a
``not_adopted`` row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import create_engine, text

from kb.schema import alembic_config

OLD = [  # (talent, adoption, adopted_into)
    ("m-1", "full", "《罗湖区供应链金融扶持办法》"),
    ("m-2", "partial", "罗府办〔2025〕3号"),
    ("m-3", "none", ""),
    ("m-4", None, ""),
]


def _filler(column: sa.Column) -> object:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.DateTime):
        return datetime(2025, 1, 2, 3, 4)
    if isinstance(kind, sa.Date):
        return date(2025, 1, 2)
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.Float | sa.Numeric):
        return 0.0
    return "x"


def insert(conn: sa.Connection, table: str, **given: object) -> int:
    """A row with ``given`` values and a plain value in every other required column."""
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    values = {c.name: _filler(c) for c in t.columns
              if not c.nullable and c.server_default is None and not c.primary_key}
    values.update(given)
    return int(conn.execute(t.insert().values(values).returning(t.c.id)).scalar_one())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    pg_url = request.getfixturevalue("pg_url")
    name = f"kb_m7_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run(url: str, action: str, target: str) -> None:
    engine = create_engine(url)
    try:
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, target)
    finally:
        engine.dispose()


def test_old_adoption_values_become_ledger_rows_and_back(db_url: str) -> None:
    _run(db_url, "upgrade", "0003")
    _run(db_url, "upgrade", "0005")
    engine = create_engine(db_url)
    submitted = datetime(2025, 5, 6, 7, 8)
    recorded = datetime(2025, 9, 1, 10, 0)
    with engine.begin() as conn:
        request = insert(conn, "consultation_requests", title="旧咨询", state="closed")
        advice_ids = {}
        for external_id, adoption, into in OLD:
            talent = insert(conn, "talents", external_id=external_id, name=f"专家{external_id}")
            invitation = insert(conn, "consultation_invitations", request_id=request, talent_id=talent,
                                state="answered")
            advice_ids[external_id] = insert(
                conn, "consultation_advice", invitation_id=invitation, text="意见", submitted_at=submitted,
                adoption=adoption, adopted_into=into, adoption_recorded_at=recorded if adoption else None)
    engine.dispose()

    _run(db_url, "upgrade", "0007")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert "adoption" not in {c["name"] for c in sa.inspect(conn).get_columns("consultation_advice")}
        ledger = sa.Table("advice_ledger", sa.MetaData(), autoload_with=conn)
        c = ledger.c
        rows = conn.execute(sa.select(c.advice_id, c.step, c.at, c.actor_label, c.extent, c.doc_title, c.evidence)
                            .order_by(c.advice_id, c.id)).all()
    engine.dispose()
    by_advice: dict[int, list[tuple]] = {}
    for advice_id, *rest in rows:
        by_advice.setdefault(advice_id, []).append(tuple(rest))
    m1, m2, m3, m4 = (by_advice[advice_ids[t]] for t, _a, _i in OLD)
    assert m1[0][:2] == ("submitted", submitted) and m1[0][2] == "专家m-1"
    assert [(r[0], r[1], r[3], r[4]) for r in m1[1:]] == [("adopted", recorded, "full", "《罗湖区供应链金融扶持办法》")]
    assert [(r[0], r[3], r[4]) for r in m2[1:]] == [("adopted", "partial", "罗府办〔2025〕3号")]
    assert [r[0] for r in m3] == ["submitted", "not_adopted"]
    assert [r[0] for r in m4] == ["submitted"]

    _run(db_url, "downgrade", "0005")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT id, adoption FROM consultation_advice")).all())
        into = dict(conn.execute(text("SELECT id, adopted_into FROM consultation_advice")).all())
        assert "advice_ledger" not in sa.inspect(conn).get_table_names()
    engine.dispose()
    assert {t: back[advice_ids[t]] for t, _a, _i in OLD} == {t: a for t, a, _i in OLD}
    assert into[advice_ids["m-1"]] == "《罗湖区供应链金融扶持办法》"
