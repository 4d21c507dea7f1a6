"""Two clients PATCH one profile at the same moment through a live HTTP server: no lost update.

tests/kb/test_profiles.py races two sessions in the domain; tests/web/test_api.py
sends a stale If-Match one after the other. Here two real threads, released
together by a barrier, send their PATCH over TCP to a threaded server with the
same ``If-Match`` version, on SQLite and PostgreSQL: exactly one wins (200),
the other gets 409 Conflict, and the profile holds the winner's text and
exactly one new revision per round.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.models import Revision, Talent
from kb.talents.importer import import_file
from tests.reliability.conftest import Place, corpus, write_jsonl

ROUNDS = 8


@pytest.fixture
def server(place: Place) -> Iterator[tuple[str, str, Place]]:
    from werkzeug.serving import make_server

    from web.app import create_app

    kb = place.kb()
    assert import_file(kb.sessions, write_jsonl(place.data_dir / "t.jsonl", corpus(3, outputs=1)),
                       Actor.system("t")).ok
    with kb.sessions() as s, s.begin():
        token = issue_token(s, create_user(s, Actor.system("t"), "boss", "commissioner", "long-enough-pw-1"))
    srv = make_server("127.0.0.1", 0, create_app(kb, TESTING=True), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", token, place
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        kb.close()


def _call(url: str, token: str, method: str = "GET", body: dict | None = None,
          if_match: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    req = urllib.request.Request(url, method=method, headers=headers,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_two_simultaneous_patches_one_wins_one_conflicts(server: tuple[str, str, Place]) -> None:
    base, token, place = server
    url = f"{base}/api/v1/talents/r-00000"
    for n in range(ROUNDS):
        status, current = _call(url, token)
        assert status == 200
        version = f'"{current["version"]}"'
        barrier = threading.Barrier(2)
        results: dict[str, tuple[int, dict]] = {}

        def writer(name: str, version: str = version, barrier: threading.Barrier = barrier,
                   results: dict = results, n: int = n) -> None:
            barrier.wait()
            results[name] = _call(url, token, "PATCH", {"bio": f"第{n}轮 {name} 的版本"}, if_match=version)

        threads = [threading.Thread(target=writer, args=(name,)) for name in ("甲", "乙")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = sorted(code for code, _body in results.values())
        assert statuses == [200, 409], results
        winner = next(name for name, (code, _b) in results.items() if code == 200)
        _status, after = _call(url, token)
        assert after["bio"] == f"第{n}轮 {winner} 的版本" and after["version"] == current["version"] + 1

    kb = place.kb()
    with kb.sessions() as s:
        talent = s.scalar(select(Talent).where(Talent.external_id == "r-00000"))
        revisions = s.scalar(select(func.count()).select_from(Revision).where(Revision.talent_id == talent.id))
    kb.close()
    assert revisions == 1 + ROUNDS  # the import, then one per round: the loser wrote nothing
