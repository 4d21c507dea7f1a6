"""Create or migrate the database schema with the bundled Alembic migrations."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kb") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


#: PostgreSQL advisory lock key held while migrating (any constant both sides agree on: "kbschema").
MIGRATION_LOCK = 0x6B62736368656D61


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision; safe to run again, and at the same time.

    Several app servers (and the worker) run ``kb init`` when they start. On
    PostgreSQL two migrations at once both see an empty database and both create
    its tables; the second fails on a duplicate. A transaction-scoped advisory lock
    makes them take turns: the second reads the version only after the first has
    committed, finds the schema at head and has nothing to do. (SQLite serialises
    writers on its own.)
    """
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The applied revision(s), comma-joined when feature branches are still unmerged."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision(engine: Engine) -> str | None:
    heads = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads()
    return ",".join(sorted(heads)) or None
