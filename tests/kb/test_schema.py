"""Migrations: from empty to head, and idempotent."""

from __future__ import annotations

from sqlalchemy import inspect

from kb import schema
from kb.models import Base


def test_migrations_create_every_model_table(kb) -> None:  # type: ignore[no-untyped-def]
    assert schema.current_revision(kb.engine) == schema.head_revision(kb.engine)
    tables = set(inspect(kb.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_init_is_idempotent(kb) -> None:  # type: ignore[no-untyped-def]
    first = kb.init_db()
    assert kb.init_db() == first


def test_migrations_match_models(kb) -> None:  # type: ignore[no-untyped-def]
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with kb.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
