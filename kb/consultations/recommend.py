"""Proposing experts for a request: search, screen, diversify, explain.

The request's own words (title + background + questions) go to the same hybrid
search people use (``kb.search``), over-fetched so that screening still leaves
enough. Every hit ends up either ranked, with the search evidence that makes it
relevant, or excluded, with every reason that applies: a researcher must be
able to see *why* an obvious expert is missing (回避 above all).

Each search candidate carries the search's match level (strong / partial /
weak); good matches come before weak ones, and pages and the API show the
first ``SHOWN_DEFAULT`` (at most ``SHOWN_MAX``) — a long tail of weak matches
is what made a list of 113 unusable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.results import evidence_dict
from kb.actors import Actor
from kb.consultations.draw_effect import draw_dict
from kb.consultations.orgnames import normalize
from kb.consultations.reasons import Reason
from kb.consultations.screening import screen
from kb.consultations.selection import current_selections
from kb.consultations.settings import ConsultationSettings
from kb.consultations.track_record import TrackRecord, track_records
from kb.models import Talent, utcnow
from kb.models.consultation import ConsultationDraw, ConsultationRequest
from kb.notifications.reach import accounts_of
from kb.permissions import require

#: Candidates shown by default on the page and in the API, and the most one may ask for.
SHOWN_DEFAULT = 20
SHOWN_MAX = 100
_LEVEL_RANK = {"strong": 0, "partial": 1, "weak": 2}


@dataclass
class Candidate:
    talent_id: str  # external id, as search and the API know talents
    pk: int
    name: str
    organization: str
    category: str
    fields: list[str]
    score: float
    evidence: list[dict[str, Any]]
    source: str = "search"  # or "hand": added by the researcher
    note: str = ""  # the researcher's reason when added by hand
    invitation_state: str | None = None
    drawn: bool = False
    rank: int = 0
    #: strong / partial / weak from the search; None for an expert added by hand and not found.
    match: str | None = None
    #: has an active account, so an invitation reaches its inbox (else someone must phone)
    reachable: bool = True
    #: average rating, advice given and adoptions by level (kb.consultations.track_record)
    track: TrackRecord = field(default_factory=TrackRecord)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "rank", "talent_id", "name", "organization", "category", "fields", "score", "match", "evidence",
            "source", "note", "invitation_state", "drawn")} | {"track_record": self.track.as_dict()}


@dataclass
class Excluded:
    talent_id: str
    pk: int
    name: str
    organization: str
    score: float
    reasons: list[Reason]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    match: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"talent_id": self.talent_id, "name": self.name, "organization": self.organization,
                "score": self.score, "match": self.match, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class Recommendation:
    request_id: int
    query: str
    candidates: list[Candidate]
    excluded: list[Excluded]
    draw: ConsultationDraw | None = None

    def shown(self, limit: int = SHOWN_DEFAULT) -> list[Candidate]:
        """The first ``limit`` candidates (hand-added, then good matches, then weak ones)."""
        return self.candidates[: max(0, min(limit, SHOWN_MAX))]

    @property
    def matched(self) -> int:
        """Candidates the search found to match well (strong or partial)."""
        return sum(1 for c in self.candidates if c.match in ("strong", "partial"))

    def as_dict(self, limit: int = SHOWN_DEFAULT) -> dict[str, Any]:
        draw = draw_dict(self.draw) if self.draw is not None else None
        return {"request_id": self.request_id, "total_candidates": len(self.candidates), "matched": self.matched,
                "limit": limit, "candidates": [c.as_dict() for c in self.shown(limit)],
                "excluded": [e.as_dict() for e in self.excluded], "draw": draw}


@dataclass
class _Hit:
    talent_id: str
    score: float
    evidence: list[dict[str, Any]]
    match: str = "weak"


def evidence_dicts(result: Any) -> list[dict[str, Any]]:
    """A search result's evidence as stored on a recommendation (with the highlighted HTML the page shows)."""
    return [evidence_dict(ev, highlighted=True) for ev in getattr(result, "evidence", None) or []]


def need_queries(request: ConsultationRequest, most: int = 6) -> list[str]:
    """The whole need first, then the title and each question on its own.

    A long need dilutes every term, and hybrid search keeps only confident
    matches, so an expert on one of several questions could be missed by the
    whole text alone; the shorter queries bring such experts back, behind the
    ones that fit the whole need.
    """
    parts = [request.need_text, request.title]
    parts += re.split(r"[。？！?!；;\n]+", request.questions)
    parts += re.split(r"[。？！?!；;\n]+", request.background)
    out: list[str] = []
    for part in (p.strip(" 　0123456789.、)）(（") for p in parts):
        if len(part) >= 2 and part not in out:
            out.append(part)
    return out[:most]


def search_hits(search: Any, request: ConsultationRequest, limit: int) -> list[_Hit]:
    """Hits for the request's text: within its fields first, then from any field.

    Field filters keep the list on topic; the unfiltered pass adds experts whose
    profile is classified elsewhere but whose work matches the words. Within a
    pass, the whole need ranks first (see ``need_queries``); a talent keeps the
    place and evidence of its first appearance and the best match level any of
    the queries gave it. Good matches (strong, partial) come before weak ones.
    """
    from indexer import SearchQuery

    passes = [tuple(request.fields), ()] if request.fields else [()]
    hits: dict[str, _Hit] = {}
    for fields in passes:
        for text in need_queries(request):
            response = search.search(SearchQuery(text, fields=fields, limit=limit, with_facets=False))
            for result in response.results:
                level = result.match or "weak"
                hit = hits.get(result.talent_id)
                if hit is None:
                    hits[result.talent_id] = _Hit(result.talent_id, float(result.score), evidence_dicts(result), level)
                elif _LEVEL_RANK.get(level, 2) < _LEVEL_RANK.get(hit.match, 2):
                    hit.match = level
    ordered = list(hits.values())
    return [h for h in ordered if h.match != "weak"] + [h for h in ordered if h.match == "weak"]


def recommend(
    kb: Any, session: Session, actor: Actor, request: ConsultationRequest, *,
    settings: ConsultationSettings | None = None, now: datetime | None = None, search: Any = None,
) -> Recommendation:
    """The ranked, screened list for ``request``; changes nothing.

    ``search`` defaults to ``kb.search`` (tests may pass another object with the
    same ``search(SearchQuery)`` method).
    """
    require(actor, "consultation.manage", request)
    settings = settings or (kb.settings.consultations if kb is not None else ConsultationSettings())
    now = now or utcnow()
    hits = search_hits(search if search is not None else kb.search, request, settings.overfetch)
    talents = {t.external_id: t for t in session.scalars(
        select(Talent).where(Talent.external_id.in_([h.talent_id for h in hits])))} if hits else {}
    selections = current_selections(request)
    for sel in selections.values():
        if sel.action == "include" and sel.talent.external_id not in talents:
            talents[sel.talent.external_id] = sel.talent
    hit_by_id = {h.talent_id: h for h in hits}
    reasons = screen(session, request, talents.values(), settings, now)
    invitations = {i.talent_id: i.state for i in request.invitations}
    draw = request.draws[-1] if request.draws else None
    drawn = set(draw.picked) if draw else set()

    hand = [t for t in talents.values() if selections.get(t.id) and selections[t.id].action == "include"]
    ordered = sorted(hand, key=lambda t: selections[t.id].id) + [
        talents[h.talent_id] for h in hits if h.talent_id in talents and talents[h.talent_id] not in hand]

    candidates: list[Candidate] = []
    excluded: list[Excluded] = []
    per_org: dict[str, int] = {}
    for t in ordered:
        hit = hit_by_id.get(t.external_id)
        score, evidence, match = (hit.score, hit.evidence, hit.match) if hit else (0.0, [], None)
        why = list(reasons.get(t.id, []))
        chosen = selections.get(t.id)
        if chosen is not None and chosen.action == "exclude":
            why.append(Reason("removed", {"actor": chosen.actor_label, "reason": chosen.reason}))
        org = normalize(t.organization)
        if not why and request.org_cap and org and per_org.get(org, 0) >= request.org_cap:
            why.append(Reason("diversity", {"cap": request.org_cap, "organization": t.organization}))
        if why:
            excluded.append(Excluded(t.external_id, t.id, t.name, t.organization, score, why, evidence, match))
            continue
        per_org[org] = per_org.get(org, 0) + 1
        is_hand = chosen is not None and chosen.action == "include"
        candidates.append(Candidate(
            talent_id=t.external_id, pk=t.id, name=t.name, organization=t.organization, category=t.category,
            fields=list(t.fields), score=score, evidence=evidence, source="hand" if is_hand else "search",
            note=chosen.reason if is_hand and chosen else "", invitation_state=invitations.get(t.id),
            drawn=t.external_id in drawn, rank=len(candidates) + 1, match=match,
        ))
    reachable = accounts_of(session, (c.pk for c in candidates))
    records = track_records(session, (c.pk for c in candidates))
    for c in candidates:
        c.reachable = c.pk in reachable
        c.track = records[c.pk]
    return Recommendation(request.id, request.need_text, candidates, excluded, draw)
