"""Keeping a talent's employment history, which the conflict rules read.

Edited like the rest of the profile (``talent.edit``: the talent itself or
staff), replaced as a whole list, and audited with before/after.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import ValidationError
from kb.models import Talent, utcnow
from kb.models.consultation import TalentAffiliation
from kb.permissions import require


def list_affiliations(session: Session, talent: Talent) -> list[TalentAffiliation]:
    return list(session.scalars(select(TalentAffiliation).where(TalentAffiliation.talent_id == talent.id)
                                .order_by(TalentAffiliation.from_year.desc(), TalentAffiliation.id)))


def _year(value: Any, key: str, errors: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 1900 <= year <= utcnow().year + 1:
        errors[key] = "a year such as 2019"
        return None
    return year


def set_affiliations(session: Session, actor: Actor, talent: Talent, rows: list[dict[str, Any]]) -> list[TalentAffiliation]:
    """Replace the talent's past and present employers with ``rows``
    (``organization``, ``from_year``, ``to_year``; no ``to_year`` = still there)."""
    require(actor, "talent.edit", talent)
    errors: dict[str, str] = {}
    clean = []
    for n, row in enumerate(rows):
        org = str(row.get("organization", "")).strip()
        if not org or len(org) > 200:
            errors[f"affiliations[{n}].organization"] = "1 to 200 characters"
        start = _year(row.get("from_year"), f"affiliations[{n}].from_year", errors)
        end = _year(row.get("to_year"), f"affiliations[{n}].to_year", errors)
        if start and end and end < start:
            errors[f"affiliations[{n}].to_year"] = "before the start year"
        clean.append((org, start, end))
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    before = [(a.organization, a.from_year, a.to_year) for a in list_affiliations(session, talent)]
    for a in list_affiliations(session, talent):
        session.delete(a)
    session.flush()
    added = [TalentAffiliation(talent_id=talent.id, organization=o, from_year=s, to_year=e) for o, s, e in clean]
    session.add_all(added)
    audit(session, actor, "talent.affiliations", "talent", talent.external_id,
          {"old": [list(b) for b in before], "new": [list(c) for c in clean]})
    session.flush()
    return added
