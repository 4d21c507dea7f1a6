"""Who may be proposed or invited at all: conflicts, availability, workload.

The same screening runs for the recommendation and again when invitations are
sent, so an expert excluded on screen cannot be invited through the API either.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.consultations.conflicts import build_context, conflicts_of
from kb.consultations.reasons import Reason
from kb.consultations.settings import ConsultationSettings
from kb.models import Talent
from kb.models.consultation import ConsultationInvitation, ConsultationRequest

COUNTED_STATES = ("accepted", "answered")


def accepted_this_year(
    session: Session, talent_ids: Iterable[int], year: int, exclude_request: int | None = None
) -> dict[int, int]:
    """Accepted invitations per talent in a calendar year (the rotation counter)."""
    return accepted_between(session, talent_ids, datetime(year, 1, 1), datetime(year + 1, 1, 1), exclude_request)


def accepted_between(
    session: Session, talent_ids: Iterable[int], start: datetime, end: datetime, exclude_request: int | None = None
) -> dict[int, int]:
    """Accepted invitations per talent (pk) accepted in [start, end): a talent's consultation load."""
    ids = list(set(talent_ids))
    if not ids:
        return {}
    stmt = (
        select(ConsultationInvitation.talent_id, func.count())
        .where(
            ConsultationInvitation.talent_id.in_(ids),
            ConsultationInvitation.state.in_(COUNTED_STATES),
            ConsultationInvitation.accepted_at >= start,
            ConsultationInvitation.accepted_at < end,
        )
        .group_by(ConsultationInvitation.talent_id)
    )
    if exclude_request is not None:
        stmt = stmt.where(ConsultationInvitation.request_id != exclude_request)
    return {tid: int(n) for tid, n in session.execute(stmt)}


def screen(
    session: Session, request: ConsultationRequest, talents: Iterable[Talent], settings: ConsultationSettings,
    now: datetime,
) -> dict[int, list[Reason]]:
    """Reasons to leave each talent out (by talent pk); an empty list means qualified."""
    talents = list(talents)
    ctx = build_context(session, request, (t.id for t in talents), settings, now.year)
    load = accepted_this_year(session, (t.id for t in talents), now.year, exclude_request=request.id)
    out: dict[int, list[Reason]] = {}
    for t in talents:
        reasons = conflicts_of(ctx, t)
        if not t.available_for_consultation:
            reasons.append(Reason("unavailable"))
        count = load.get(t.id, 0)
        if count >= settings.workload_cap:
            reasons.append(Reason("workload", {"count": count, "year": now.year, "cap": settings.workload_cap}))
        out[t.id] = reasons
    return out
