"""Bring the search index up to date right after a save.

The change and its queue row are already committed, so if the index is down
nothing is lost: the background sync (or ``kb worker``) applies it later. The
immediate drain only makes "save, then search" show the change at once.
"""

from __future__ import annotations

import logging

from indexer import SearchUnavailable
from web.sessions import knowledge_base

log = logging.getLogger(__name__)


def sync_index() -> bool:
    """True when the index took the queued changes now; False when they stay queued."""
    try:
        report = knowledge_base().sync_search()
    except SearchUnavailable as exc:
        log.warning("search index unreachable, changes stay queued: %s", exc)
        return False
    return not getattr(report, "failed", 0)
