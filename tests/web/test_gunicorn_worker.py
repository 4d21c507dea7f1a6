"""The serving worker shares keep-alive clients between processes and keeps connections when idle.

A real gunicorn (two processes, two threads each, the worker class ``kb serve``
uses) runs a tiny WSGI app that holds the GIL for a few milliseconds per request
and answers with its process id — the shape of the product's requests without
its start-up cost.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.load.client import Connection

ROOT = Path(__file__).resolve().parents[2]

APP = '''
import os, time

def app(environ, start_response):
    deadline = time.perf_counter() + 0.004
    while time.perf_counter() < deadline:  # Python work, GIL held, like rendering a page
        pass
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "pid_app.py").write_text(APP)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(tmp_path), "--workers", "2", "--threads", "2",
         "--worker-class", "web.gunicorn_worker.BalancedThreadWorker", "--bind", f"127.0.0.1:{port}",
         "pid_app:app"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                asyncio.run(Connection("127.0.0.1", port).request("GET", "/", timeout=2))
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        time.sleep(1.0)  # both workers up, not only the first
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_concurrent_keep_alive_clients_are_served_by_both_processes(server: int) -> None:
    async def run() -> Counter[str]:
        served: Counter[str] = Counter()

        async def client() -> None:
            conn = Connection("127.0.0.1", server)
            for _ in range(60):
                served[(await conn.request("GET", "/")).body.decode()] += 1
            await conn.close()

        await asyncio.gather(*(client() for _ in range(12)))  # connect at the same moment, as in a load burst
        return served

    served = asyncio.run(run())
    assert len(served) == 2, served
    # Stock gthread puts most of a simultaneous burst on one process for the clients' lifetime.
    assert min(served.values()) >= 0.3 * sum(served.values()), served


def test_a_lone_client_keeps_its_connection(server: int) -> None:
    async def run() -> list[str]:
        conn = Connection("127.0.0.1", server)
        closes = [(await conn.request("GET", "/")).headers.get("connection", "") for _ in range(100)]
        await conn.close()
        return closes

    closes = asyncio.run(run())
    assert "close" not in closes[:99]         # no handshake per request when the server has room
    assert closes[99] == "close"              # and a bounded number of requests per connection


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the accept queue length is read from Linux's TCP_INFO")
def test_the_accept_queue_length_is_read_from_the_kernel() -> None:
    """The keep-alive rule asks the kernel how many connections wait to be accepted."""
    from web.gunicorn_worker import accept_queue_length

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        assert accept_queue_length(listener) == 0
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        try:
            deadline = time.monotonic() + 5
            while accept_queue_length(listener) != 3 and time.monotonic() < deadline:
                time.sleep(0.01)  # the handshakes complete in the kernel, asynchronously
            assert accept_queue_length(listener) == 3
            accepted, _ = listener.accept()
            accepted.close()
            assert accept_queue_length(listener) == 2
        finally:
            for c in clients:
                c.close()
    with socket.socket(socket.AF_UNIX) as unix:
        assert accept_queue_length(unix) is None  # not a TCP listener: the rule falls back to its other tests


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the accept queue length is read from Linux's TCP_INFO")
def test_a_connection_is_not_kept_while_another_client_waits_to_be_accepted() -> None:
    from types import SimpleNamespace

    from web.gunicorn_worker import BalancedThreadWorker

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        worker = object.__new__(BalancedThreadWorker)  # only the decision, without a running server
        worker.sockets, worker.cfg, worker.in_flight = [listener], SimpleNamespace(threads=1), 1
        assert not worker.others_waiting()  # alone: keep the connection
        waiting = socket.create_connection(listener.getsockname())
        try:
            deadline = time.monotonic() + 5
            while not worker.others_waiting() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert worker.others_waiting()  # someone in the accept queue: this client goes back in line
        finally:
            waiting.close()
        accepted, _ = listener.accept()
        accepted.close()
        assert not worker.others_waiting()
        worker.in_flight = 2  # a request queued inside the worker counts too
        assert worker.others_waiting()
