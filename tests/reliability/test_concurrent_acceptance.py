"""Two answers to one consultation invitation at the same moment, through a live HTTP server.

Both requests are made to read the invitation before either writes (a barrier inside
the server, after the "is it still open?" check), so the database itself must settle
the race: exactly one acceptance wins (200) and the other is a 409 Conflict — never a
500 from the database's refusal (IntegrityError, StaleDataError, SQLite's lock) — on
SQLite and PostgreSQL. Rounds cover the request's first acceptance (the request moves
to in progress) and a later one (only the invitation changes), and a double click.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kb.accounts import create_user, issue_token
from kb.actors import Actor
from kb.consultations import invitations as cinv
from kb.consultations.requests import create_request, open_request
from kb.models import AuditEvent, Talent
from kb.talents.importer import import_file
from tests.reliability.conftest import Place, corpus, write_jsonl

SYSTEM = Actor.system("race tests")
TALENTS = 3


@pytest.fixture
def race(place: Place, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from werkzeug.serving import make_server

    from web.app import create_app

    kb = place.kb()
    assert import_file(kb.sessions, write_jsonl(place.data_dir / "t.jsonl", corpus(TALENTS, outputs=0)), SYSTEM).ok
    with kb.sessions() as s, s.begin():
        researcher = create_user(s, SYSTEM, "asker", "researcher", "long-enough-pw-1", unit="罗湖区发展研究中心")
        s.flush()
        talents = s.scalars(select(Talent).order_by(Talent.external_id)).all()
        tokens = []
        for i, talent in enumerate(talents):
            user = create_user(s, SYSTEM, f"expert{i}", "talent", "long-enough-pw-1", talent=talent)
            s.flush()
            tokens.append(issue_token(s, user, "race"))
        asker = Actor.of(researcher)
        req = create_request(s, asker, {
            "title": "并发接受测试", "background": "背景", "questions": "问题？", "fields": list(talents[0].fields),
            "deadline": date.today() + timedelta(days=20), "experts_wanted": TALENTS, "form": "written",
            "confidentiality": "public", "parties": []})
        open_request(s, asker, req)
        s.flush()
        invitation_ids = [inv.id for inv in cinv.invite(s, asker, req, talents)]

    # Hold each answer after its "still open?" check until the other one got there too, so both
    # have read the invitation as open before either writes. A request that arrives alone (the
    # other already finished) passes after the timeout.
    gate: dict[str, threading.Barrier] = {"barrier": threading.Barrier(2)}
    original: Callable[..., None] = cinv._respond_check

    def held(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            gate["barrier"].wait(timeout=3)

    monkeypatch.setattr(cinv, "_respond_check", held)
    srv = make_server("127.0.0.1", 0, create_app(kb, TESTING=True), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": f"http://127.0.0.1:{srv.server_port}", "tokens": tokens, "invitations": invitation_ids,
               "gate": gate, "kb": kb}
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        kb.close()


def _answer(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _get(url: str, token: str) -> None:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert resp.status == 200


def _at_once(calls: list[Callable[[], tuple[int, dict[str, Any]]]]) -> list[tuple[int, dict[str, Any]]]:
    results: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    return results


@pytest.mark.parametrize("second", ["accept", "decline"])
def test_two_simultaneous_answers_to_one_invitation_one_wins_one_conflicts(race: dict[str, Any],
                                                                           second: str) -> None:
    for n, (iid, token) in enumerate(zip(race["invitations"], race["tokens"], strict=True)):
        race["gate"]["barrier"] = threading.Barrier(2)
        url = f"{race['base']}/api/v1/consultations/invitations/{iid}/response"
        _get(f"{race['base']}/api/v1/me", token)  # the token's first use is a write (last used); not in the race
        bodies = [{"action": "accept"}, {"action": second, "reason": "时间冲突"}]
        results = _at_once([lambda b=b, u=url, t=token: _answer(u, t, b) for b in bodies])  # type: ignore[misc]
        statuses = sorted(code for code, _ in results)
        assert statuses == [200, 409], (n, results)
        loser = next(body for code, body in results if code == 409)
        assert loser["status"] == 409 and loser["detail"], loser
        winner = next(body for code, body in results if code == 200)
        assert winner["state"] in ("accepted", "declined")

    kb = race["kb"]
    with kb.sessions() as s:  # the loser wrote nothing: one answer recorded per invitation
        answers = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("consultation.accept", "consultation.decline"))))
    assert answers == TALENTS
