"""Run the web application: gunicorn in production, Flask's server with ``dev``.

The settings are loaded once, in the parent, and every serving process uses
that object (gunicorn forks the workers, so they inherit it). Each serving
process opens its own KnowledgeBase and starts the background index sync, so
a save reaches search within about a second without a separate worker
(``kb worker`` remains the way to run it out of process).
"""

from __future__ import annotations

import runpy
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from indexer.embedding.base import available_cores
from kb.context import KnowledgeBase
from kb.settings import ServerSettings, Settings
from kb.settings.files import packaged
from web.ops.multiprocess import fresh_metrics_env


def _process_app(settings: Settings | None = None) -> Flask:
    """The app of one serving process, with its own database pool and sync thread."""
    from web.app import create_app

    kb = KnowledgeBase(settings)
    kb.init_db()  # a no-op once the schema is at head; the parent migrated before forking
    app = create_app(kb)
    # Warm before the sync thread starts, so it never claims a queued edit while cold.
    kb.warm_search()
    kb.start_background_sync()
    return app


def serving_settings(settings: Settings, **options: Any) -> Settings:
    """``settings`` with ``kb serve``'s options (host, port, workers, threads; None: keep) applied.

    One request thread per process by default (server.threads): the requests are CPU work
    in Python, so a second thread only shares its process's GIL with the first. At 20
    clients on 2 cores, 2 x 1 served as much as 2 x 2 with a lower p95 (docs/reliability.md).
    Each worker embeds with its share of the cores unless search.embedding_threads says
    otherwise: idle-spinning pools in every worker would take the cores from one another.
    """
    server = replace(settings.server, **{k: v for k, v in options.items() if v is not None})
    search = settings.search
    if search.embedding_threads == 0:
        search = replace(search, embedding_threads=max(1, available_cores() // max(1, server.workers)))
    return replace(settings, server=server, search=search)


def gunicorn_options(server: ServerSettings) -> dict[str, Any]:
    """The gunicorn configuration file's settings (config/gunicorn.conf.py unless
    server.gunicorn_config names another), then bind, workers and threads from ``server``."""
    path = server.gunicorn_config or packaged("gunicorn.conf.py")
    options = {k: v for k, v in runpy.run_path(str(Path(path))).items() if not k.startswith("_")}
    options.update(bind=f"{server.host}:{server.port}", workers=server.workers, threads=server.threads)
    return options


def run(settings: Settings, *, dev: bool = False, **options: Any) -> None:
    settings = serving_settings(settings, **options)
    # Migrate once before any worker starts, so workers never race on the schema.
    boot = KnowledgeBase(settings)
    boot.init_db()
    boot.close()
    if dev:
        from werkzeug.serving import is_running_from_reloader

        # With the reloader, the parent only watches files; the child serves.
        app = _process_app(settings) if is_running_from_reloader() else _placeholder_app(settings)
        app.run(host=settings.server.host, port=settings.server.port, debug=True, use_reloader=True)
        return
    options = gunicorn_options(settings.server)
    # Every worker's metrics in one place, so /metrics sums them (web/ops/multiprocess.py).
    options["raw_env"] = [*options.get("raw_env", []), fresh_metrics_env(settings.data_dir)]
    GunicornApp(options, settings).run()


def _placeholder_app(settings: Settings) -> Flask:
    """The reloader's watching parent needs an app object but serves nothing."""
    from web.app import create_app

    return create_app(KnowledgeBase(settings))


class GunicornApp(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: workers are forked, then each loads its own app."""

    def __init__(self, options: dict[str, Any], settings: Settings | None = None) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:  # called in each worker after fork (preload_app is off)
        return _process_app(self.settings)
