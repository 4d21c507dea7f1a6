"""Supply gaps: needs of the last twelve months whose best matches were weak.

A need's best match is what the recommendation would find for it today
(``kb.consultations.recommend.search_hits``: the whole need, its title and
each question, within its fields and then from any field), so the map and the
request page never disagree about whether the pool can serve a need. A need
is a gap when no expert matches it strongly or partially.

The titles of gap needs are kept with the map but shown only to viewers who
may see the request (``service``, through ``kb.visibility``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.consultations.enums import RequestState
from kb.consultations.recommend import search_hits
from kb.models.consultation import ConsultationRequest

#: How far back needs count.
WINDOW = timedelta(days=365)
GOOD_MATCHES = ("strong", "partial")
#: States of a need that was really put to the pool (drafts are unfinished, cancelled ones withdrawn).
COUNTED = tuple(s.value for s in RequestState if s not in (RequestState.DRAFT, RequestState.CANCELLED))
#: Field key of needs filed without a field.
NO_FIELD = ""


@dataclass
class NeedMatch:
    request_id: int
    fields: list[str]
    created_at: str
    best: str  # strong / partial / weak / none
    strong: list[str] = field(default_factory=list)  # talent ids matching strongly
    partial: list[str] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return self.best not in GOOD_MATCHES

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NeedMatch:
        return cls(**d)


def recent_needs(session: Session, now: datetime) -> list[ConsultationRequest]:
    return list(session.scalars(
        select(ConsultationRequest)
        .where(ConsultationRequest.created_at >= now - WINDOW, ConsultationRequest.state.in_(COUNTED))
        .order_by(ConsultationRequest.id)
    ))


def match_needs(session: Session, search: Any, now: datetime, overfetch: int = 50) -> list[NeedMatch]:
    """The best match level of every recent need, and who matched it well."""
    out = []
    for request in recent_needs(session, now):
        hits = search_hits(search, request, overfetch)
        strong = sorted(h.talent_id for h in hits if h.match == "strong")
        partial = sorted(h.talent_id for h in hits if h.match == "partial")
        best = "strong" if strong else "partial" if partial else "weak" if hits else "none"
        out.append(NeedMatch(request.id, list(request.fields or []), request.created_at.isoformat(), best,
                             strong, partial))
    return out


def gaps_by_field(needs: list[NeedMatch]) -> list[dict[str, Any]]:
    """Per field (``NO_FIELD`` for needs without one): needs, gaps and their ids; most gaps first.

    A need filed under two fields counts in both: it is a gap in each.
    """
    rows: dict[str, dict[str, Any]] = {}
    for need in needs:
        for code in need.fields or [NO_FIELD]:
            row = rows.setdefault(code, {"field": code, "needs": 0, "gaps": 0, "gap_ids": []})
            row["needs"] += 1
            if need.is_gap:
                row["gaps"] += 1
                row["gap_ids"].append(need.request_id)
    return sorted(rows.values(), key=lambda r: (-r["gaps"], -r["needs"], r["field"]))
