"""Read-only queries the web pages need and the domain modules do not offer yet.

Only reads live here: listing accounts and talents for the administration
pages. Every write still goes through ``kb.accounts`` / ``kb.talents.changes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kb.models import Revision, Talent, User


@dataclass(frozen=True)
class AccountRow:
    user: User
    talent_external_id: str | None
    talent_name: str | None


def list_accounts(session: Session, role: str = "", text: str = "") -> list[AccountRow]:
    stmt = select(User, Talent.external_id, Talent.name).outerjoin(Talent, User.talent_id == Talent.id)
    if role:
        stmt = stmt.where(User.role == role)
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like), User.unit.ilike(like)))
    return [AccountRow(u, ext, name) for u, ext, name in session.execute(stmt.order_by(User.role, User.username))]


@dataclass(frozen=True)
class TalentPage:
    rows: list[Talent]
    total: int
    accounts: dict[int, str]  # talent pk → username of its account


def list_talents(
    session: Session, *, text: str = "", category: str = "", field: str = "", status: str = "",
    offset: int = 0, limit: int = 50,
) -> TalentPage:
    """Talents for the admin list, filtered in SQL except by field code.

    Field codes live in a JSON list, which SQLite and PostgreSQL query
    differently; matching the quoted code in its JSON text works on both.
    """
    stmt = select(Talent)
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(Talent.name.ilike(like), Talent.name_en.ilike(like),
                              Talent.external_id.ilike(like), Talent.organization.ilike(like)))
    if category:
        stmt = stmt.where(Talent.category == category)
    if status:
        stmt = stmt.where(Talent.certification_status == status)
    if field:
        from sqlalchemy import String, cast

        stmt = stmt.where(cast(Talent.fields, String).like(f'%"{field}"%'))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(session.scalars(stmt.order_by(Talent.external_id).offset(offset).limit(limit)))
    ids = [t.id for t in rows]
    accounts: dict[int, str] = {
        tid: name
        for tid, name in session.execute(select(User.talent_id, User.username).where(User.talent_id.in_(ids)))
        if tid is not None  # the query asks for linked accounts only; the column itself is nullable
    } if ids else {}
    return TalentPage(rows, total, accounts)


def get_account(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_revision(session: Session, revision_id: int) -> Revision | None:
    return session.get(Revision, revision_id)


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Revision).where(Revision.status == "pending")) or 0)
