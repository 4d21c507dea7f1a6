"""A throw-away Elasticsearch cluster on this machine, driven through ``scripts/services``.

The node-loss test and benchmark need nodes they may kill: never the shared
test node, so the cluster gets its own state folder (``KB_SERVICES_DIR``) and
ports, found free here. ``kill`` is ``kill -9`` of one node's process (no
shutdown hook, no goodbye to the cluster: what a crashed machine looks like);
``up`` again starts only the missing node, on its data, and it rejoins.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from kb.settings.loader import child_environment

SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services"


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_run(count: int, start: int = 20000, stop: int = 60000) -> int:
    """The first port of ``count`` consecutive free ports (a cluster's nodes use base, base+1, ...)."""
    base = start + (os.getpid() * 7) % 1000 * 20  # spread concurrent runs apart
    while base + count < stop:
        if all(_free(base + i) for i in range(count)):
            return base
        base += count + 1
    raise RuntimeError("no run of free ports")


class LocalCluster:
    """``nodes`` Elasticsearch nodes in ``state`` (a folder of their own), each ``heap`` big."""

    def __init__(self, state: Path, nodes: int = 3, heap: str = "384m") -> None:
        self.state = state
        self.nodes = nodes
        self.http_base = free_port_run(nodes)
        self.transport_base = free_port_run(nodes, start=self.http_base + nodes + 1)
        self.env = child_environment({
            "KB_SERVICES_DIR": str(state),
            "KB_ES_PORT": str(self.http_base),
            "KB_ES_TRANSPORT_PORT": str(self.transport_base),
            "KB_ES_HEAP": heap,
            "KB_ES_NODES": str(nodes),
        })

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.http_base + i}" for i in range(self.nodes)]

    @property
    def url(self) -> str:
        """Every node, comma-separated: what ``search.elasticsearch_url`` takes."""
        return ",".join(self.urls)

    def services(self, *args: str, timeout: float = 300) -> float:
        """Run ``scripts/services ARGS elasticsearch``; returns the seconds it took."""
        started = time.perf_counter()
        proc = subprocess.run([str(SERVICES), *args, "elasticsearch"], env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/services {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
        return time.perf_counter() - started

    def up(self) -> float:
        """Start the missing nodes (all of them the first time) and wait until they form the cluster."""
        return self.services("up")

    def down(self) -> None:
        self.services("down")

    def pid(self, node: int) -> int:
        """The process id of node ``node`` (1-based, as scripts/services numbers them)."""
        return int((self.state / "elasticsearch" / f"node-{node}" / "node.pid").read_text().strip())

    def kill(self, node: int) -> None:
        """``kill -9`` node ``node``: gone at once, as if its machine died."""
        os.kill(self.pid(node), signal.SIGKILL)

    def rss_mb(self) -> float:
        """Resident memory of every running node together, in MiB (from /proc)."""
        total = 0
        for node in range(1, self.nodes + 1):
            try:
                status = Path(f"/proc/{self.pid(node)}/status").read_text()
            except (OSError, ValueError):
                continue
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        return total / 1024

    def get(self, path: str, timeout: float = 5.0) -> Any:
        """GET ``path`` as JSON from the first node that answers."""
        last: Exception | None = None
        for url in self.urls:  # whichever node still answers
            try:
                with urllib.request.urlopen(url + path, timeout=timeout) as resp:
                    return json.loads(resp.read())
            except OSError as exc:
                last = exc
        raise RuntimeError(f"no node answered {path}: {last}")

    def primary_node(self, index: str) -> int:
        """The node (1-based) holding the primary shard of ``index`` (an alias works too)."""
        shards = self.get(f"/_cat/shards/{index}?format=json&h=prirep,node,state")
        name = next(s["node"] for s in shards if s["prirep"] == "p" and s["state"] == "STARTED")
        return int(name.rsplit("-", 1)[1])  # scripts/services names them kb-es-1, kb-es-2, ...

    def health(self, index: str | None = None) -> dict[str, Any]:
        path = f"/_cluster/health/{index}" if index else "/_cluster/health"
        result: dict[str, Any] = self.get(path)
        return result

    def wait_for(self, status: str, index: str | None = None, nodes: int | None = None,
                 timeout: float = 120.0) -> float:
        """Wait until the cluster is ``status`` (and has ``nodes`` nodes); returns the seconds waited."""
        order = ("red", "yellow", "green")
        started = time.perf_counter()
        while True:
            try:
                health = self.health(index)
                if order.index(health["status"]) >= order.index(status) and (
                        nodes is None or health["number_of_nodes"] == nodes):
                    return time.perf_counter() - started
            except RuntimeError:
                pass
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"cluster not {status} with {nodes} node(s) after {timeout:.0f}s")
            time.sleep(0.25)
