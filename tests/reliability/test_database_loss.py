"""The database connection lost in the middle of an import.

PostgreSQL: another connection kills the import's backend with
``pg_terminate_backend`` while ``kb import`` runs. SQLite: the connection
starts failing (a disk I/O error) on an insert half-way through a talent. In
both cases no talent may be left half-saved, and running the import again
must bring the database to the complete state.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text

from kb.actors import Actor
from kb.models import Output, Talent
from kb.talents.importer import import_file
from tests.reliability.conftest import Place, corpus, write_jsonl
from tests.reliability.test_kill9 import OUTPUTS, _assert_whole

N = 300


def _talents(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Talent)) or 0


@pytest.mark.postgres
def test_postgres_backend_terminated_mid_import(pg_url: str, tmp_path: Path) -> None:
    """The cut must land inside a talent's transaction, never between two: once 30
    talents are saved, another session locks the outputs table, so the import's next
    talent blocks half-written (its row inserted, its outputs waiting); the blocked
    backend is terminated, then the lock is released. Cutting at a random moment
    could hit a connection the pool holds idle between talents, which the pool
    replaces silently, and the import would succeed without the scenario happening."""
    from tests.reliability.conftest import _postgres_place

    for place in _postgres_place(tmp_path, pg_url):
        place.run("init")
        source = write_jsonl(tmp_path / "talents.jsonl", corpus(N, outputs=OUTPUTS))
        watcher = create_engine(place.database_url, isolation_level="AUTOCOMMIT")
        locker = create_engine(place.database_url)
        proc = place.start("import", "--no-index", str(source))
        deadline = time.monotonic() + 120
        while _talents(watcher) < 30:
            assert proc.poll() is None, f"the import finished before 30 talents were seen: {proc.communicate()}"
            assert time.monotonic() < deadline, "the import never saved 30 talents"
            time.sleep(0.01)
        with locker.begin() as lock:
            lock.execute(text("LOCK TABLE outputs IN EXCLUSIVE MODE"))
            blocked: list[int] = []
            while not blocked:
                assert proc.poll() is None, f"the import finished while outputs were locked: {proc.communicate()}"
                assert time.monotonic() < deadline, "the import never waited for the outputs lock"
                with watcher.connect() as conn:
                    blocked = list(conn.execute(text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND xact_start IS NOT NULL")).scalars())
                time.sleep(0.01)
            with watcher.connect() as conn:
                killed = conn.execute(text("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                                           "FROM unnest(CAST(:pids AS int[])) AS pid"), {"pids": blocked}).scalar()
            assert killed == len(blocked) >= 1
        locker.dispose()
        out, err = proc.communicate(timeout=120)
        saved = _talents(watcher)
        watcher.dispose()
        assert proc.returncode == 3, (proc.returncode, out, err[-2000:])
        assert "terminat" in err or "OperationalError" in err, err[-2000:]
        assert "Traceback" not in err and "run the command again" in err, err[-2000:]
        assert 30 <= _assert_whole(place) == saved < N

        rerun = place.run("import", str(source))
        assert f"{N - saved} created" in rerun.stdout, rerun.stdout
        assert _assert_whole(place) == N


def test_sqlite_connection_fails_half_way_through_a_talent(sqlite_place: Place, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "talents.jsonl", corpus(N, outputs=OUTPUTS))
    kb = sqlite_place.kb()
    inserts = {"outputs": 0}

    def failing(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO OUTPUTS"):
            inserts["outputs"] += 1
            if inserts["outputs"] == 100 * OUTPUTS + 2:  # the second output of the 101st talent
                raise sqlite3.OperationalError("disk I/O error")

    event.listen(kb.engine, "before_cursor_execute", failing)
    try:
        with pytest.raises(Exception, match="disk I/O error"):
            import_file(kb.sessions, source, Actor.system("test"))
    finally:
        event.remove(kb.engine, "before_cursor_execute", failing)
    with kb.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Talent)) == 100
        assert s.scalar(select(func.count()).select_from(Output)) == 100 * OUTPUTS
    kb.close()
    assert _assert_whole(sqlite_place) == 100

    report = import_file(sqlite_place.kb().sessions, source, Actor.system("test"))
    assert report.ok and report.created == N - 100 and report.unchanged == 100
    assert _assert_whole(sqlite_place) == N
