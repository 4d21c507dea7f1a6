"""Migration 0012 (the fair-draw record): earlier draws become plain draws, and it goes down again."""

from __future__ import annotations

import sqlalchemy as sa

from kb.db import make_engine
from tests.kb.test_migration_0007 import db_url, insert  # noqa: F401 - fixture used by name
from tests.kb.test_migration_0010 import _run


def test_earlier_draws_read_as_plain_draws_and_survive_a_downgrade(db_url: str) -> None:  # noqa: F811
    engine = make_engine(db_url)
    try:
        _run(engine, "upgrade", "0011")
        with engine.begin() as conn:
            request = insert(conn, "consultation_requests", title="咨询", state="open")
            insert(conn, "consultation_draws", request_id=request, seed="old", pool=["a", "b"], count=1,
                   picked=["b"])
        _run(engine, "upgrade", "0012")
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT fair, fairness, picked FROM consultation_draws")).one()
        assert row.fair in (False, 0) and row.fairness is None
        _run(engine, "downgrade", "0011")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("consultation_draws")}
            seeds = conn.execute(sa.text("SELECT seed FROM consultation_draws")).scalars().all()
        assert not {"fair", "fairness"} & columns and seeds == ["old"]
    finally:
        engine.dispose()
