"""Workload concentration, and experts who match recent needs but were never asked.

Concentration is measured over the *pool that could be asked*: talents
available for consultation, plus anyone invited in the window (a talent who
has since opted out still carried that load). The top 10 % is the top tenth
of that pool by invitations in the last twelve months (at least one expert),
and the curve gives the share of invitations held by each top decile — the
Lorenz curve read from the heavy end. Measuring over invited experts only
would hide exactly what the district wants to see: that most of the pool is
never asked.

Figures are computed from the database on each view (two grouped queries);
only the matches of needs come from the cached map.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.capability.gaps import WINDOW, NeedMatch
from kb.models import Talent
from kb.models.consultation_invitation import ConsultationInvitation

TOP_SHARE = 0.10


@dataclass
class Concentration:
    pool: int
    invited_experts: int
    invitations: int
    top_experts: int
    top_share: float | None  # share of invitations on the top 10 %; None without invitations
    deciles: list[dict[str, Any]]  # {"decile": 1..10, "experts": n, "share": cumulative share}

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def concentration(session: Session, now: datetime) -> Concentration:
    counts = dict(session.execute(
        select(ConsultationInvitation.talent_id, func.count())
        .where(ConsultationInvitation.invited_at >= now - WINDOW)
        .group_by(ConsultationInvitation.talent_id)
    ).all())
    available = set(session.scalars(select(Talent.id).where(Talent.available_for_consultation.is_(True))))
    pool = len(available | set(counts))
    ranked = sorted(counts.values(), reverse=True) + [0] * (pool - len(counts))
    total = sum(ranked)
    top = max(1, math.ceil(pool * TOP_SHARE)) if pool else 0
    deciles = []
    for d in range(1, 11):
        n = math.ceil(pool * d / 10) if pool else 0
        deciles.append({"decile": d, "experts": n, "share": (sum(ranked[:n]) / total) if total else None})
    return Concentration(
        pool=pool, invited_experts=len(counts), invitations=total, top_experts=top,
        top_share=(sum(ranked[:top]) / total) if total else None, deciles=deciles,
    )


def never_asked(session: Session, needs: Iterable[NeedMatch]) -> list[dict[str, Any]]:
    """Available talents that matched recent needs strongly or partially and were never invited.

    Most strong matches first. Each row: talent id, name, organization,
    category, and how many needs it matched strongly / partially.
    """
    strong: dict[str, int] = {}
    partial: dict[str, int] = {}
    for need in needs:
        for t in need.strong:
            strong[t] = strong.get(t, 0) + 1
        for t in need.partial:
            partial[t] = partial.get(t, 0) + 1
    matched = set(strong) | set(partial)
    if not matched:
        return []
    asked = set(session.scalars(select(ConsultationInvitation.talent_id).distinct()))
    rows = session.execute(
        select(Talent.id, Talent.external_id, Talent.name, Talent.organization, Talent.category)
        .where(Talent.external_id.in_(sorted(matched)), Talent.available_for_consultation.is_(True))
    ).all()
    out = [
        {"talent_id": ext, "name": name, "organization": org, "category": cat,
         "strong": strong.get(ext, 0), "partial": partial.get(ext, 0)}
        for pk, ext, name, org, cat in rows if pk not in asked
    ]
    return sorted(out, key=lambda r: (-r["strong"], -r["partial"], r["talent_id"]))
