"""Which state the search cluster is in: green, yellow or red, and how many nodes answer.

Elasticsearch's colours mean, for the product's own index: *green*, every copy
of every shard is assigned; *yellow*, every primary is assigned but a replica
is not (a node was lost: searches and writes still work, one more loss may
not be survivable); *red*, a primary is unassigned (some documents cannot be
searched or written). The embedded backend has no cluster, so it has no
health to report (``None``), and its readiness is the plain ping.

Readiness (``kb.health``) turns this into the load balancer's answer: yellow
is *degraded but ready*, red is *not ready*.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.backends.base import Backend

#: Cluster colours, best first.
STATUSES = ("green", "yellow", "red")
#: Seconds a health request may wait: readiness and metric scrapes must answer quickly.
HEALTH_TIMEOUT_S = 3.0
#: How long the cluster may take to name a master before the health request gives up.
MASTER_TIMEOUT = "2s"


@dataclass(frozen=True)
class ClusterHealth:
    """The search cluster as its health API reports it, for the product's index."""

    status: str
    nodes: int
    data_nodes: int
    unassigned_shards: int

    @property
    def serving(self) -> bool:
        """Every primary shard is assigned: searches and writes can succeed (green or yellow)."""
        return self.status in ("green", "yellow")

    @property
    def degraded(self) -> bool:
        """Serving, but a copy is missing: one more lost node may lose data or searches."""
        return self.status == "yellow"

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "nodes": self.nodes,
            "data_nodes": self.data_nodes,
            "unassigned_shards": self.unassigned_shards,
        }


def cluster_health(backend: Backend) -> ClusterHealth | None:
    """The cluster's health for ``backend``'s index; ``None`` for a backend without a cluster.

    Raises ``SearchUnavailable`` when no node answers.
    """
    from indexer.backends.elasticsearch import ElasticsearchBackend

    if not isinstance(backend, ElasticsearchBackend):
        return None
    conn = backend.connection
    # the alias's health: another index's red shard elsewhere on a shared cluster is not ours.
    # While a lost master is being replaced the answer waits for the new one: master_timeout
    # bounds that wait (503 then, which is SearchUnavailable), so a probe never hangs.
    client = conn.client.options(request_timeout=HEALTH_TIMEOUT_S, max_retries=1)
    resp = conn.call(lambda: client.cluster.health(index=conn.alias, master_timeout=MASTER_TIMEOUT))
    return ClusterHealth(
        status=str(resp["status"]),
        nodes=int(resp["number_of_nodes"]),
        data_nodes=int(resp["number_of_data_nodes"]),
        unassigned_shards=int(resp["unassigned_shards"]),
    )
