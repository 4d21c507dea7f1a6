"""Conflict-of-interest avoidance (回避): the one place its rules live.

Each rule is a small function ``(context, talent) -> list[Reason]``; ``RULES``
lists them in order. A new rule (co-authorship with a party, family ties, ...)
is one more function appended to ``RULES``; nothing else changes, because the
recommendation and the invitation both ask ``conflicts_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.consultations.orgnames import same_organization
from kb.consultations.reasons import Reason
from kb.consultations.settings import ConsultationSettings
from kb.models import Talent
from kb.models.consultation import ConsultationInvitation, ConsultationRequest, TalentAffiliation


@dataclass(frozen=True)
class ConflictContext:
    """What the rules may look at, loaded once for a whole candidate list."""

    parties: tuple[str, ...]
    year: int
    years: int
    declared: dict[int, str] = field(default_factory=dict)  # talent pk -> the talent's own reason
    requester_unit: str = ""  # empty when that rule is switched off
    affiliations: dict[int, list[TalentAffiliation]] = field(default_factory=dict)

    def current_employers(self, talent: Talent) -> list[str]:
        """The profile's organization plus any affiliation without an end year."""
        orgs = [talent.organization] if talent.organization else []
        orgs += [a.organization for a in self.affiliations.get(talent.id, []) if a.to_year is None]
        return orgs

    def recent_former_employers(self, talent: Talent) -> list[TalentAffiliation]:
        return [a for a in self.affiliations.get(talent.id, [])
                if a.to_year is not None and a.to_year >= self.year - self.years]


Rule = Callable[[ConflictContext, Talent], list[Reason]]


def employed_by_party(ctx: ConflictContext, talent: Talent) -> list[Reason]:
    return [Reason("party_employer", {"organization": party})
            for party in ctx.parties
            if any(same_organization(party, org) for org in ctx.current_employers(talent))]


def formerly_employed_by_party(ctx: ConflictContext, talent: Talent) -> list[Reason]:
    out = []
    for party in ctx.parties:
        ends = [a.to_year for a in ctx.recent_former_employers(talent)
                if a.to_year is not None and same_organization(party, a.organization)]
        if ends:
            out.append(Reason("party_former_employer", {"organization": party, "to_year": max(ends)}))
    return out


def declared_conflict(ctx: ConflictContext, talent: Talent) -> list[Reason]:
    if talent.id in ctx.declared:
        return [Reason("declared_conflict", {"reason": ctx.declared[talent.id]})]
    return []


def works_for_requester(ctx: ConflictContext, talent: Talent) -> list[Reason]:
    if ctx.requester_unit and any(same_organization(ctx.requester_unit, o) for o in ctx.current_employers(talent)):
        return [Reason("requester_unit", {"organization": ctx.requester_unit})]
    return []


RULES: list[Rule] = [employed_by_party, formerly_employed_by_party, declared_conflict, works_for_requester]


def build_context(
    session: Session, request: ConsultationRequest, talent_ids: Iterable[int], settings: ConsultationSettings,
    year: int,
) -> ConflictContext:
    ids = list(set(talent_ids))
    affiliations: dict[int, list[TalentAffiliation]] = {}
    if ids:
        for a in session.scalars(select(TalentAffiliation).where(TalentAffiliation.talent_id.in_(ids))):
            affiliations.setdefault(a.talent_id, []).append(a)
    declared = {}
    if request.id is not None:
        declared = {i.talent_id: i.reason for i in session.scalars(select(ConsultationInvitation).where(
            ConsultationInvitation.request_id == request.id, ConsultationInvitation.state == "conflict"))}
    return ConflictContext(
        parties=tuple(p for p in request.parties if p.strip()),
        year=year,
        years=settings.conflict_years,
        declared=declared,
        requester_unit=request.unit if settings.exclude_requester_unit else "",
        affiliations=affiliations,
    )


def conflicts_of(ctx: ConflictContext, talent: Talent, rules: Iterable[Rule] | None = None) -> list[Reason]:
    return [reason for rule in (RULES if rules is None else rules) for reason in rule(ctx, talent)]
