"""The Elasticsearch backend speaks one error language: ``SearchError``.

Callers (the queue, the web error handlers) distinguish "retry later"
(``SearchUnavailable``) from "this request is wrong" (any other
``SearchError``); neither may leak the client library's own exceptions. Every
status and transport failure is checked without a node: the translation is in
``Connection.call``, through which every cluster call goes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elastic_transport import ApiResponseMeta, ConnectionTimeout, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ApiError

from indexer.backends.elasticsearch.connection import RETRYABLE_STATUSES, Connection
from indexer.errors import SearchError, SearchUnavailable


def _api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "127.0.0.1", 9))
    return ApiError(f"status {status}", meta, {"error": {"type": "x"}})


@pytest.fixture
def connection() -> Iterator[Connection]:
    conn = Connection("http://127.0.0.1:9", "kbtest-errors")
    yield conn
    conn.close()


def _raise(exc: Exception):
    def fn():
        raise exc

    return fn


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504])
def test_every_refusal_is_a_search_error_and_only_overload_is_retryable(connection, status):
    with pytest.raises(SearchError) as info:
        connection.call(_raise(_api_error(status)))
    assert not isinstance(info.value, ApiError)
    assert isinstance(info.value, SearchUnavailable) == (status in RETRYABLE_STATUSES)
    assert connection.url in str(info.value)


@pytest.mark.parametrize(
    "exc", [TransportConnectionError("refused"), ConnectionTimeout("timed out")], ids=["refused", "timeout"]
)
def test_transport_failures_are_retryable(connection, exc):
    with pytest.raises(SearchUnavailable):
        connection.call(_raise(exc))


def test_an_unreachable_node_fails_as_search_unavailable_at_first_use(connection):
    with pytest.raises(SearchUnavailable):
        connection.live_indices()
