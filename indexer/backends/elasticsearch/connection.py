"""The Elasticsearch client, its error translation and the alias's generations.

Every call to the cluster goes through ``Connection.call`` so that transport
failures become ``SearchUnavailable`` (the caller queues the change and
retries) and anything else the cluster refuses becomes a ``SearchError``:
callers handle search errors by one type, never by the client library's own.

An alias (``luohu-talents``) points at one concrete generation
(``luohu-talents-v<N>``); ``rebuild`` fills the next one and swaps the alias.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from indexer.backends.base import IndexMeta
from indexer.backends.elasticsearch import trace
from indexer.backends.elasticsearch.mapping import LAYOUT, index_body
from indexer.backends.elasticsearch.serializers import orjson_serializers
from indexer.errors import IndexMismatch, SearchError, SearchUnavailable
from indexer.settings import elasticsearch_hosts

T = TypeVar("T")

#: HTTP statuses that mean "try again later" rather than "this request is wrong".
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def body_of(resp: Any) -> Any:
    """The JSON body of a client response (``ObjectApiResponse`` or a plain dict)."""
    return resp.body if hasattr(resp, "body") else resp


class Connection:
    """One client for one alias; knows the alias's generations."""

    def __init__(self, url: str, alias: str, timeout: float = 10.0, replicas: int | None = None) -> None:
        from elasticsearch import Elasticsearch

        self.url = url
        self.alias = alias
        # every node of a cluster: a request to a lost node is retried once on each other node
        hosts = elasticsearch_hosts(url)
        self.replicas = replicas
        self.client = Elasticsearch(
            hosts,
            request_timeout=timeout,
            max_retries=max(1, len(hosts)),
            retry_on_timeout=False,
            serializers=orjson_serializers(),
        )

    def call(self, fn: Callable[[], T]) -> T:
        """Run a client call, translating the client's exceptions into ``SearchError``s.

        The call is reported to the active ``trace`` (the scale benchmark's stage timings).
        """
        from elastic_transport import ConnectionError as TransportConnectionError
        from elastic_transport import ConnectionTimeout, SerializationError
        from elasticsearch import ApiError

        try:
            started = time.perf_counter()
            result = fn()
            trace.record((time.perf_counter() - started) * 1000, body_of(result))
            return result
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise SearchUnavailable(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        except ApiError as exc:
            if exc.meta.status in RETRYABLE_STATUSES:
                raise SearchUnavailable(f"Elasticsearch at {self.url} cannot serve: {exc}") from exc
            raise SearchError(f"Elasticsearch at {self.url} refused a request: {exc}") from exc
        except SerializationError as exc:
            raise SearchUnavailable(f"Elasticsearch at {self.url} sent an unreadable answer: {exc}") from exc

    def close(self) -> None:
        self.client.close()

    # -- generations behind the alias --------------------------------------------------
    def generation_name(self, version: int) -> str:
        return f"{self.alias}-v{version}"

    def live_indices(self) -> list[str]:
        """Concrete indices the alias points at (one, except during a botched swap)."""
        body = body_of(
            self.call(lambda: self.client.options(ignore_status=404).indices.get_alias(name=self.alias))
        )
        if not isinstance(body, dict) or "error" in body or body.get("status") == 404:
            return []
        return sorted(body)

    def versions(self) -> list[int]:
        """Version numbers of every generation that exists, live or not."""
        body = body_of(
            self.call(lambda: self.client.options(ignore_status=404).indices.get(index=f"{self.alias}-v*"))
        )
        pattern = re.compile(rf"^{re.escape(self.alias)}-v(\d+)$")
        return sorted(int(m.group(1)) for name in body if (m := pattern.match(name)))

    def create_generation(self, meta: IndexMeta) -> str:
        """Create the next generation (not yet behind the alias) and return its name."""
        name = self.generation_name(max(self.versions(), default=0) + 1)
        body = index_body(meta, self.replicas)
        self.call(
            lambda: self.client.indices.create(
                index=name, settings=body["settings"], mappings=body["mappings"]
            )
        )
        return name

    def create_first_generation(self, meta: IndexMeta) -> str:
        """Create the generation behind an alias that has none; returns the live generation.

        Several app servers started at once on a new index each find no alias, and
        each would create a generation and point the alias at it: the alias ends on
        one of them and whatever the others wrote meanwhile is lost. Here they all
        pick the same name and the alias is attached in the creating call: the
        generations are listed *before* the alias is looked up, so a process that
        misses the alias also missed the generation behind it and picks that same
        name, which Elasticsearch then refuses to create twice; the refused ones use
        it. Should two generations still end up behind the alias, the lowest stays
        (``remove_index`` takes a later one away with its alias in one step).
        """
        versions = self.versions()
        live = self.live_indices()
        if not live:
            name = self.generation_name(max(versions, default=0) + 1)
            body = index_body(meta, self.replicas)
            created = body_of(self.call(lambda: self.client.options(ignore_status=400).indices.create(
                index=name, settings=body["settings"], mappings=body["mappings"], aliases={self.alias: {}})))
            refused = created.get("error") if isinstance(created, dict) else None
            if refused and refused.get("type") != "resource_already_exists_exception":
                raise SearchError(f"Elasticsearch at {self.url} refused to create {name}: {refused}")
            live = sorted(self.live_indices(), key=lambda index: int(index.rsplit("-v", 1)[-1]))
            if not live:
                raise SearchError(f"the alias {self.alias} points at nothing after creating {name}")
            if name in live and live[0] != name:
                self.call(lambda: self.client.indices.update_aliases(actions=[{"remove_index": {"index": name}}]))
        return live[0]

    def wait_started(self, index: str, timeout_s: int = 10) -> None:
        """Wait (up to ``timeout_s``) until ``index`` has its primary shards started.

        A generation another process has just created is behind the alias before its
        shards have started, and searches fail until they have. A cluster that stays
        red longer is not waited out here: the searches report it themselves.
        """
        # A new index whose primary is not yet assigned or still initializing already
        # counts as yellow, so wait for the active shard itself: each generation has one
        # (mapping.index_body), and a replica cannot be active before its primary.
        self.call(lambda: self.client.options(ignore_status=408).cluster.health(
            index=index, wait_for_active_shards="1", timeout=f"{timeout_s}s"))

    def point_alias_at(self, index: str) -> list[str]:
        """Move the alias to ``index`` in one atomic call; returns the indices it left."""
        old = self.live_indices()
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": index, "alias": self.alias}})
        self.call(lambda: self.client.indices.update_aliases(actions=actions))
        return old

    def drop_generations(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        """Delete every generation except those in ``keep``."""
        for version in self.versions():
            name = self.generation_name(version)
            if name not in keep:
                self.drop_index(name)

    def drop_index(self, index: str) -> None:
        self.call(lambda: self.client.options(ignore_status=404).indices.delete(index=index))

    def refresh(self, index: str) -> None:
        self.call(lambda: self.client.indices.refresh(index=index))

    def set_refresh_interval(self, index: str, interval: str) -> None:
        """``"-1"`` while bulk-filling a generation, ``"1s"`` once it serves."""
        self.call(
            lambda: self.client.indices.put_settings(index=index, settings={"refresh_interval": interval})
        )

    def check_meta(self, index: str, meta: IndexMeta) -> None:
        """Raise ``IndexMismatch`` unless ``index`` was built with this embedder and analyzer."""
        mapping = self.call(lambda: self.client.indices.get_mapping(index=index))
        stored = mapping[index]["mappings"].get("_meta", {})
        try:
            theirs = IndexMeta(
                stored["embedder"], int(stored["dim"]), stored["analyzer"], int(stored["schema"])
            )
        except KeyError as exc:
            raise IndexMismatch(f"index {index} has no search metadata; rebuild it") from exc
        diff = meta.differences(theirs)
        if stored.get("layout") != LAYOUT:
            diff.append(f"mapping layout: index has {stored.get('layout', 1)!r}, this version writes {LAYOUT!r}")
        if diff:
            raise IndexMismatch(f"index {index} was built differently: {'; '.join(diff)}. Run a rebuild.")
