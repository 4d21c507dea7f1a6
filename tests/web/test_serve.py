"""web.serve: the embedded gunicorn application and the per-process app."""

from __future__ import annotations

import pytest

from web.serve import GunicornApp, _process_app


def test_gunicorn_application_takes_our_options() -> None:
    app = GunicornApp({"bind": "127.0.0.1:5999", "workers": 3, "worker_class": "gthread", "threads": 2,
                       "timeout": 60, "accesslog": "-", "errorlog": "-", "forwarded_allow_ips": "127.0.0.1"})
    assert app.cfg.bind == ["127.0.0.1:5999"]
    assert app.cfg.workers == 3 and app.cfg.threads == 2


def test_each_process_opens_its_own_knowledge_base(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KB_SECRET_KEY", "serve-test")
    app = _process_app()
    kb = app.extensions["kb"]
    try:
        assert kb._sync_thread is not None and kb._sync_thread.is_alive()  # background index sync runs
        assert app.test_client().get("/login").status_code == 200       # and the schema is there
    finally:
        kb.close()
