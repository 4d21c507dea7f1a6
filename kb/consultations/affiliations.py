"""Keeping a talent's employment history, which the conflict rules read.

Added like the rest of the profile (``talent.edit``: the talent itself or
staff) and audited: ``set_affiliations`` replaces the whole list (imports,
the API), ``add_affiliation`` and ``remove_affiliation`` change one row (the
edit page), so two open forms cannot silently drop each other's rows.
Removing an employer needs ``talent.affiliations.remove`` (staff): the
conflict rules read this history, and a talent must not be able to take a
former employer off the list before a consultation about it.

Changes are audit entries (``talent.affiliations*``), not profile revisions:
the history is not part of the reviewed profile document, but who removed a
former employer matters when a recusal is questioned later.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Message, NotFound, ValidationError
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
        errors[key] = Message("a year such as 2019", "affiliation.year")
        return None
    return year


Row = tuple[str, int | None, int | None]


def _clean_row(row: dict[str, Any], prefix: str, errors: dict[str, str]) -> Row:
    """(organization, from_year, to_year) of one input row; problems go to ``errors`` under ``prefix + key``."""
    org = str(row.get("organization") or "").strip()
    if not org or len(org) > 200:
        errors[f"{prefix}organization"] = Message("1 to 200 characters", "affiliation.organization")
    start = _year(row.get("from_year"), f"{prefix}from_year", errors)
    end = _year(row.get("to_year"), f"{prefix}to_year", errors)
    if start and end and end < start:
        errors[f"{prefix}to_year"] = Message("before the start year", "affiliation.years_order")
    return org, start, end


def set_affiliations(session: Session, actor: Actor, talent: Talent, rows: list[dict[str, Any]]) -> list[TalentAffiliation]:
    """Replace the talent's past and present employers with ``rows``
    (``organization``, ``from_year``, ``to_year``; no ``to_year`` = still there)."""
    require(actor, "talent.edit", talent)
    errors: dict[str, str] = {}
    clean = [_clean_row(row, f"affiliations[{n}].", errors) for n, row in enumerate(rows)]
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="affiliation.invalid")
    before = [(a.organization, a.from_year, a.to_year) for a in list_affiliations(session, talent)]
    kept = {(o.casefold(), s, e) for o, s, e in clean}
    if any((o.casefold(), s, e) not in kept for o, s, e in before):
        require(actor, "talent.affiliations.remove", talent)
    for a in list_affiliations(session, talent):
        session.delete(a)
    session.flush()
    added = [TalentAffiliation(talent_id=talent.id, organization=o, from_year=s, to_year=e) for o, s, e in clean]
    session.add_all(added)
    audit(session, actor, "talent.affiliations", "talent", talent.external_id,
          {"old": [list(b) for b in before], "new": [list(c) for c in clean]})
    session.flush()
    return added


def _row(a: TalentAffiliation) -> dict[str, Any]:
    return {"id": a.id, "organization": a.organization, "from_year": a.from_year, "to_year": a.to_year}


def add_affiliation(session: Session, actor: Actor, talent: Talent, row: dict[str, Any]) -> TalentAffiliation:
    """Add one employer (``organization``, ``from_year``, ``to_year``; no ``to_year`` = still there).

    The same organization with the same years again is refused: it is what a
    double-clicked form sends, and a second copy would only clutter the list.
    """
    require(actor, "talent.edit", talent)
    errors: dict[str, str] = {}
    org, start, end = _clean_row(row, "", errors)
    if not errors and any((a.organization.casefold(), a.from_year, a.to_year) == (org.casefold(), start, end)
                          for a in list_affiliations(session, talent)):
        errors["organization"] = Message("already listed with the same years", "affiliation.duplicate")
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors, code="affiliation.invalid")
    added = TalentAffiliation(talent_id=talent.id, organization=org, from_year=start, to_year=end)
    session.add(added)
    session.flush()
    audit(session, actor, "talent.affiliations.add", "talent", talent.external_id, _row(added))
    return added


def remove_affiliation(session: Session, actor: Actor, talent: Talent, affiliation_id: int) -> None:
    """Remove one of ``talent``'s employers (staff); another talent's row is NotFound, never removed."""
    require(actor, "talent.edit", talent)
    require(actor, "talent.affiliations.remove", talent)
    found = session.scalar(select(TalentAffiliation).where(TalentAffiliation.id == affiliation_id,
                                                           TalentAffiliation.talent_id == talent.id))
    if found is None:
        raise NotFound(f"talent {talent.external_id} has no affiliation #{affiliation_id}",
                       code="affiliation.not_found")
    audit(session, actor, "talent.affiliations.remove", "talent", talent.external_id, _row(found))
    session.delete(found)
    session.flush()
