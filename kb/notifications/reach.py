"""Which talents a notification can reach: those with an active account.

A talent is a registry entry; only its account (if any) has an inbox and an
email address. Events and consultations both ask here, before sending (to
warn the organizer or researcher) and after (to list whom to phone instead).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.models import Talent, User


def accounts_of(session: Session, talent_ids: Iterable[int]) -> dict[int, User]:
    """The active account of each talent pk that has one."""
    ids = list(set(talent_ids))
    if not ids:
        return {}
    users = session.scalars(select(User).where(User.talent_id.in_(ids), User.active.is_(True)))
    return {u.talent_id: u for u in users if u.talent_id is not None}


def unreachable(session: Session, talents: Iterable[Talent]) -> list[Talent]:
    """The talents without an active account, in the given order: nothing sent to them arrives."""
    talents = list(talents)
    reachable = accounts_of(session, (t.id for t in talents))
    return [t for t in talents if t.id not in reachable]
