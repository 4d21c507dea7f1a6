"""A talent's consultation record, as its profile shows it.

The talent itself and researchers/staff may see it. Requests the viewer may
not open (unit-only or confidential ones of another unit) appear as a line
without title or content, so the record stays complete without leaking.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.models import Talent
from kb.models.consultation import ConsultationInvitation
from kb.permissions import allowed, require


def consultation_record(session: Session, actor: Actor, talent: Talent) -> list[dict[str, Any]]:
    require(actor, "consultation.record", talent)
    rows = []
    for inv in session.scalars(select(ConsultationInvitation).where(ConsultationInvitation.talent_id == talent.id)
                               .order_by(ConsultationInvitation.invited_at.desc(), ConsultationInvitation.id.desc())):
        request = inv.request
        visible = allowed(actor, "consultation.view", request)
        advice = inv.advice
        rows.append({
            "request_id": request.id if visible else None,
            "title": request.title if visible else "",
            "unit": request.unit,
            "form": request.form,
            "confidentiality": request.confidentiality,
            "request_state": request.state,
            "invitation_state": inv.state,
            "invited_at": inv.invited_at,
            "responded_at": inv.responded_at,
            "advice_submitted_at": advice.submitted_at if advice else None,
            "rating": advice.rating if advice else None,
            "adoption": advice.adoption if advice else None,
            "adopted_into": (advice.adopted_into if advice and visible else ""),
        })
    return rows
