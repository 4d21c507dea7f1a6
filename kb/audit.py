"""Writing to and reading from the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.models import AuditEvent


def audit(session: Session, actor: Actor, action: str, object_type: str, object_id: object, detail: dict[str, Any]) -> None:
    """Add one entry in the caller's transaction, so the trail and the act commit together."""
    session.add(AuditEvent(
        actor_user_id=actor.user_id, actor_label=actor.label, action=action,
        object_type=object_type, object_id=str(object_id), detail=detail,
    ))


def recent(session: Session, limit: int = 200, action_prefix: str = "", object_id: str = "") -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action_prefix:
        stmt = stmt.where(AuditEvent.action.startswith(action_prefix))
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    return list(session.scalars(stmt))
