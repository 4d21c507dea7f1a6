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


def test_gunicorn_options_come_from_the_config_file_and_the_server_settings() -> None:
    from kb.settings import load_settings
    from web.serve import gunicorn_options

    server = load_settings({"server": {"host": "0.0.0.0", "port": 8123, "workers": 3, "threads": 2}},
                           environ={}).server
    options = gunicorn_options(server)
    assert options["worker_class"] == "web.gunicorn_worker.BalancedThreadWorker"  # the packaged gunicorn.conf.py
    assert (options["timeout"], options["accesslog"], options["forwarded_allow_ips"]) == (60, "-", "127.0.0.1")
    assert (options["bind"], options["workers"], options["threads"]) == ("0.0.0.0:8123", 3, 2)
    app = GunicornApp(options)
    assert app.cfg.worker_class_str == "web.gunicorn_worker.BalancedThreadWorker"
    assert app.cfg.bind == ["0.0.0.0:8123"] and app.cfg.timeout == 60


def test_an_operators_gunicorn_file_replaces_the_packaged_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kb.settings import load_settings
    from web.serve import gunicorn_options

    own = tmp_path / "gunicorn.conf.py"
    own.write_text('import os\nworker_class = "gthread"\ntimeout = 120\n_private = 1\n')
    options = gunicorn_options(load_settings(environ={"KB_GUNICORN_CONFIG": str(own)}).server)
    assert options["worker_class"] == "gthread" and options["timeout"] == 120 and "_private" not in options
    assert GunicornApp(options).cfg.timeout == 120  # the module `os` it imported is ignored


@pytest.mark.parametrize(("configured", "workers", "expected"), [(0, 1, None), (0, 2, None), (0, 64, 1), (3, 2, 3)])
def test_each_worker_embeds_with_its_share_of_the_cores(configured: int, workers: int, expected: int | None) -> None:
    from indexer.embedding.base import available_cores
    from kb.settings import load_settings
    from web.serve import serving_settings

    settings = load_settings({"search.embedding_threads": configured}, environ={})
    served = serving_settings(settings, workers=workers, host=None)
    share = expected if expected is not None else max(1, available_cores() // workers)
    assert served.search.embedding_threads == share
    assert served.server.workers == workers and served.server.host == settings.server.host


def test_kb_serve_passes_the_loaded_settings_and_its_options(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Options given on the command line win; the rest comes from the settings (here a variable)."""
    from click.testing import CliRunner

    import web.serve
    from kb.cli import main

    calls = []
    monkeypatch.setattr(web.serve, "run", lambda settings, **options: calls.append((settings, options)))
    result = CliRunner().invoke(main, ["serve", "--port", "5999"],
                                env={"KB_DATA_DIR": str(tmp_path), "KB_SERVER_WORKERS": "3", "KB_CONFIG": ""})
    assert result.exit_code == 0, result.output
    (settings, options), = calls
    assert options == {"host": None, "port": 5999, "dev": False, "workers": None, "threads": None}
    served = web.serve.serving_settings(settings, **{k: v for k, v in options.items() if k != "dev"})
    assert (served.server.host, served.server.port, served.server.workers) == ("127.0.0.1", 5999, 3)
    assert settings.data_dir == tmp_path
