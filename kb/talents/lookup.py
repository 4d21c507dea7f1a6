"""Finding talents by what a person types: a name (Chinese or English) or an organization.

People know talents by name, never by the registry's internal id, so every
"add someone by hand" form (a consultation's expert list, an event's audience)
looks them up here: the same matching, exact names first, and the same answer
when a typed name fits nobody or several people.
"""

from __future__ import annotations

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from kb.models import Talent

LOOKUP_LIMIT = 8
MAX_TEXT = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def talents_named(session: Session, text: str, *, limit: int = LOOKUP_LIMIT) -> list[Talent]:
    """Talents whose name, English name or organization contains ``text``: exact names first."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return []
    like = _like(text)
    exact = case((or_(Talent.name == text, Talent.name_en == text), 0), else_=1)
    return list(session.scalars(
        select(Talent).where(or_(Talent.name.ilike(like, escape="\\"), Talent.name_en.ilike(like, escape="\\"),
                                 Talent.organization.ilike(like, escape="\\")))
        .order_by(exact, Talent.name, Talent.id).limit(max(1, min(limit, 50)))))


def by_external_id(session: Session, talent_id: str) -> Talent | None:
    """The talent a search-as-you-type list picked (its hidden field), if it still exists."""
    talent_id = (talent_id or "").strip()
    if not talent_id:
        return None
    return session.scalar(select(Talent).where(Talent.external_id == talent_id))


def the_one_named(text: str, found: list[Talent]) -> Talent | list[Talent]:
    """Of the talents ``found`` for ``text``: the one meant (the single one named exactly so, or
    the only one found), else the candidates to choose from (empty: nobody fits)."""
    text = (text or "").strip()
    named = [t for t in found if text in (t.name, t.name_en)]
    if len(named) == 1 or (len(found) == 1 and not named):
        return (named or found)[0]
    return named or found


def talent_meant(session: Session, text: str) -> Talent | list[Talent]:
    """The talent ``text`` means, typed as his id or his name: the talent, or the candidates to
    choose from (empty: nobody fits). For forms with no search-as-you-type list."""
    found = by_external_id(session, text)
    if found is not None:
        return found
    return the_one_named(text, talents_named(session, text))
