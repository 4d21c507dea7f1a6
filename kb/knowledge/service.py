"""Knowledge search for a user: permission, the viewer's audience, and names for display.

The audience goes into the query, so the backend filters by visibility and
the totals and pages are those of what this user may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.knowledge.audience import viewer_audience
from kb.models import Talent
from kb.models.consultation import ConsultationRequest
from kb.permissions import require

if TYPE_CHECKING:
    from indexer.knowledge import KnowledgeResponse, KnowledgeResult

#: Related advice beside a request: a short list, not a result page.
RELATED_LIMIT = 5


def search_knowledge(
    kb: KnowledgeBase, actor: Actor, text: str, kinds: tuple[str, ...] = (), *, limit: int = 10, offset: int = 0,
) -> KnowledgeResponse:
    """Items matching ``text`` that ``actor`` may see; raises PermissionDenied, SearchUnavailable or
    ValueError (an unknown kind)."""
    from indexer.knowledge import KnowledgeQuery

    require(actor, "search")
    audience = viewer_audience(actor)
    query = KnowledgeQuery(text, kinds, audience, offset=offset, limit=limit, unrestricted=audience is None)
    return kb.knowledge.search(query)


def advised_before(kb: KnowledgeBase, actor: Actor, request: ConsultationRequest,
                   limit: int = RELATED_LIMIT) -> list[KnowledgeResult]:
    """Advice given earlier on needs like this request's (its own advice left out), best first."""
    response = search_knowledge(kb, actor, request.need_text, ("advice",), limit=limit + 10)
    own = str(request.id)
    return [r for r in response.results if r.request_id != own][:limit]


@dataclass(frozen=True)
class Labels:
    """Names to show beside results: expert name by external id, request title by id."""

    experts: dict[str, str]
    requests: dict[str, str]


def labels_for(session: Session, results: list[KnowledgeResult]) -> Labels:
    """Only what the results already reveal (the viewer may see each item, hence its request's title)."""
    talent_ids = {r.talent_id for r in results if r.talent_id}
    request_ids = {int(r.request_id) for r in results if r.request_id.isdigit()}
    experts = {t.external_id: t.name for t in session.scalars(
        select(Talent).where(Talent.external_id.in_(talent_ids)))} if talent_ids else {}
    requests = {str(r.id): r.title for r in session.scalars(
        select(ConsultationRequest).where(ConsultationRequest.id.in_(request_ids)))} if request_ids else {}
    return Labels(experts, requests)


def result_dict(r: KnowledgeResult) -> dict[str, Any]:
    """The one JSON form of a knowledge result (API and CLI)."""
    from indexer.results import evidence_dict

    return {"kind": r.kind, "id": r.id, "title": r.title, "talent_id": r.talent_id or None,
            "request_id": r.request_id or None, "score": r.score, "match": r.match,
            "evidence": [evidence_dict(e) for e in r.evidence]}
