"""Service commissioners (服务专员) and the talents they look after.

An assignment is dated: reassigning closes the open row and opens a new one,
so "who looked after this talent, when, and who decided" is answered from the
table, and a commissioner's periodic assessment can be read for any period.
The database allows one open assignment per talent (a partial unique index),
so two admins reassigning at once cannot leave a talent with two commissioners.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from kb.actors import Actor
from kb.audit import audit
from kb.errors import Conflict, NotFound, ValidationError
from kb.models import CommissionerAssignment, Talent, User, utcnow
from kb.permissions import require
from kb.roles import Role


def commissioners(session: Session) -> list[User]:
    """Active commissioner accounts, by user name."""
    return list(session.scalars(
        select(User).where(User.role == Role.COMMISSIONER, User.active.is_(True)).order_by(User.username)))


def get_commissioner(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no account {username!r}", code="account.not_found", params={"username": username})
    if user.role != Role.COMMISSIONER or not user.active:
        raise ValidationError(f"{username} is not an active commissioner account",
                              {"commissioner": f"{username} is not an active commissioner account"},
                              code="commissioner.inactive", params={"username": username})
    return user


def current(session: Session, talent: Talent) -> CommissionerAssignment | None:
    return session.scalar(select(CommissionerAssignment).where(
        CommissionerAssignment.talent_id == talent.id, CommissionerAssignment.ended_at.is_(None)))


def assign(
    session: Session, actor: Actor, talent: Talent, commissioner: User | None, now: datetime | None = None,
) -> CommissionerAssignment | None:
    """Hand ``talent`` to ``commissioner`` (``None``: to nobody); the open assignment is closed.

    Returns the new assignment, or the unchanged one when it is already the
    commissioner's. Audited as ``commissioner.assign``.
    """
    require(actor, "commissioner.assign")
    now = now or utcnow()
    if commissioner is not None and (commissioner.role != Role.COMMISSIONER or not commissioner.active):
        raise ValidationError(f"{commissioner.username} is not an active commissioner account",
                              {"commissioner": f"{commissioner.username} is not an active commissioner account"},
                              code="commissioner.inactive", params={"username": commissioner.username})
    open_row = current(session, talent)
    if open_row is not None and commissioner is not None and open_row.commissioner_user_id == commissioner.id:
        return open_row
    if open_row is None and commissioner is None:
        return None
    if open_row is not None:
        open_row.ended_at = now
        open_row.ended_by_label = actor.label
    row = None
    if commissioner is not None:
        row = CommissionerAssignment(
            talent_id=talent.id, commissioner_user_id=commissioner.id, commissioner_label=commissioner.username,
            assigned_by_user_id=actor.user_id, assigned_by_label=actor.label, started_at=now,
        )
        session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # another admin assigned this talent at the same moment
        session.rollback()
        raise Conflict("someone else assigned this talent at the same moment; reload and try again",
                       code="conflict.changed") from exc
    audit(session, actor, "commissioner.assign", "talent", talent.external_id, {
        "from": open_row.commissioner_label if open_row is not None else None,
        "to": commissioner.username if commissioner is not None else None,
    })
    return row


def history(session: Session, talent: Talent) -> list[CommissionerAssignment]:
    """Every assignment of ``talent``, the newest first."""
    return list(session.scalars(
        select(CommissionerAssignment).where(CommissionerAssignment.talent_id == talent.id)
        .order_by(CommissionerAssignment.started_at.desc(), CommissionerAssignment.id.desc())))


def assigned_talents(session: Session, commissioner_user_id: int) -> list[Talent]:
    """The talents currently assigned to a commissioner, by external id.

    Each comes with its ``current_assignment`` loaded from the same join, so a list
    that checks ``freshness.remind`` per talent asks the database nothing more.
    """
    return list(session.scalars(
        select(Talent).join(CommissionerAssignment, CommissionerAssignment.talent_id == Talent.id)
        .where(CommissionerAssignment.commissioner_user_id == commissioner_user_id,
               CommissionerAssignment.ended_at.is_(None))
        .options(contains_eager(Talent.current_assignment))  # type: ignore[attr-defined]
        .order_by(Talent.external_id)))


def current_map(session: Session) -> dict[int, CommissionerAssignment]:
    """talent pk → its open assignment, for lists that show every talent's commissioner."""
    rows = session.scalars(select(CommissionerAssignment).where(CommissionerAssignment.ended_at.is_(None)))
    return {a.talent_id: a for a in rows}
