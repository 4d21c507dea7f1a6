"""``kill -9`` in the middle of ``kb import`` and of ``kb reindex``: the restart completes cleanly.

SIGKILL gives the process no chance to clean up: whatever transaction was
open is lost, files may be half-written. Afterwards every talent in the
database must be whole (all outputs, a revision, a queued index change), the
same command run again must finish, and search must agree with the database.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select

from kb.models import Output, Revision, Talent
from tests.reliability.conftest import Place, corpus, write_jsonl

N, OUTPUTS = 400, 3  # big enough to be killed mid-way, small enough for CI


def _counts(place: Place) -> dict[str, int]:
    kb = place.kb()
    try:
        with kb.sessions() as s:
            return {
                "talents": s.scalar(select(func.count()).select_from(Talent)) or 0,
                "outputs": s.scalar(select(func.count()).select_from(Output)) or 0,
            }
    finally:
        kb.close()


def _assert_whole(place: Place) -> int:
    kb = place.kb()
    try:
        with kb.sessions() as s:
            talents = s.scalar(select(func.count()).select_from(Talent)) or 0
            partial = s.scalars(
                select(Talent.external_id).outerjoin(Output).group_by(Talent.id)
                .having(func.count(Output.id) != OUTPUTS)
            ).all()
            assert not partial, f"talents saved without all their outputs: {partial[:5]}"
            unrevised = s.scalar(select(func.count()).select_from(Talent).where(
                Talent.id.not_in(select(Revision.talent_id)))) or 0
            assert unrevised == 0
        return talents
    finally:
        kb.close()


def _kill_when(proc, ready, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not ready():
        assert proc.poll() is None, f"finished before it could be killed: {proc.communicate()}"
        assert time.monotonic() - started < timeout, "never reached the point to kill at"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _index_count(place: Place) -> int:
    kb = place.kb()
    try:
        return int(kb.search.info()["talents"])
    finally:
        kb.close()


def test_import_killed_midway_then_rerun(sqlite_place: Place, tmp_path: Path) -> None:
    """SQLite here; on PostgreSQL the same cut is made by test_database_loss (pg_terminate_backend)."""
    place = sqlite_place
    source = write_jsonl(tmp_path / "talents.jsonl", corpus(N, outputs=OUTPUTS))
    proc = place.start("import", str(source))
    _kill_when(proc, lambda: _counts(place)["talents"] >= 40)
    saved = _assert_whole(place)
    assert 40 <= saved < N, saved

    rerun = place.run("import", str(source))
    assert f"{N - saved} created" in rerun.stdout and f"{saved} unchanged" in rerun.stdout, rerun.stdout
    assert _assert_whole(place) == N
    place.run("worker", "--once")
    assert _index_count(place) == N
    hits = json.loads(place.run("search", "供应链金融", "--json", "-k", "5").stdout)
    assert hits["results"] if isinstance(hits, dict) else hits


def _live_generation(place: Place) -> str:
    return (place.data_dir / "search" / "CURRENT").read_text("utf-8").strip()


def _talents_in_generation(gen_dir: Path) -> int:
    """Talents a rebuild has written so far, read as another process would (read-only)."""
    db = gen_dir / "index.sqlite"
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)) as conn:
            return int(conn.execute("SELECT count(*) FROM talents").fetchone()[0])
    except sqlite3.Error:  # created but no table yet, or locked for a moment
        return 0


def test_reindex_killed_midway_then_rerun(sqlite_place: Place, tmp_path: Path) -> None:
    """The rebuild reads the database and writes the index's files; SQLite suffices.

    The kill lands after the new generation holds its first batch of talents and
    before the swap (asserted: the process died of the signal and CURRENT still names
    the old generation), so the half-built generation is really there to survive.
    """
    place = sqlite_place
    source = write_jsonl(tmp_path / "talents.jsonl", corpus(N, outputs=OUTPUTS))
    place.run("import", str(source))
    assert _index_count(place) == N
    live = _live_generation(place)

    proc = place.start("reindex")

    def half_built() -> bool:
        newer = [p for p in (place.data_dir / "search").glob("gen-*") if p.name > live]
        return any(0 < _talents_in_generation(p) < N for p in newer)

    _kill_when(proc, half_built)
    assert _live_generation(place) == live, "the rebuild swapped generations before it was killed"
    # the live index still serves while a half-built generation lies around
    hits = place.run("search", "供应链金融", "--json", "-k", "5")
    assert "r-" in hits.stdout
    assert _index_count(place) == N
    place.run("reindex")
    assert _live_generation(place) > live
    assert _index_count(place) == N
    assert _assert_whole(place) == N
