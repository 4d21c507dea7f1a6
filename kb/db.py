"""Engine and session handling for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
            # WAL lets the web app read while an import or the worker writes;
            # foreign keys are off by default in SQLite and we rely on them.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def rows_matched(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched.

    ``Session.execute`` is typed to return ``Result``; for DML it is a
    ``CursorResult``, the only kind with ``rowcount``. Conditional updates (queue
    claims, single-use tokens) decide who won by this number.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of an UPDATE or DELETE: {type(result).__name__}")
    return int(result.rowcount or 0)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    import kb.knowledge.outbox  # noqa: F401 - registers the flush hook that queues knowledge-index syncs

    return sessionmaker(bind=engine, expire_on_commit=False)


class UnitOfWork:
    """One session whose changes are committed together or not at all.

    The web layer keeps one per request (opened on first use, finished by a
    hook once the view has answered); the CLI and the worker use it through
    :func:`unit_of_work`. Domain functions never commit: they only add to the
    session they are given, so a request or a command is all-or-nothing.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._factory()
        return self._session

    @property
    def started(self) -> bool:
        return self._session is not None

    def commit(self) -> None:
        """Write everything at once; on failure the session is rolled back and the error raised."""
        if self._session is None:
            return
        try:
            self._session.commit()
        except BaseException:
            self._session.rollback()
            raise

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()

    def close(self) -> None:
        """Release the connection; anything not committed is discarded."""
        if self._session is not None:
            self._session.close()
            self._session = None


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session committed when the block ends normally and rolled back on any error."""
    work = UnitOfWork(factory)
    try:
        yield work.session
        work.commit()
    except BaseException:
        work.rollback()
        raise
    finally:
        work.close()
