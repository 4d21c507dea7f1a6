"""Judging the advice: a rating within a window of working days, and adoption.

The rating window exists so that feedback reaches the expert while the advice
is fresh; it counts Mon-Fri only (public holidays are not modelled). Adoption
(now kept step by step in the ledger, ``kb.consultations.ledger``) may be
recorded long after the request closed, because policy takes its time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations import notices
from kb.consultations.enums import AdoptionExtent, LedgerStep
from kb.consultations.ledger import StepInput, record_step
from kb.consultations.settings import ConsultationSettings
from kb.errors import Conflict, ValidationError
from kb.models import utcnow
from kb.models.consultation import ADOPTION_LEVELS, ConsultationAdvice
from kb.permissions import require


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th Monday-to-Friday after ``start``."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def rating_deadline(advice: ConsultationAdvice, settings: ConsultationSettings) -> date:
    return add_working_days(advice.submitted_at.date(), settings.rating_working_days)


def rate_advice(
    session: Session, actor: Actor, advice: ConsultationAdvice, rating: int, comment: str = "", *,
    settings: ConsultationSettings | None = None, now: datetime | None = None,
) -> None:
    request = advice.invitation.request
    require(actor, "consultation.manage", request)
    settings = settings or ConsultationSettings()
    now = now or utcnow()
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError("the rating is a whole number from 1 to 5", {"rating": "1 to 5"}, code="rating.range")
    last_day = rating_deadline(advice, settings)
    if now.date() > last_day:
        raise Conflict(f"the rating window for this advice closed on {last_day.isoformat()} "
                       f"({settings.rating_working_days} working days after it was submitted)",
                       code="rating.closed", params={"date": last_day.isoformat(), "days": settings.rating_working_days})
    advice.rating = rating
    advice.rating_comment = (comment or "").strip()
    advice.rated_at = now
    advice.rated_by = actor.label
    audit(session, actor, "consultation.rate", "consultation", request.id,
          {"advice": advice.id, "talent": advice.invitation.talent.external_id, "rating": rating,
           "comment": advice.rating_comment})
    notices.tell_talent(session, advice.invitation, "rated",
                        f"评分：{rating}/5。{advice.rating_comment}".strip())
    session.flush()


def record_adoption(
    session: Session, actor: Actor, advice: ConsultationAdvice, level: str, adopted_into: str = "", *,
    now: datetime | None = None,
) -> None:
    """The short form of the adoption ledger: adopted (fully or partly) into a named document, or not.

    Kept for the rating form and the older API call; the ledger
    (``kb.consultations.ledger``) records the 批示, the document's number and
    date, implementation and evaluation.
    """
    if level not in ADOPTION_LEVELS:
        raise ValidationError(f"adoption is one of {', '.join(ADOPTION_LEVELS)}", {"adoption": "unknown level"},
                              code="record.enum")
    adopted_into = (adopted_into or "").strip()
    if level != "none" and not adopted_into:
        raise ValidationError("name the policy document or decision the advice went into",
                              {"adopted_into": "required when adopted"}, code="adoption.document.required")
    if level == "none":
        data = StepInput(step=LedgerStep.NOT_ADOPTED, evidence=adopted_into)
    else:
        data = StepInput(step=LedgerStep.ADOPTED, extent=AdoptionExtent(level), doc_title=adopted_into[:300])
    record_step(session, actor, advice, data, now=now)
