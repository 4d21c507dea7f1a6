"""An expert's track record: average rating, advice given, adoptions by level.

A researcher choosing among recommended experts wants to know whose advice
was taken up before, and at what level, not only who matches the words of the
need. The figures are aggregates without titles, so they may be shown to
anyone who may see the recommendation or the talent's consultation record;
adoption is counted from the ledger (a bare 同意/圈阅 does not count,
``kb.consultations.ledger``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.consultations.ledger import COUNTED_LEVELS, counts_by_level
from kb.models.consultation_invitation import ConsultationAdvice, ConsultationInvitation


@dataclass(frozen=True)
class TrackRecord:
    advice: int = 0
    rated: int = 0
    average_rating: float | None = None
    adopted: int = 0
    by_level: dict[str, int] = field(default_factory=dict)  # COUNTED_LEVELS -> advice adopted at that level
    acknowledged_only: int = 0
    implemented: int = 0
    evaluated: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"advice": self.advice, "rated": self.rated, "average_rating": self.average_rating,
                "adopted": self.adopted, "by_level": dict(self.by_level),
                "acknowledged_only": self.acknowledged_only, "implemented": self.implemented,
                "evaluated": self.evaluated}


def track_records(session: Session, talent_ids: Iterable[int]) -> dict[int, TrackRecord]:
    """The record of each talent (by primary key); a talent without advice gets an empty record."""
    ids = sorted(set(talent_ids))
    grouped: dict[int, list[ConsultationAdvice]] = {tid: [] for tid in ids}
    if ids:
        for advice in session.scalars(
            select(ConsultationAdvice)
            .join(ConsultationInvitation, ConsultationAdvice.invitation_id == ConsultationInvitation.id)
            .where(ConsultationInvitation.talent_id.in_(ids))
            .options(selectinload(ConsultationAdvice.ledger), selectinload(ConsultationAdvice.invitation))
        ):
            grouped[advice.invitation.talent_id].append(advice)
    return {tid: _record(advices) for tid, advices in grouped.items()}


def track_record(session: Session, talent_id: int) -> TrackRecord:
    return track_records(session, [talent_id])[talent_id]


def _record(advices: list[ConsultationAdvice]) -> TrackRecord:
    ratings = [a.rating for a in advices if a.rating is not None]
    counts = counts_by_level(advices)
    return TrackRecord(
        advice=len(advices), rated=len(ratings),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        adopted=counts["adopted"], by_level={level: counts[level] for level in COUNTED_LEVELS},
        acknowledged_only=counts["acknowledged_only"], implemented=counts["implemented"],
        evaluated=counts["evaluated"],
    )
