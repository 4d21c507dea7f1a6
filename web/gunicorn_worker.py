"""gunicorn's threaded worker, changed so that busy processes do not hoard clients.

Stock gunicorn pins a keep-alive connection to the worker process that
accepted it for as long as the client keeps it open, and the process that
accepts is the one whose main thread wakes first — under load, the *busy* one.
Measured with 20 keep-alive clients and two workers: 17 or 18 connections on
one worker, which then served at one core (its GIL) while the other core idled
(108–165 req/s, search p95 240–360 ms, p50 of one worker's clients 5× the
other's).

Two rules, both taken from other servers, make the kernel's accept queue the
one fair line that all processes serve from:

* **accept only with room**: a worker takes a new connection only while fewer
  than ``threads + 1`` requests are in it (running or queued), as the sync
  worker does, so a newcomer waits for whichever process has room;
* **keep-alive only while nobody waits**: a response is sent with
  ``Connection: close`` when another request is already queued in this worker,
  or when connections wait in the kernel's accept queue (Linux reports its
  length for a listening socket), or after ``REQUESTS_PER_CONNECTION`` requests
  (nginx's ``keepalive_requests``). Apache's event MPM stops keeping
  connections alive when busy in the same spirit. The client reconnects
  through the accept queue. A server with room keeps connections alive as
  before.

Same run with both rules: clients evenly spread, p95 / p50 about 1.5 for every
endpoint. The accept-queue test in the second rule came later: without it, one
response in ten under load still kept its connection (the worker had not yet
taken the waiting connection when it answered: its main thread needs the GIL
to accept), and that client's next request went straight into the worker past
everyone in the queue (p50 25 ms against 130 ms for the others). Now every
client waits its turn (see docs/reliability.md).
"""

from __future__ import annotations

import socket
import struct
import sys
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

#: Requests answered on one connection before the client is asked to reconnect.
REQUESTS_PER_CONNECTION = 100

#: Requests a worker may hold beyond its running threads before it stops accepting.
ACCEPT_QUEUE = 1

#: ``struct tcp_info`` on Linux: a listening socket (state 10) reports its accept
#: queue length in ``tcpi_unacked``, the 32-bit field at byte 24.
_TCP_LISTEN = 10
_UNACKED_AT = 24
_TCP_INFO_SIZE = 104


def accept_queue_length(listener: Any) -> int | None:
    """Connections waiting to be accepted on ``listener``; None where the OS does not say."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    except (OSError, AttributeError):  # a Unix socket, or no TCP_INFO
        return None
    if len(info) < _UNACKED_AT + 4 or info[0] != _TCP_LISTEN:
        return None
    return int(struct.unpack_from("=I", info, _UNACKED_AT)[0])


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Requests handed to the thread pool and not finished; changed on the main thread only.
        self.in_flight = 0

    def enqueue_req(self, conn: Any) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.in_flight -= 1
        super().finish_request(conn, fs)

    def has_room(self) -> bool:
        return self.in_flight < self.cfg.threads + ACCEPT_QUEUE

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self.has_room())

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        # The main thread polls here; requests finished or started since the last poll change the room.
        # A stopping worker (not alive) keeps its listener closed.
        if self.alive:
            self.set_accept_enabled(self.nr_conns < self.worker_connections)
        super().wait_for_and_dispatch_events(timeout)

    def others_waiting(self) -> bool:
        """A request queued in this worker, or a connection in the kernel's accept queue."""
        if self.in_flight > self.cfg.threads:
            return True
        return any((accept_queue_length(listener) or 0) > 0 for listener in self.sockets)

    def handle_request(self, req: Any, conn: Any) -> bool:
        # A request thread; in_flight is read without a lock, and a stale value only shifts one decision.
        conn.kb_requests = getattr(conn, "kb_requests", 0) + 1
        if conn.kb_requests >= REQUESTS_PER_CONNECTION or self.others_waiting():
            req.force_close()  # answered with "Connection: close"; the client comes back through the accept queue
        return super().handle_request(req, conn)
