"""Expert search for a user: the permission check and the query, in one place.

Search results never carry contact data (the index has none); callers that
show contact data go through ``kb.talents.profiles.profile_view``.
"""

from __future__ import annotations

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.permissions import require


def search_experts(kb: KnowledgeBase, actor: Actor, query):  # type: ignore[no-untyped-def]
    """Run an ``indexer.SearchQuery`` for ``actor``; raises PermissionDenied or SearchUnavailable."""
    require(actor, "search")
    return kb.search.search(query)


def similar_experts(kb: KnowledgeBase, actor: Actor, talent_id: str, limit: int = 5):  # type: ignore[no-untyped-def]
    require(actor, "search")
    return kb.search.similar(talent_id, limit=limit)
