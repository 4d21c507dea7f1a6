"""``/metrics``: request latency by route, search stages, queue figures; no personal data; local or token only."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kb.talents.changes import SEARCH_TOPIC
from tests.ops.conftest import populate, queue_item
from tests.web.conftest import login
from tests.web.data import TALENTS

REPO = Path(__file__).resolve().parents[2]
QUERY = "跨境理财通 销售合规"


def samples(text: str) -> list:  # type: ignore[type-arg]
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels: str) -> float:
    found = [s.value for s in samples(text) if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert found, f"no {name}{labels} in the metrics"
    return sum(found)


def counts(text: str) -> dict[tuple[str, str], float]:
    """Requests counted so far per (endpoint, method)."""
    return {(s.labels["endpoint"], s.labels["method"]): s.value for s in samples(text)
            if s.name == "kb_http_request_duration_seconds_count"}


def test_a_search_shows_in_the_route_histogram_and_the_stage_timings(make_app) -> None:
    app, kb = make_app()
    populate(kb)
    client = app.test_client()
    login(client, "researcher")
    before = client.get("/metrics").get_data(as_text=True)
    n0 = counts(before).get(("search.search", "GET"), 0)
    assert client.get("/search", query_string={"q": QUERY}).status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    assert value(text, "kb_http_request_duration_seconds_count", endpoint="search.search", method="GET") == n0 + 1
    assert value(text, "kb_http_request_duration_seconds_bucket", endpoint="search.search", method="GET",
                 le="+Inf") == n0 + 1
    assert value(text, "kb_http_requests_total", endpoint="search.search", method="GET", status="200") >= 1
    stages = {s.labels["stage"] for s in samples(text) if s.name == "kb_search_stage_seconds_count"}
    assert {"analyze", "embed"} <= stages, stages
    assert value(text, "kb_search_duration_seconds_count", kind="search") >= 1


def test_the_api_search_is_measured_under_its_own_endpoint(make_app) -> None:
    from kb.accounts import get_user, issue_token

    app, kb = make_app()
    populate(kb)
    with kb.sessions() as session, session.begin():
        token = issue_token(session, get_user(session, "researcher"))
    client = app.test_client()
    # the registry belongs to the process: other tests' requests are counted too, so compare
    n0 = counts(client.get("/metrics").get_data(as_text=True)).get(("api.search", "GET"), 0)
    assert client.get("/api/v1/search", query_string={"q": QUERY},
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    assert value(text, "kb_http_request_duration_seconds_count", endpoint="api.search", method="GET") == n0 + 1


def test_metrics_carry_no_personal_data(make_app) -> None:
    app, kb = make_app()
    populate(kb)
    client = app.test_client()
    login(client, "researcher")
    before = counts(client.get("/metrics").get_data(as_text=True))
    client.get("/search", query_string={"q": QUERY})
    for talent in TALENTS:
        client.get(f"/talents/{talent['id']}")
    client.get("/talents/no-such-person-张三")
    text = client.get("/metrics").get_data(as_text=True)
    forbidden = [QUERY, "跨境", "researcher", "no-such-person", "张三"]
    forbidden += [t["id"] for t in TALENTS] + [t["name"] for t in TALENTS]
    forbidden += [v for t in TALENTS for v in t["contact"].values()]
    assert [f for f in forbidden if f in text] == []
    # what this test's requests were counted under: the app's endpoint names, or "unmatched" for
    # the 404 (never its path); other tests' apps add routes of their own to the process's registry
    after = counts(text)
    endpoints = {endpoint for (endpoint, _), n in after.items() if n > before.get((endpoint, _), 0)}
    known = {rule.endpoint for rule in app.url_map.iter_rules()} | {"unmatched"}
    assert "talents.profile" in endpoints and endpoints <= known, endpoints - known
    assert all(re.fullmatch(r"[a-z_.]+", e) for e in endpoints), endpoints


def test_queue_depth_age_and_index_lag(make_app) -> None:
    app, kb = make_app()
    queue_item(kb, due_ago_s=10, age_s=100)
    queue_item(kb, due_ago_s=-50, age_s=40)
    queue_item(kb, due_ago_s=5, age_s=7, topic="mail.send")
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert value(text, "kb_queue_depth", topic=SEARCH_TOPIC) == 2
    assert value(text, "kb_queue_depth", topic="mail.send") == 1
    assert 100 <= value(text, "kb_queue_oldest_age_seconds", topic=SEARCH_TOPIC) < 130
    assert 10 <= value(text, "kb_queue_lag_seconds", topic=SEARCH_TOPIC) < 40
    assert 100 <= value(text, "kb_index_lag_seconds") < 130


@pytest.mark.parametrize(("token", "remote", "header", "allowed"), [
    ("", "127.0.0.1", None, True),
    ("", "::1", None, True),
    ("", "203.0.113.7", None, False),
    ("", "10.0.0.5", None, False),
    ("s3cret-token-for-scrapes", "127.0.0.1", None, False),  # with a token, nobody gets in without it
    ("s3cret-token-for-scrapes", "203.0.113.7", "Bearer s3cret-token-for-scrapes", True),
    ("s3cret-token-for-scrapes", "203.0.113.7", "Bearer wrong", False),
    ("s3cret-token-for-scrapes", "127.0.0.1", "s3cret-token-for-scrapes", False),
])
def test_who_may_read_the_metrics(make_app, token: str, remote: str, header: str | None, allowed: bool) -> None:
    app, _ = make_app(**{"ops.metrics_token": token})
    headers = {"Authorization": header} if header else {}
    resp = app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert resp.status_code == (200 if allowed else 403)
    assert resp.headers["Cache-Control"] == "no-store"
    assert ("kb_index_lag_seconds" in resp.get_data(as_text=True)) is allowed


WORKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tests.ops.conftest import open_kb
    from web.app import create_app
    kb = open_kb(Path(sys.argv[1]))
    client = create_app(kb, TESTING=True).test_client()
    for _ in range(int(sys.argv[2])):
        assert client.get("/healthz").status_code == 200
    if len(sys.argv) > 3:
        Path(sys.argv[3]).write_bytes(client.get("/metrics").data)
    kb.close()
""")


def test_several_processes_are_counted_together(tmp_path: Path) -> None:
    """What kb serve sets up for its gunicorn workers: any one of them reports all of them."""
    from web.ops.multiprocess import fresh_metrics_env

    data = tmp_path / "data"
    name, _, path = fresh_metrics_env(data).partition("=")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), name: path}
    out = tmp_path / "scrape.txt"
    for count, extra in ((3, []), (4, []), (1, [str(out)])):
        proc = subprocess.run([sys.executable, "-c", WORKER, str(data), str(count), *extra], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text()
    assert value(text, "kb_http_request_duration_seconds_count", endpoint="ops.healthz", method="GET") == 8
    assert Path(path) == (data / "metrics").resolve() and any(Path(path).iterdir())
