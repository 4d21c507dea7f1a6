"""Is this server ready to serve, and how far behind is queued work?

Load balancers ask ``readiness`` (through ``/readyz``) before sending traffic:
the database must answer, the search backend must answer, and queued work
must not be overdue by more than a configured limit. Monitoring reads the
same queue figures (``queue_backlog``) as metrics.

Two delays are kept apart on purpose. *Lag* is how long work that is due has
waited for a worker: it grows when workers are missing or too slow, which is
a reason to stop sending traffic here. *Age* counts from when the work was
queued, including retries backing off while a mail or search server is down:
the search topic's age is how far the index is behind the database (``index
lag``), reported as a metric but not a readiness failure (the search check
already reports an unreachable backend, and an unreachable mail server must
not take every app server out of rotation).

An Elasticsearch cluster also has a colour (``indexer.cluster``). Yellow (a
node lost, a replica missing) is *degraded but ready*: every search and write
still succeeds, so taking app servers out of rotation would turn a warning
into an outage; the check stays ok and says ``degraded``. Red (a primary
shard unassigned) is *not ready*: some talents can be neither found nor
updated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from indexer.cluster import ClusterHealth, cluster_health
from kb.context import KnowledgeBase
from kb.models import QueueItem, utcnow
from kb.talents.changes import SEARCH_TOPIC

log = logging.getLogger(__name__)

#: Queue states that are work still to do.
OPEN_STATES = ("pending", "running")


@dataclass(frozen=True)
class TopicBacklog:
    """Open work of one queue topic."""

    topic: str
    depth: int
    #: Seconds since the oldest open item was queued (0 when none).
    oldest_age_s: float
    #: Seconds the longest-overdue open item has been due (0 when nothing is due).
    lag_s: float


def queue_backlog(session: Session, now: datetime | None = None) -> list[TopicBacklog]:
    """Depth, age and lag of every topic with open work, in one query."""
    now = now or utcnow()
    due = (
        select(
            QueueItem.topic,
            func.count(),
            func.min(QueueItem.created_at),
            func.min(QueueItem.run_after),
        )
        .where(QueueItem.state.in_(OPEN_STATES))
        .group_by(QueueItem.topic)
    )
    out = []
    for topic, depth, oldest, first_due in session.execute(due):
        out.append(
            TopicBacklog(
                topic=topic,
                depth=int(depth),
                oldest_age_s=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
                lag_s=max(0.0, (now - first_due).total_seconds()) if first_due else 0.0,
            )
        )
    return sorted(out, key=lambda b: b.topic)


def index_lag_s(backlog: list[TopicBacklog]) -> float:
    """How far the search index is behind the database: the age of the oldest unapplied change."""
    return next((b.oldest_age_s for b in backlog if b.topic == SEARCH_TOPIC), 0.0)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    #: Short and free of personal data and connection details (load balancers log it).
    detail: str
    #: Working, but with less margin than it should have (a yellow search cluster).
    degraded: bool = False


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]
    #: The search cluster's health when the backend has a cluster and answered (else None).
    search_cluster: ClusterHealth | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, object]:
        return {
            "ready": self.ok,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail, "degraded": c.degraded} for c in self.checks},
            "not_ready": [c.name for c in self.checks if not c.ok],
            "degraded": [c.name for c in self.checks if c.ok and c.degraded],
            "search_cluster": self.search_cluster.as_dict() if self.search_cluster else None,
        }


def readiness(kb: KnowledgeBase, max_queue_lag_s: float) -> Readiness:
    """Database, search backend (and its cluster) and queue lag, each checked even when another failed."""
    database, queue = _database_and_queue(kb, max_queue_lag_s)
    search, cluster = _search(kb)
    return Readiness((database, search, queue), cluster)


def _database_and_queue(kb: KnowledgeBase, max_queue_lag_s: float) -> tuple[Check, Check]:
    try:
        with kb.sessions() as session:
            session.execute(text("SELECT 1"))
            backlog = queue_backlog(session)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the log has the cause
        log.warning("readiness: database unreachable: %s", exc)
        return Check("database", False, "unreachable"), Check("queue", False, "unknown: no database")
    lag = max((b.lag_s for b in backlog), default=0.0)
    if lag > max_queue_lag_s:
        late = ", ".join(b.topic for b in backlog if b.lag_s > max_queue_lag_s)
        return Check("database", True, "ok"), Check(
            "queue", False, f"work overdue by {lag:.0f} s (limit {max_queue_lag_s:.0f} s): {late}"
        )
    return Check("database", True, "ok"), Check("queue", True, f"most overdue {lag:.0f} s")


def _search(kb: KnowledgeBase) -> tuple[Check, ClusterHealth | None]:
    from indexer import IndexMismatch, SearchUnavailable

    try:
        kb.search.ping()
    except SearchUnavailable as exc:
        log.warning("readiness: search backend unavailable: %s", exc)
        return Check("search", False, "unavailable"), None
    except IndexMismatch as exc:
        log.warning("readiness: search index needs a rebuild: %s", exc)
        return Check("search", False, "index built with another embedder or analyzer: run kb reindex"), None
    except Exception as exc:  # noqa: BLE001 - not ready whatever the cause; the log has it
        log.warning("readiness: search backend failed: %s", exc)
        return Check("search", False, "failed"), None
    try:
        cluster = search_cluster_health(kb)
    except SearchUnavailable as exc:
        # a node answered the ping, so searches are served; the cluster could not say its colour
        # in time (a lost master being replaced): degraded, not a reason to drop this server
        log.warning("readiness: search cluster health unknown: %s", exc)
        return Check("search", True, "cluster health unknown", degraded=True), None
    return search_check(cluster), cluster


def search_cluster_health(kb: KnowledgeBase) -> ClusterHealth | None:
    """The search cluster's health (``None`` for the embedded backend); ``SearchUnavailable`` if none answers."""
    return cluster_health(kb.search.backend)


def search_check(cluster: ClusterHealth | None) -> Check:
    """The readiness policy for the cluster's colour: green ok, yellow ok but degraded, red not ready."""
    if cluster is None:
        return Check("search", True, "ok")
    detail = f"cluster {cluster.status}, {cluster.nodes} node(s)"
    if cluster.unassigned_shards:
        detail += f", {cluster.unassigned_shards} unassigned shard(s)"
    return Check("search", cluster.serving, detail, degraded=cluster.degraded)
