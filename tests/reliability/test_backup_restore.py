"""``kb backup`` then ``kb restore`` into an empty data dir (SQLite) or an empty PostgreSQL database.

Everything that is not derived must come back — talents, every revision,
consultation requests with invitations, advice and attachment files, events
with registrations and materials, accounts — and the search index, which a
backup never contains, must be rebuilt so a search finds the restored talents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select

from kb.actors import Actor
from kb.models import User
from kb.talents import changes as kt
from kb.talents.importer import import_file
from tests.reliability.conftest import Place, _postgres_place, corpus, write_jsonl
from tests.security.conftest import PDF, _event, _need

TABLES = ("talents", "outputs", "revisions", "users", "consultation_requests", "consultation_invitations",
          "consultation_advice", "consultation_attachments", "events", "event_registrations", "event_materials",
          "audit_events")


def _populate(place: Place) -> None:
    from kb.accounts import create_user
    from kb.consultations import invitations as cinv
    from kb.consultations.attachments import Upload
    from kb.consultations.requests import create_request, open_request
    from kb.events.manage import create_event, publish_event
    from kb.events.materials import add_material
    from kb.events.registration import register

    kb = place.kb()
    system = Actor.system("backup test")
    assert import_file(kb.sessions, write_jsonl(place.data_dir / "t.jsonl", corpus(40, outputs=2)), system).ok
    with kb.sessions() as s, s.begin():
        talent = kt.get_talent(s, "r-00001")
        kt.update_profile(s, system, talent, {"bio": "备份恢复专用词：鹭岛潮汐"}, None)  # a second revision
        researcher = Actor.of(create_user(s, system, "res", "researcher", None, unit="罗湖区发展研究中心"))
        organizer = Actor.of(create_user(s, system, "org", "organizer", None))
        expert = Actor.of(create_user(s, system, "expert", "talent", None, talent=talent))
        s.flush()
        req = create_request(s, researcher, _need("备份测试咨询", "本单位"))
        open_request(s, researcher, req)
        s.flush()
        inv = cinv.invite(s, researcher, req, [talent])[0]
        s.flush()
        cinv.submit_advice(s, expert, inv, "意见", [Upload("advice.pdf", PDF)], data_dir=kb.settings.data_dir)
        event = create_event(s, organizer, _event("备份测试活动"))
        publish_event(s, organizer, event)
        s.flush()
        add_material(s, organizer, event, "slides.pdf", PDF, kb.settings.data_dir,
                     max_bytes=kb.settings.events.material_max_bytes)
        register(s, expert, event, talent)
    kb.sync_search()
    kb.close()


def _snapshot(place: Place) -> dict[str, int]:
    kb = place.kb()
    try:
        meta = MetaData()
        meta.reflect(kb.engine)
        with kb.engine.connect() as conn:
            counts = {t: conn.scalar(select(func.count()).select_from(meta.tables[t])) for t in TABLES}
        files = sorted(p.relative_to(place.data_dir / "attachments").as_posix()
                       for p in (place.data_dir / "attachments").rglob("*") if p.is_file())
        counts["attachment files"] = len(files)
        with kb.sessions() as s:
            counts["bio restored"] = int("鹭岛潮汐" in kt.get_talent(s, "r-00001").bio)
            counts["accounts"] = s.scalar(select(func.count()).select_from(User).where(User.username == "expert"))
        return counts
    finally:
        kb.close()


def _round_trip(source: Place, target: Place, tmp_path: Path) -> None:
    _populate(source)
    before = _snapshot(source)
    assert all(before[t] > 0 for t in TABLES if t != "audit_events"), before
    archive = tmp_path / "backup.tar.gz"
    source.run("backup", str(archive))

    target.run("restore", str(archive))
    assert _snapshot(target) == before
    # the index was rebuilt from the restored database, not copied
    hits = json.loads(target.run("search", "鹭岛潮汐", "--json", "--mode", "lexical").stdout)
    results = hits["results"] if isinstance(hits, dict) else hits
    assert results and results[0]["id"] == "r-00001", results[:2]
    info = target.kb().search.info()
    assert info["talents"] == 40
    # and a restore does not overwrite a database that holds data unless told to
    again = target.run("restore", str(archive), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_sqlite_backup_restores_into_an_empty_data_dir(sqlite_place: Place, tmp_path: Path) -> None:
    target_dir = tmp_path / "restored"
    target_dir.mkdir()
    target = Place(target_dir, f"sqlite:///{target_dir / 'kb.sqlite3'}")
    _round_trip(sqlite_place, target, tmp_path)


@pytest.mark.postgres
def test_postgres_backup_restores_into_an_empty_database(pg_url: str, tmp_path: Path) -> None:
    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    src_dir.mkdir()
    dst_dir.mkdir()
    for source in _postgres_place(src_dir, pg_url):
        source.run("init")
        for target in _postgres_place(dst_dir, pg_url):
            _round_trip(source, target, tmp_path)
