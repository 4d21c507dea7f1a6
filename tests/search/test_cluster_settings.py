"""A cluster in the configuration: every node's URL in ``search.elasticsearch_url``, replicas ``auto`` or a number.

The loader accepts exactly what the backend can use (each comma-separated
part an http(s) URL with a host; ``auto`` or a count of replicas), and a new
generation's settings follow: ``auto`` lets Elasticsearch keep one replica
whenever a second data node exists (none on the single test node, which
stays green), a number is taken as is.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.backends.base import IndexMeta
from indexer.backends.elasticsearch.connection import Connection
from indexer.backends.elasticsearch.mapping import index_body
from indexer.settings import elasticsearch_hosts, replica_count
from kb.settings import load_settings
from kb.settings.loader import SettingsError

hosts = st.lists(st.tuples(st.sampled_from(["http", "https"]), st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
                           st.integers(1, 65535)), min_size=1, max_size=5)


@given(hosts, st.sampled_from([",", ", ", " , "]))
def test_every_node_url_is_read_back_in_order(nodes: list[tuple[str, str, int]], sep: str) -> None:
    urls = [f"{scheme}://{host}:{port}" for scheme, host, port in nodes]
    assert elasticsearch_hosts(sep.join(urls)) == urls
    settings = load_settings({"search.elasticsearch_url": sep.join(urls)})
    assert elasticsearch_hosts(settings.search.elasticsearch_url) == urls


def test_the_client_is_given_every_node() -> None:
    conn = Connection("http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3", "alias")
    try:
        ports = sorted(node.port for node in conn.client.transport.node_pool.all())
        assert ports == [1, 2, 3]
    finally:
        conn.close()


@pytest.mark.parametrize("url", ["", ",", "http://a:9200,ftp://b", "http://a:9200,,nohost", "a:9200"])
def test_a_list_with_a_bad_part_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="elasticsearch_url"):
        load_settings({"search.elasticsearch_url": url})


@pytest.mark.parametrize(("value", "count"), [("auto", None), ("AUTO", None), ("0", 0), ("1", 1), ("2", 2)])
def test_replicas_auto_or_a_number(value: str, count: int | None) -> None:
    assert replica_count(value) == count
    assert load_settings({"search.elasticsearch_replicas": value}).search.elasticsearch_replicas == value


@pytest.mark.parametrize("value", ["-1", "one", "1.5", ""])
def test_other_replica_values_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="elasticsearch_replicas"):
        load_settings({"search.elasticsearch_replicas": value})


META = IndexMeta("hashing", 16, "a1", 1)


def test_auto_expands_to_one_replica_when_a_second_data_node_exists() -> None:
    settings = index_body(META)["settings"]
    assert settings["auto_expand_replicas"] == "0-1" and settings["number_of_replicas"] == 0


@given(st.integers(0, 5))
def test_a_number_of_replicas_is_fixed(count: int) -> None:
    settings = index_body(META, count)["settings"]
    assert settings["number_of_replicas"] == count and settings["auto_expand_replicas"] is False
