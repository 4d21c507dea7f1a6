"""``/healthz`` and ``/readyz`` as a load balancer uses them."""

from __future__ import annotations

import pytest

from kb.talents.changes import SEARCH_TOPIC
from tests.ops.conftest import free_port, queue_item


def test_healthz_answers_without_touching_database_or_search(make_app) -> None:
    app, kb = make_app()

    def broken() -> None:
        raise AssertionError("healthz must do no I/O")

    kb.__dict__["sessions"] = broken  # cached properties: replaced on the instance
    kb.__dict__["search"] = broken
    try:
        resp = app.test_client().get("/healthz")
    finally:
        del kb.__dict__["sessions"], kb.__dict__["search"]
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_ready_when_database_search_and_queue_are_fine(make_app) -> None:
    app, _ = make_app()
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["ready"] is True and body["not_ready"] == []
    assert set(body["checks"]) == {"database", "search", "queue"}


def test_not_ready_when_the_search_backend_is_down(make_app) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # an Elasticsearch that is not there: connection refused
    app, _ = make_app(**{"search.backend": "elasticsearch", "search.elasticsearch_url": url})
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503
    assert body["not_ready"] == ["search"] and body["checks"]["search"]["detail"] == "unavailable"
    assert "127.0.0.1" not in resp.get_data(as_text=True), "no connection details for whoever polls"


@pytest.mark.elasticsearch
def test_ready_with_a_reachable_elasticsearch(make_app, es_url: str) -> None:
    import uuid

    alias = f"kbops-{uuid.uuid4().hex[:10]}"
    app, kb = make_app(**{"search.backend": "elasticsearch", "search.elasticsearch_url": es_url,
                          "search.elasticsearch_index": alias})
    try:
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        kb.search.backend.drop()


@pytest.mark.parametrize(("limit", "overdue", "ready"), [
    (60, 0, True), (60, 30, True), (60, 90, False), (600, 500, True), (600, 700, False)])
def test_not_ready_when_due_work_waits_longer_than_the_limit(make_app, limit: int, overdue: int,
                                                             ready: bool) -> None:
    app, kb = make_app(**{"ops.ready_max_queue_lag_s": limit})
    queue_item(kb, due_ago_s=overdue, age_s=overdue + 5)
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert (resp.status_code == 200) is ready, body
    assert body["not_ready"] == ([] if ready else ["queue"])
    if not ready:
        assert SEARCH_TOPIC in body["checks"]["queue"]["detail"]


def test_work_backing_off_during_an_outage_is_not_lag(make_app) -> None:
    """Queued an hour ago but retried later (its server was down): the workers are not behind."""
    app, kb = make_app(**{"ops.ready_max_queue_lag_s": 60})
    queue_item(kb, due_ago_s=-120, age_s=3600, topic="mail.send")
    assert app.test_client().get("/readyz").status_code == 200


def test_not_ready_when_the_database_is_gone(make_app, tmp_path) -> None:
    database = tmp_path / "kb.sqlite3"
    app, kb = make_app(**{"database.url": f"sqlite:///{database}"})
    kb.engine.dispose()
    database.unlink()
    database.mkdir()  # a directory where the database file was: SQLite cannot open it
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503
    assert body["not_ready"] == ["database", "queue"]
