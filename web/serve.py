"""Run the web application: gunicorn in production, Flask's server with ``dev``.

Each serving process opens its own KnowledgeBase and starts the background
index sync, so a save reaches search within about a second without a
separate worker (``kb worker`` remains the way to run it out of process).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from indexer.embedding.base import available_cores
from kb.context import KnowledgeBase

log = logging.getLogger(__name__)


def _process_app() -> Flask:
    """The app of one serving process, with its own database pool and sync thread."""
    from web.app import create_app

    kb = KnowledgeBase()
    kb.init_db()  # a no-op once the schema is at head; the parent migrated before forking
    kb.start_background_sync()
    app = create_app(kb)
    _warm_search(kb)
    return app


def _warm_search(kb: KnowledgeBase) -> None:
    """Load the embedding model, the segmenter and the index before the first request.

    Otherwise the first searches a worker serves wait seconds for them (over
    ten for a sentence-transformers model) while holding request threads.
    A search backend that is down must not keep the site from starting.
    """
    from indexer import SearchQuery

    try:
        kb.search.search(SearchQuery("warm-up 预热", limit=1, with_facets=False))
    except Exception as exc:  # noqa: BLE001 - any failure here is reported by the first real search
        log.warning("search not warmed up at start: %s", exc)


def run(
    host: str = "127.0.0.1", port: int = 5000, dev: bool = False, workers: int = 2, threads: int = 1
) -> None:
    # One request thread per process by default: the requests are CPU work in Python, so a
    # second thread only shares its process's GIL with the first. At 20 clients on 2 cores,
    # 2 x 1 served as much as 2 x 2 with a lower p95 (docs/reliability.md). Requests that wait
    # on a network (a remote Elasticsearch or PostgreSQL) are what extra threads are for.
    # Each worker embeds with its share of the cores (see indexer.embedding.base.embedding_threads);
    # the workers inherit this environment when gunicorn forks them.
    os.environ.setdefault("KB_EMBEDDING_THREADS", str(max(1, available_cores() // max(1, workers))))
    # Migrate once before any worker starts, so workers never race on the schema.
    boot = KnowledgeBase()
    boot.init_db()
    boot.close()
    if dev:
        # With the reloader, the parent only watches files; the child serves.
        serving = os.environ.get("WERKZEUG_RUN_MAIN") == "true"
        app = _process_app() if serving else _placeholder_app()
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    GunicornApp(
        {"bind": f"{host}:{port}", "workers": max(1, workers), "threads": max(1, threads),
         "worker_class": "web.gunicorn_worker.BalancedThreadWorker", "timeout": 60,
         "accesslog": "-", "errorlog": "-", "forwarded_allow_ips": "127.0.0.1"},
    ).run()


def _placeholder_app() -> Flask:
    """The reloader's watching parent needs an app object but serves nothing."""
    from web.app import create_app

    return create_app(KnowledgeBase())


class GunicornApp(BaseApplication):  # type: ignore[misc]
    """gunicorn embedded: workers are forked, then each loads its own app."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:  # called in each worker after fork (preload_app is off)
        return _process_app()
