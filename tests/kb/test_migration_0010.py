"""Migration 0010 (the invitation note) goes down without touching the invitations' advice.

Run through the product's engine (``kb.db.make_engine``), which turns SQLite's
foreign keys on: a batch rebuild of ``consultation_invitations`` would drop the
table and so cascade-delete every advice given on an invitation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from kb.db import make_engine
from kb.schema import alembic_config
from tests.kb.test_migration_0007 import db_url, insert  # noqa: F401 - fixture used by name


def _run(engine: sa.Engine, action: str, target: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)


def test_downgrading_the_invitation_note_keeps_the_advice(db_url: str) -> None:  # noqa: F811
    engine = make_engine(db_url)
    try:
        _run(engine, "upgrade", "heads")
        with engine.begin() as conn:
            request = insert(conn, "consultation_requests", title="咨询", state="closed")
            talent = insert(conn, "talents", external_id="m10-1", name="专家")
            invitation = insert(conn, "consultation_invitations", request_id=request, talent_id=talent,
                                state="answered", message="请谈谈跨境结算")
            insert(conn, "consultation_advice", invitation_id=invitation, text="意见",
                   submitted_at=sa.func.now())
        _run(engine, "downgrade", "0004")  # takes 0010 off (and 0005-0008 above 0004)
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("consultation_invitations")}
            advice = conn.execute(sa.text("SELECT count(*) FROM consultation_advice")).scalar_one()
        assert "message" not in columns
        assert advice == 1
    finally:
        engine.dispose()
