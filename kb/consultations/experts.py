"""Finding an expert by name to add to a request by hand.

Researchers know experts by name, never by the registry's internal id. A
lookup answers the few talents whose name (Chinese or English) or
organization contains what was typed, each with the screening reasons that
would keep him off this request, so the page can say "回避：…" before the
researcher tries, and ``resolve`` turns a typed name into one talent or says
why it cannot (none, or several to choose from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.consultations.reasons import Reason
from kb.consultations.screening import screen
from kb.consultations.settings import ConsultationSettings
from kb.errors import ValidationError
from kb.models import Talent, utcnow
from kb.models.consultation import ConsultationRequest
from kb.permissions import require
from kb.talents.lookup import LOOKUP_LIMIT, by_external_id, talents_named, the_one_named


@dataclass(frozen=True)
class ExpertChoice:
    talent: Talent
    reasons: list[Reason]  # empty: may be added

    def as_dict(self) -> dict[str, object]:
        t = self.talent
        return {"talent_id": t.external_id, "name": t.name, "name_en": t.name_en, "organization": t.organization,
                "reasons": [r.as_dict() for r in self.reasons]}


def find_experts(
    session: Session, actor: Actor, request: ConsultationRequest, text: str, *, limit: int = LOOKUP_LIMIT,
    settings: ConsultationSettings | None = None, now: datetime | None = None,
) -> list[ExpertChoice]:
    """Talents whose name, English name or organization contains ``text``: exact names first."""
    require(actor, "consultation.manage", request)
    talents = talents_named(session, text, limit=limit)
    if not talents:
        return []
    reasons = screen(session, request, talents, settings or ConsultationSettings(), now or utcnow())
    return [ExpertChoice(t, reasons[t.id]) for t in talents]


class ExpertNotFound(ValidationError):
    default_code = "consultation.expert.unknown"


class ExpertAmbiguous(ValidationError):
    """Several talents fit the typed name; ``choices`` lists them so the page can offer them."""

    default_code = "consultation.expert.ambiguous"

    def __init__(self, text: str, choices: list[ExpertChoice]) -> None:
        super().__init__(f"{len(choices)} experts match {text!r}; choose one", {"expert": "ambiguous"},
                         params={"name": text, "n": len(choices)})
        self.choices = choices


def resolve(
    session: Session, actor: Actor, request: ConsultationRequest, text: str, talent_id: str = "", *,
    settings: ConsultationSettings | None = None,
) -> Talent:
    """The one talent meant: the picked ``talent_id`` when the list was used, else the single
    talent whose name is ``text`` (or the single one containing it)."""
    require(actor, "consultation.manage", request)
    picked = by_external_id(session, talent_id)
    if picked is not None:
        return picked
    choices = find_experts(session, actor, request, text, settings=settings)
    meant = the_one_named(text, [c.talent for c in choices])
    if isinstance(meant, Talent):
        return meant
    if not meant:
        raise ExpertNotFound(f"no expert is named {text.strip()!r}", field="expert",
                             params={"name": text.strip()})
    raise ExpertAmbiguous(text.strip(), [c for c in choices if c.talent in meant])
