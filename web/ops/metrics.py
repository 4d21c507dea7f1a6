"""What ``/metrics`` reports, with the maintained ``prometheus_client`` library.

- ``kb_http_request_duration_seconds{endpoint,method}``: request latency by
  Flask endpoint name (``search.search``, ``api.get_talent``), never by URL:
  paths carry talent ids and query strings carry what users searched for.
- ``kb_http_requests_total{endpoint,method,status}``.
- ``kb_search_stage_seconds{kind,stage}`` and ``kb_search_duration_seconds{kind}``:
  the searcher's own stage timings (analyze, embed, collect, rescore, ...) of
  every search for a user, announced by ``kb.search_service.searched``.
- ``kb_queue_depth{topic}``, ``kb_queue_oldest_age_seconds{topic}``,
  ``kb_queue_lag_seconds{topic}`` and ``kb_index_lag_seconds``: read from the
  database when scraped (see ``kb.health`` for age versus lag).
- With an Elasticsearch backend, its cluster as it is when scraped:
  ``kb_search_cluster_reachable`` (0 when no node answered),
  ``kb_search_cluster_status{status}`` (1 for the current colour, 0 for the
  others, so an alert says ``kb_search_cluster_status{status="red"} == 1``),
  ``kb_search_cluster_nodes``, ``kb_search_cluster_data_nodes`` and
  ``kb_search_cluster_unassigned_shards``. The embedded backend has no cluster
  and reports none of them.

Several gunicorn workers: ``kb serve`` points prometheus_client's
multiprocess mode at ``<data_dir>/metrics`` (see ``multiprocess``), so a scrape
answered by any worker sums every worker's requests. Elsewhere (``kb serve
--dev``, tests) the counts are this process's own.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from indexer.cluster import STATUSES
from kb.context import KnowledgeBase
from kb.health import index_lag_s, queue_backlog, search_cluster_health
from kb.search_service import searched

#: This process's metrics (in multiprocess mode their values live in the shared directory).
REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0)
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

REQUEST_SECONDS = Histogram(
    "kb_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint and method.",
    ["endpoint", "method"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
REQUESTS = Counter(
    "kb_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
    registry=REGISTRY,
)
SEARCH_STAGE_SECONDS = Histogram(
    "kb_search_stage_seconds",
    "Time of one stage of a search (the searcher's own stage timings).",
    ["kind", "stage"],
    buckets=STAGE_BUCKETS,
    registry=REGISTRY,
)
SEARCH_SECONDS = Histogram(
    "kb_search_duration_seconds",
    "Time of a whole search inside the searcher.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    searched.connect(_record_search)  # blinker keeps one connection per receiver


def _start() -> None:
    g.ops_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.pop("ops_started", None)
    if started is not None:
        endpoint = request.endpoint or "unmatched"  # 404s: no route, and never the raw path
        REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    return response


def _record_search(_sender: object, kind: str, response: Any, timing: dict[str, float]) -> None:
    for name, ms in timing.items():
        SEARCH_STAGE_SECONDS.labels(kind, name.removesuffix("_ms")).observe(ms / 1000)
    took = getattr(response, "took_ms", None)
    if took is not None:
        SEARCH_SECONDS.labels(kind).observe(float(took) / 1000)


def multiprocess_mode() -> bool:
    """True when prometheus_client keeps values in the shared directory (set up by ``kb serve``)."""
    return values.ValueClass is not values.MutexValue


class QueueCollector:
    """Queue and index-lag gauges, read from the database at each scrape."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def collect(self) -> Any:
        depth = GaugeMetricFamily(
            "kb_queue_depth", "Open (pending or running) queue items.", labels=["topic"]
        )
        age = GaugeMetricFamily(
            "kb_queue_oldest_age_seconds", "Age of the oldest open queue item.", labels=["topic"]
        )
        lag = GaugeMetricFamily(
            "kb_queue_lag_seconds", "How long the most overdue open item has been due.", labels=["topic"]
        )
        with self.kb.sessions() as session:
            backlog = queue_backlog(session)
        for b in backlog:
            depth.add_metric([b.topic], b.depth)
            age.add_metric([b.topic], b.oldest_age_s)
            lag.add_metric([b.topic], b.lag_s)
        index = GaugeMetricFamily(
            "kb_index_lag_seconds",
            "How far the search index is behind the database (oldest unapplied change).",
        )
        index.add_metric([], index_lag_s(backlog))
        return [depth, age, lag, index]


class SearchClusterCollector:
    """The Elasticsearch cluster's colour and nodes, asked at each scrape (nothing for the embedded backend)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def collect(self) -> Any:
        from indexer import SearchError

        if self.kb.settings.search.backend != "elasticsearch":
            return []
        reachable = GaugeMetricFamily(
            "kb_search_cluster_reachable", "1 when a node of the search cluster answered the health request."
        )
        try:
            health = search_cluster_health(self.kb)
        except SearchError:  # unreachable, or an index to rebuild: /readyz says which
            health = None
        reachable.add_metric([], 1 if health else 0)
        if health is None:
            return [reachable]
        status = GaugeMetricFamily(
            "kb_search_cluster_status",
            "The search cluster's colour for the product's index: 1 for the current one.",
            labels=["status"],
        )
        for colour in STATUSES:
            status.add_metric([colour], 1 if health.status == colour else 0)
        nodes = GaugeMetricFamily("kb_search_cluster_nodes", "Nodes in the search cluster.")
        nodes.add_metric([], health.nodes)
        data_nodes = GaugeMetricFamily("kb_search_cluster_data_nodes", "Data nodes in the search cluster.")
        data_nodes.add_metric([], health.data_nodes)
        unassigned = GaugeMetricFamily(
            "kb_search_cluster_unassigned_shards", "Shard copies of the product's index with no node."
        )
        unassigned.add_metric([], health.unassigned_shards)
        return [reachable, status, nodes, data_nodes, unassigned]


def exposition(kb: KnowledgeBase) -> bytes:
    """The text a scrape receives: every worker's (or this process's) metrics, then the queue gauges."""
    if multiprocess_mode():
        shared = CollectorRegistry()
        MultiProcessCollector(shared)
        recorded = generate_latest(shared)
    else:
        recorded = generate_latest(REGISTRY)
    live = CollectorRegistry()
    live.register(QueueCollector(kb))
    live.register(SearchClusterCollector(kb))
    return recorded + generate_latest(live)


__all__ = ["CONTENT_TYPE_LATEST", "exposition", "init_app", "multiprocess_mode"]
