"""Dashboard figures for consultations, as one plain dict.

Counts are over every request (confidential ones included: figures carry no
titles or content); ``most_consulted_talents`` names talents, which is fine for
the roles allowed ``consultation.stats``.
"""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.consultations.ledger import counts_by_level
from kb.models.consultation import ConsultationInvitation, ConsultationRequest
from kb.permissions import require

TOP = 10


def consultation_stats(session: Session, actor: Actor) -> dict[str, Any]:
    require(actor, "consultation.stats")
    requests = list(session.scalars(select(ConsultationRequest)))
    invitations = list(session.scalars(select(ConsultationInvitation)))
    by_request: dict[int, list[ConsultationInvitation]] = {}
    for inv in invitations:
        by_request.setdefault(inv.request_id, []).append(inv)

    first_response_hours = []
    for req in requests:
        times = [(i.responded_at - i.invited_at).total_seconds() / 3600
                 for i in by_request.get(req.id, []) if i.responded_at is not None]
        if times:
            first_response_hours.append(min(times))

    answered = [i for i in invitations if i.state == "answered"]
    judged = [i.advice for i in answered if i.advice is not None and i.advice.adoption is not None]
    adopted = [a for a in judged if a.adoption in ("full", "partial")]
    talents = Counter((i.talent.external_id, i.talent.name) for i in invitations if i.state in ("accepted", "answered"))
    fields_asked = Counter(f for r in requests for f in r.fields)
    fields_answered = Counter(f for i in answered for f in i.request.fields)
    ratings = [i.advice.rating for i in answered if i.advice is not None and i.advice.rating is not None]

    return {
        "requests_total": len(requests),
        "requests_by_state": dict(Counter(r.state for r in requests)),
        "requests_by_unit": dict(Counter(r.unit for r in requests).most_common()),
        "requests_by_field": dict(fields_asked.most_common()),
        "invitations_total": len(invitations),
        "time_to_first_response_hours": {
            "median": round(median(first_response_hours), 1) if first_response_hours else None,
            "mean": round(sum(first_response_hours) / len(first_response_hours), 1) if first_response_hours else None,
            "requests": len(first_response_hours),
        },
        # Invitations that produced advice, out of all invitations sent.
        "answer_rate": round(len(answered) / len(invitations), 3) if invitations else None,
        # Advice adopted fully or partly, out of advice whose adoption was recorded.
        "adoption_rate": round(len(adopted) / len(judged), 3) if judged else None,
        "adoption_by_level": dict(Counter(a.adoption for a in judged)),
        # From the ledger: advice adopted at each level of 批示 (a bare 同意/圈阅 is not adoption).
        "adoption_by_instruction_level": counts_by_level(i.advice for i in answered if i.advice is not None),
        "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "most_consulted_talents": [
            {"talent_id": tid, "name": name, "consultations": n} for (tid, name), n in talents.most_common(TOP)
        ],
        "most_consulted_fields": [{"field": f, "advice": n} for f, n in fields_answered.most_common(TOP)],
    }
