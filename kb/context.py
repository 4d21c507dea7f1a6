"""The knowledge base as one object: settings, database and search, opened lazily.

The CLI, the web app and the worker each make one ``KnowledgeBase``; nothing
else opens engines or indexes. Configuration comes in as one ``Settings``
object (``kb.settings.load_settings()`` when none is given) and each part of
the product gets its section from it.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kb import schema
from kb.db import make_engine, make_session_factory
from kb.settings import Settings, load_settings

if TYPE_CHECKING:  # imported when first used: a web request that never searches loads no model
    from indexer import ExpertSearch
    from indexer.knowledge import KnowledgeSearch
    from kb.queue import DrainReport


log = logging.getLogger(__name__)


class KnowledgeBase:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._sync_thread: threading.Thread | None = None
        self._sync_stop = threading.Event()

    @cached_property
    def engine(self) -> Engine:
        if self.settings.database.url.startswith("sqlite"):
            self.settings.ensure_data_dir()
        return make_engine(self.settings.database.url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def search(self) -> ExpertSearch:
        from indexer import open_search

        return open_search(self.settings.search)

    @cached_property
    def knowledge(self) -> KnowledgeSearch:
        """The knowledge index (advice, outputs, stage results, questions), sharing the expert embedder."""
        from indexer.knowledge import open_knowledge_search

        return open_knowledge_search(self.settings.search, embedder=self.search.embedder)

    def warm_search(self) -> None:
        """Load the embedding model, the segmenter and the index before real work arrives.

        A cold process would otherwise spend seconds (over ten for a
        sentence-transformers model) on its first search or on the first queue item
        it claims: with several servers and workers, whichever process claims an edit
        is the one that makes it searchable, so a cold one delays it for everybody.
        A search backend that is down must not keep the process from starting.
        """
        from indexer import SearchQuery

        try:
            self.search.search(SearchQuery("warm-up 预热", limit=1, with_facets=False))
        except Exception as exc:  # noqa: BLE001 - any failure here is reported by the first real use
            log.warning("search not warmed up at start: %s", exc)

    def init_db(self) -> str:
        return schema.upgrade(self.engine)

    def sync_search(self) -> DrainReport:
        """Apply every queued change to the index; raises nothing if the index is down."""
        from kb.talents.search_sync import drain_search_queue

        return drain_search_queue(self.sessions, self.search)

    def sync_knowledge(self) -> DrainReport:
        """Apply every queued change to the knowledge index."""
        from kb.knowledge.sync import drain_knowledge_queue

        return drain_knowledge_queue(self.sessions, self.knowledge)

    def start_background_sync(self, interval: float = 0.5) -> None:
        """Drain the search queue in a daemon thread, so saves in this process
        reach the index within a second without a separate worker."""
        if self._sync_thread is not None:
            return
        from kb.capability.service import build_handler
        from kb.queue import Purger

        stop = threading.Event()
        purger = Purger(self.sessions)
        capability_map = build_handler(self)  # a rebuild asked for on the dashboard, when no worker runs

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    self.sync_search()
                    self.sync_knowledge()
                    capability_map()
                    purger.maybe_purge()
                except Exception:  # noqa: BLE001 - the queue keeps the work; retry next tick
                    continue

        self._sync_stop = stop
        self._sync_thread = threading.Thread(target=loop, name="kb-search-sync", daemon=True)
        self._sync_thread.start()

    def close(self) -> None:
        if self._sync_thread is not None:
            self._sync_stop.set()
            self._sync_thread.join(timeout=5)
            self._sync_thread = None
        if "knowledge" in self.__dict__:
            self.knowledge.close()
        if "search" in self.__dict__:
            self.search.close()
        if "engine" in self.__dict__:
            self.engine.dispose()
