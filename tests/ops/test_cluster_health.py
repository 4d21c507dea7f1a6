"""The search cluster's colour on ``/readyz``, ``/metrics`` and the admin system page.

The policy: green is ready; yellow (a node lost, a replica unassigned) is
ready but *degraded*, because every search and write still succeeds; red (a
primary unassigned) is not ready. The cluster health comes from a stand-in
here, for every colour and node count; ``tests/reliability/test_node_loss.py``
reads it from a real three-node cluster losing a node.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kb.health
from indexer import SearchUnavailable
from indexer.cluster import STATUSES, ClusterHealth
from kb.accounts import create_user
from kb.actors import Actor
from tests.ops.conftest import free_port
from tests.ops.test_metrics import value
from tests.web.conftest import login
from tests.web.data import PASSWORD

healths = st.builds(ClusterHealth, status=st.sampled_from(STATUSES), nodes=st.integers(1, 9),
                    data_nodes=st.integers(1, 9), unassigned_shards=st.integers(0, 4))


@given(healths)
def test_policy_green_ready_yellow_degraded_red_not_ready(health: ClusterHealth) -> None:
    check = kb.health.search_check(health)
    assert check.ok == (health.status != "red")
    assert check.degraded == (health.status == "yellow")
    assert health.status in check.detail and f"{health.nodes} node" in check.detail


def test_no_cluster_is_plain_ok() -> None:
    check = kb.health.search_check(None)
    assert check.ok and not check.degraded


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``stand_in(health)``: the cluster health every caller sees (a ClusterHealth, or an exception)."""
    def use(health: ClusterHealth | Exception) -> None:
        def fake(_kb: object) -> ClusterHealth:
            if isinstance(health, Exception):
                raise health
            return health
        monkeypatch.setattr(kb.health, "search_cluster_health", fake)
        import web.ops.metrics
        monkeypatch.setattr(web.ops.metrics, "search_cluster_health", fake)
    return use


@pytest.mark.parametrize(("status", "code"), [("green", 200), ("yellow", 200), ("red", 503)])
def test_readyz_status_follows_the_cluster_colour(make_app, stand_in, status: str, code: int) -> None:
    app, _ = make_app()
    stand_in(ClusterHealth(status, nodes=2, data_nodes=2, unassigned_shards=0 if status == "green" else 1))
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert resp.status_code == code, body
    assert body["search_cluster"] == {"status": status, "nodes": 2, "data_nodes": 2,
                                      "unassigned_shards": 0 if status == "green" else 1}
    assert body["not_ready"] == (["search"] if status == "red" else [])
    assert body["degraded"] == (["search"] if status == "yellow" else [])


def test_readyz_degraded_when_the_cluster_cannot_name_its_colour(make_app, stand_in) -> None:
    app, _ = make_app()
    stand_in(SearchUnavailable("master not discovered"))
    body = app.test_client().get("/readyz").get_json()
    assert body["ready"] is True and body["degraded"] == ["search"] and body["search_cluster"] is None


@pytest.mark.parametrize("status", STATUSES)
def test_metrics_carry_the_colour_and_nodes(make_app, stand_in, status: str) -> None:
    # the Elasticsearch backend is configured (nothing listens there); the health is the stand-in's
    app, _ = make_app(**{"search.backend": "elasticsearch",
                         "search.elasticsearch_url": f"http://127.0.0.1:{free_port()}"})
    stand_in(ClusterHealth(status, nodes=3, data_nodes=3, unassigned_shards=1))
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert value(text, "kb_search_cluster_reachable") == 1
    for colour in STATUSES:
        assert value(text, "kb_search_cluster_status", status=colour) == (1 if colour == status else 0)
    assert value(text, "kb_search_cluster_nodes") == 3
    assert value(text, "kb_search_cluster_unassigned_shards") == 1


def test_metrics_say_unreachable_when_no_node_answers(make_app) -> None:
    app, _ = make_app(**{"search.backend": "elasticsearch",
                         "search.elasticsearch_url": f"http://127.0.0.1:{free_port()}"})
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert value(text, "kb_search_cluster_reachable") == 0
    assert "kb_search_cluster_status" not in text


def test_embedded_backend_reports_no_cluster_metrics(make_app) -> None:
    app, _ = make_app()
    assert "kb_search_cluster" not in app.test_client().get("/metrics").get_data(as_text=True)


WORDS = {
    ("zh", "green"): "绿色", ("zh", "yellow"): "黄色", ("zh", "red"): "红色",
    ("en", "green"): "Green", ("en", "yellow"): "Yellow", ("en", "red"): "Red",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("status", STATUSES)
def test_admin_system_page_shows_the_cluster_state(make_app, stand_in, lang: str, status: str) -> None:
    app, kb = make_app()
    with kb.sessions() as session, session.begin():
        create_user(session, Actor.system("ops tests"), "admin", "admin", PASSWORD)
    stand_in(ClusterHealth(status, nodes=2, data_nodes=2, unassigned_shards=1))
    client = app.test_client()
    login(client, "admin")
    client.get(f"/lang/{lang}")
    page = client.get("/admin/system")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-cluster-status="{status}"' in html and WORDS[(lang, status)] in html
    not_ready = "未就绪" if lang == "zh" else "Not ready"
    assert (not_ready in html) == (status == "red")
    other = "zh" if lang == "en" else "en"
    assert WORDS[(other, status)] not in html, "one language per page"


def test_admin_system_page_is_for_administrators_only(make_app) -> None:
    app, kb = make_app()
    with kb.sessions() as session, session.begin():
        create_user(session, Actor.system("ops tests"), "researcher", "researcher", PASSWORD, unit="研究中心")
    client = app.test_client()
    login(client, "researcher")
    assert client.get("/admin/system").status_code == 403
