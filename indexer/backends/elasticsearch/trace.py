"""Where a search's time goes in Elasticsearch: round trips, their wall time, the server's ``took``.

``Connection.call`` reports every request it makes to the trace active in the
calling context (if any). The scale benchmark opens one per search and prints
the requests per search, the client-side round-trip time and the time the
cluster itself reported (``took``), so the gap between them (HTTP, JSON, the
client library) is visible next to the query embedding and the ranking in
Python. Without an active trace recording costs one context-variable lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_ACTIVE: ContextVar[RequestTrace | None] = ContextVar("kb_es_request_trace", default=None)


@dataclass
class RequestTrace:
    """The Elasticsearch requests of one unit of work (one search, in the benchmark)."""

    requests: int = 0
    round_trip_ms: float = 0.0
    #: Sum of the ``took`` the cluster reported (search and msearch answers carry one).
    took_ms: float = 0.0

    def add(self, round_trip_ms: float, took_ms: float) -> None:
        self.requests += 1
        self.round_trip_ms += round_trip_ms
        self.took_ms += took_ms


@contextmanager
def tracing() -> Iterator[RequestTrace]:
    """Collect the requests made in this context (this thread, or this task) until the block ends."""
    trace = RequestTrace()
    token = _ACTIVE.set(trace)
    try:
        yield trace
    finally:
        _ACTIVE.reset(token)


def record(round_trip_ms: float, body: object) -> None:
    """Add one finished request to the active trace; ``body`` is its answer (``took`` read if present)."""
    trace = _ACTIVE.get()
    if trace is None:
        return
    took = body.get("took") if isinstance(body, dict) else None
    trace.add(round_trip_ms, float(took) if isinstance(took, (int, float)) else 0.0)
