"""The researcher's hand on the list: add or remove an expert, always with a reason.

Selections are append-only; the latest one per talent wins, so the history of
changing one's mind stays visible in the request's record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.consultations.reasons import Reason
from kb.consultations.screening import screen
from kb.consultations.settings import ConsultationSettings
from kb.consultations.states import SELECTING
from kb.errors import Conflict, ValidationError
from kb.models import Talent, utcnow
from kb.models.consultation import ConsultationRequest, ConsultationSelection
from kb.permissions import require

ACTIONS = ("include", "exclude")


def _select(session: Session, actor: Actor, request: ConsultationRequest, talent: Talent, action: str,
            reason: str) -> ConsultationSelection:
    require(actor, "consultation.manage", request)
    if request.state not in SELECTING:
        raise Conflict(f"consultation #{request.id} is {request.state!r}: the expert list is settled",
                       code="request.list_settled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a reason is required when changing the list by hand", {"reason": "required"},
                              code="reason.required")
    row = ConsultationSelection(talent_id=talent.id, action=action, reason=reason, actor_label=actor.label)
    request.selections.append(row)
    audit(session, actor, f"consultation.{action}", "consultation", request.id,
          {"talent": talent.external_id, "reason": reason})
    session.flush()
    return row


class ExpertScreenedOut(ValidationError):
    """The expert cannot be added: screening (conflict of interest, availability,
    workload) leaves him out, so adding him would only look like success."""

    default_code = "consultation.expert.screened_out"

    def __init__(self, talent: Talent, reasons: list[Reason]) -> None:
        super().__init__(
            f"{talent.name} ({talent.external_id}) cannot be added: " + "; ".join(r.text for r in reasons),
            {"talent_id": "; ".join(r.code for r in reasons)}, params={"name": talent.name},
        )
        self.talent = talent
        self.reasons = reasons


def add_expert(session: Session, actor: Actor, request: ConsultationRequest, talent: Talent,
               reason: str, *, settings: ConsultationSettings | None = None,
               now: datetime | None = None) -> ConsultationSelection:
    """Put ``talent`` on the list by hand, unless the same screening as the invitation
    refuses him: then nothing is saved and the error carries the reasons to show."""
    require(actor, "consultation.manage", request)
    why = screen(session, request, [talent], settings or ConsultationSettings(), now or utcnow())[talent.id]
    if why:
        raise ExpertScreenedOut(talent, why)
    return _select(session, actor, request, talent, "include", reason)


def remove_expert(session: Session, actor: Actor, request: ConsultationRequest, talent: Talent,
                  reason: str) -> ConsultationSelection:
    return _select(session, actor, request, talent, "exclude", reason)


def current_selections(request: ConsultationRequest) -> dict[int, ConsultationSelection]:
    """The latest selection per talent pk."""
    latest: dict[int, ConsultationSelection] = {}
    for row in request.selections:
        latest[row.talent_id] = row
    return latest
