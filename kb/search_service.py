"""Expert search for a user: the permission check and the query, in one place.

Search results never carry contact data (the index has none); callers that
show contact data go through ``kb.talents.profiles.profile_view``.

Each search for a user is announced on ``searched`` with its stage timings
(``SearchResponse.timing``), so that monitoring (web/ops) can time the stages
without the domain knowing about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blinker import Namespace

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.permissions import require

if TYPE_CHECKING:
    from indexer.models import SearchQuery, SearchResponse

_signals = Namespace()
#: Sent with ``kind`` ("search" or "similar"), ``response`` and ``timing`` (stage → milliseconds).
searched = _signals.signal("kb.searched")


def search_experts(kb: KnowledgeBase, actor: Actor, query: SearchQuery) -> SearchResponse:
    """Run an ``indexer.SearchQuery`` for ``actor``; raises PermissionDenied or SearchUnavailable."""
    require(actor, "search")
    response = kb.search.search(query)
    _announce(kb, "search", response)
    return response


def similar_experts(kb: KnowledgeBase, actor: Actor, talent_id: str, limit: int = 5) -> SearchResponse:
    require(actor, "search")
    response = kb.search.similar(talent_id, limit=limit)
    _announce(kb, "similar", response)
    return response


def _announce(kb: KnowledgeBase, kind: str, response: SearchResponse) -> None:
    if searched.receivers:
        searched.send(kb, kind=kind, response=response, timing=dict(response.timing))
