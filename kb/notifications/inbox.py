"""Telling users about things: one call writes the inbox row and queues the email.

Both happen in the caller's transaction, so a notification exists exactly when
the change it reports was committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kb.db import rows_matched
from kb.models import Notification, User, utcnow
from kb.queue import enqueue

MAIL_TOPIC = "mail.send"


def notify(
    session: Session, users: Iterable[User], kind: str, title: str, body: str = "", link: str = "",
    *, email: bool = True, attachments: list[dict[str, Any]] | None = None,
) -> list[Notification]:
    """Notify each user in the inbox and, when they have an address, by email.

    ``attachments`` are small files for the mail only, as
    ``{"filename", "content_type", "text"}`` (e.g. an .ics invitation).
    """
    rows = []
    for user in users:
        row = Notification(user_id=user.id, kind=kind, title=title, body=body, link=link)
        session.add(row)
        rows.append(row)
        if email and user.email and user.active:
            enqueue(session, MAIL_TOPIC, {
                "to": user.email, "subject": title, "body": body, "link": link,
                "attachments": attachments or [],
            })
    return rows


def inbox(session: Session, user: User, limit: int = 100, unread_only: bool = False) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    return int(session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0)


def mark_read(session: Session, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of *this user's* notifications read; others' ids are ignored."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    return rows_matched(session.execute(stmt.values(read_at=utcnow())))
