"""Two app servers, one truth: two real ``kb serve`` processes on one PostgreSQL and one Elasticsearch.

This is the scale-out deployment of docs/deployment.md in miniature: each server has
its own data folder and port, both use the same database (a fresh one per run) and
the same Elasticsearch alias (a fresh name per run), the same secret key and the same
embedder (an index records its embedder and refuses another). Both servers start at
once on the empty database and index (each migrates and creates the index if needed).
Beside each runs ``kb worker`` (docker-compose.yml runs one; several must be safe).
The test checks what a load balancer in front of them must be able to rely on:

- an edit saved through one server is found by search on the other within a second;
- the durable queue is drained exactly once across all the processes: every index
  update reaches Elasticsearch once (its ``_version`` counts the writes), although six
  processes drain the search queue (two gunicorn workers per server and the two
  ``kb worker``), and every queued e-mail arrives once at the SMTP server;
- a consultation draw made on one server is the draw the other shows and replays.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kb.models import QueueItem
from kb.notifications.inbox import MAIL_TOPIC
from kb.queue import enqueue
from kb.talents.changes import SEARCH_TOPIC
from tests.reliability.conftest import Place, _postgres_place, corpus, write_jsonl

pytestmark = [pytest.mark.postgres, pytest.mark.elasticsearch]

KB = [sys.executable, "-c", "from kb.cli import main; main()"]
TALENTS = 16   # edited once each, half through each server
MAILS = 40     # queued e-mails, drained by the two workers (and nobody else)
PASSWORD = "two-servers-pw"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox:
    """An SMTP sink that keeps each delivered message's recipients."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@dataclass
class Server:
    """One app server: its own data folder and port, the shared database and index."""

    name: str
    place: Place
    port: int
    serve: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.place.data_dir / "serve.log", "wb")  # noqa: SIM115 - closed with the process
        self.serve = subprocess.Popen(
            [*KB, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
            env=self.place.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start_worker(self) -> None:
        """``kb worker`` beside the server; it wants the schema there (the server migrates it)."""
        wlog = open(self.place.data_dir / "worker.log", "wb")  # noqa: SIM115
        self.worker = subprocess.Popen([*KB, "worker", "--interval", "0.2"], env=self.place.env, stdout=wlog,
                                       stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            assert self.serve is not None and self.serve.poll() is None, self.log()
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} never became ready:\n{self.log()}")

    def log(self) -> str:
        parts = [(self.place.data_dir / f).read_text("utf-8", "replace")[-4000:]
                 for f in ("serve.log", "worker.log") if (self.place.data_dir / f).exists()]
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in (self.worker, self.serve):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.worker, self.serve):
            if proc is None:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def api(self, method: str, path: str, token: str, body: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {token}", **({"Content-Type": "application/json"} if data else {}),
            **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw, status, hdrs = resp.read(), resp.status, dict(resp.headers)
        except urllib.error.HTTPError as exc:
            raw, status, hdrs = exc.read(), exc.code, dict(exc.headers)
        return status, (json.loads(raw) if raw else None), hdrs


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str, es_url: str) -> Iterator[tuple[Server, Server, _Inbox]]:
    inbox = _Inbox()
    smtp_port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    alias = f"kbtest-two-{uuid.uuid4().hex[:10]}"
    shared = {"KB_SEARCH_BACKEND": "elasticsearch", "KB_ELASTICSEARCH_URL": es_url,
              "KB_ELASTICSEARCH_INDEX": alias, "KB_SMTP_HOST": "127.0.0.1", "KB_SMTP_PORT": str(smtp_port),
              "KB_EMBEDDING_THREADS": "1"}
    servers: list[Server] = []
    database = _postgres_place(tmp_path / "first", pg_url)
    first = next(database)
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            place = Place(folder, first.database_url, dict(shared))
            servers.append(Server(name, place, _free_port()))
        yield servers[0], servers[1], inbox
    finally:
        for server in servers:
            server.stop()
        controller.stop()
        if servers:
            kb = servers[0].place.kb()
            try:
                kb.search.backend.drop()
                kb.knowledge.backend.drop()
            finally:
                kb.close()
        for _ in database:  # drops the database
            pass


def _find(server: Server, token: str, word: str) -> list[str]:
    """Talents whose search evidence quotes ``word``: the search read their current text.

    Ranking is not the point (the hashing embedder ranks loosely), so every talent is
    asked for and only the ones whose matched passages contain the word count.
    """
    status, body, _ = server.api("GET", f"/search?q={word}&k={TALENTS}", token)
    assert status == 200, body
    return [r["id"] for r in body["results"] if any(word in e["text"] for e in r["evidence"])]


def _indexed_text(server: Server, talent_id: str, word: str) -> str:
    """For a failure message: the talent's passage holding ``word`` as stored, whether
    Elasticsearch matches the word directly, and what an in-process search returns."""
    from indexer import SearchQuery

    kb = server.place.kb()
    try:
        backend = kb.search.backend
        hits = backend.client.search(index=backend.alias, query={"term": {"talent_id": talent_id}}, size=50)
        stored = [{k: v for k, v in h["_source"].items() if "vec" not in k} for h in hits["hits"]["hits"]
                  if word in str(h["_source"])]
        direct = backend.client.search(index=backend.alias, query={"match": {"words": word}})["hits"]["total"]
        results = kb.search.search(SearchQuery(word, limit=TALENTS)).results
        evidence = [[e.text for e in r.evidence] for r in results if r.talent_id == talent_id]
        return f"stored {stored}; Elasticsearch match on words: {direct}; in-process evidence {evidence}"
    finally:
        kb.close()


def _result_of(server: Server, token: str, word: str, talent_id: str) -> str:
    _status, body, _ = server.api("GET", f"/search?q={word}&k={TALENTS}", token)
    ranks = [(n, r["match"], [e["text"] for e in r["evidence"]]) for n, r in enumerate(body["results"])
             if r["id"] == talent_id]
    return f"{talent_id} in the results: {ranks}; total {body.get('total')}, matched {body.get('matched')}"


def _queue_state(server: Server) -> str:
    kb = server.place.kb()
    try:
        with kb.sessions() as s:
            rows = s.scalars(select(QueueItem).order_by(QueueItem.id.desc()).limit(5)).all()
            return "\n".join(f"{i.id} {i.topic} {i.payload} {i.state} {i.attempts} {i.locked_by} {i.last_error}"
                             for i in rows)
    finally:
        kb.close()


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _es_versions(server: Server, talent_ids: list[str]) -> dict[str, int]:
    """How many times Elasticsearch has written each talent's document (internal ``_version``)."""
    from indexer.backends.elasticsearch.mapping import talent_doc_id

    kb = server.place.kb()
    try:
        backend = kb.search.backend
        docs = backend.client.mget(index=backend.alias, ids=[talent_doc_id(t) for t in talent_ids])["docs"]
        return {t: int(d["_version"]) for t, d in zip(talent_ids, docs, strict=True) if d.get("found")}
    finally:
        kb.close()


def _settled(server: Server, deadline: float) -> None:
    """Wait until no queued item is pending or running (every process has done its share)."""
    kb = server.place.kb()
    try:
        while time.monotonic() < deadline:
            with kb.sessions() as s:
                busy = s.scalars(select(QueueItem.id).where(QueueItem.state.in_(("pending", "running")))).first()
            if busy is None:
                return
            time.sleep(0.1)
        raise AssertionError("the queue never drained")
    finally:
        kb.close()


def test_two_servers_share_one_truth(cluster: tuple[Server, Server, _Inbox], tmp_path: Path) -> None:
    a, b, inbox = cluster
    # Both servers start on an empty database at once: each `kb serve` migrates it first.
    started = time.monotonic()
    for server in (a, b):
        server.start()
    deadline = started + 180
    for server in (a, b):
        server.wait_ready(deadline)
    for server in (a, b):
        server.start_worker()
    print(f"\ntwo servers ready in {time.monotonic() - started:.1f} s")
    records = corpus(TALENTS, prefix="two", outputs=1)
    a.place.run("import", str(write_jsonl(tmp_path / "talents.jsonl", records)))
    a.place.run("users", "create", "boss", "--role", "admin", "--password", PASSWORD, "--name", "管理员",
                "--unit", "罗湖区发展和改革局")
    token = a.place.run("users", "token", "boss").stdout.strip()
    _settled(a, time.monotonic() + 60)  # the import's own queue items
    ids = [r["id"] for r in records]
    before = _es_versions(a, ids)
    assert set(before) == set(ids)

    # 1. An edit through one server is found by search on the other within a second.
    kb = a.place.kb()
    with kb.sessions() as s:
        watermark = s.scalar(select(QueueItem.id).order_by(QueueItem.id.desc()).limit(1)) or 0
    visible: list[float] = []
    answered: list[float] = []
    for i, tid in enumerate(ids):
        writer, reader = (a, b) if i % 2 == 0 else (b, a)
        # letters only: a long run of digits in a need is read as a number, not as a word
        word = "scaleout" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))
        status, profile, headers = writer.api("GET", f"/talents/{tid}", token)
        assert status == 200, profile
        status, body, _ = writer.api("PATCH", f"/talents/{tid}", token, {"bio": f"研究{word}与跨境金融"},
                                     {"If-Match": headers["ETag"]})
        assert status == 200, body
        saved = time.monotonic()
        while True:
            asked = time.monotonic()
            if tid in _find(reader, token, word):
                break
            assert asked - saved < 5, (f"{reader.name} never found the edit saved on {writer.name} "
                                       f"(the writer finds: {_find(writer, token, word)}; {_indexed_text(a, tid, word)})"
                                       f"\n{_queue_state(a)}\n{_result_of(reader, token, word, tid)}")
            time.sleep(0.02)
        # visible: how long after the save a search that finds it was sent; answered: until it came back
        visible.append(asked - saved)
        answered.append(time.monotonic() - saved)
    print(f"\nedit on one server, search on the other ({len(ids)} edits): visible after "
          f"max {max(visible) * 1000:.0f} ms (median {_median(visible) * 1000:.0f} ms); "
          f"found by a search answered after max {max(answered) * 1000:.0f} ms "
          f"(median {_median(answered) * 1000:.0f} ms)")
    assert max(visible) < 1.0, visible

    # 2. The queue is drained exactly once across both servers and both workers.
    with kb.sessions() as s, s.begin():
        for i in range(MAILS):
            enqueue(s, MAIL_TOPIC, {"to": f"expert{i}@example.org", "subject": f"通知 {i}", "body": "scale-out"})
    queued = time.monotonic()
    _settled(a, queued + 60)
    print(f"{MAILS} e-mails sent by the two workers in {time.monotonic() - queued:.1f} s")
    with kb.sessions() as s:
        items = s.scalars(select(QueueItem).where(QueueItem.id > watermark)).all()
    kb.close()
    search_items = Counter(i.payload["talent"] for i in items if i.topic == SEARCH_TOPIC)
    assert search_items == Counter(ids), "one edit queues one index update"
    assert all(i.state == "done" and i.attempts == 1 for i in items), Counter((i.topic, i.state, i.attempts)
                                                                             for i in items)
    after = _es_versions(a, ids)
    writes = {tid: after[tid] - before[tid] for tid in ids}
    assert writes == dict.fromkeys(ids, 1), f"index writes per talent (must be 1 each): {writes}"
    delivered = Counter(inbox.recipients)
    assert delivered == Counter(f"expert{i}@example.org" for i in range(MAILS)), delivered
    print(f"queue: {len(items)} items, each applied once; {MAILS} e-mails delivered once each")

    # 3. A consultation draw made on one server is the one the other shows and replays.
    status, req, _ = a.api("POST", "/consultations", token, {
        "title": "供应链金融政策咨询", "background": "罗湖区供应链金融扶持办法修订", "questions": "供应链金融的风险？",
        "fields": ["banking"], "experts_wanted": 3, "open": True,
        "deadline": (date.today() + timedelta(days=30)).isoformat()})
    assert status == 201, req
    status, drawn, _ = a.api("POST", f"/consultations/{req['id']}/draw", token, {"pool_size": 10, "count": 3})
    assert status == 201, drawn
    status, seen, _ = b.api("GET", f"/consultations/{req['id']}", token)
    assert status == 200 and seen["draw_seed"] == drawn["seed"], seen
    status, again, _ = b.api("POST", f"/consultations/{req['id']}/draw", token,
                             {"pool_size": 10, "count": 3, "seed": drawn["seed"]})
    assert status == 201, again
    assert (again["pool"], again["picked"]) == (drawn["pool"], drawn["picked"]), (drawn, again)
