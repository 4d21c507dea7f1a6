"""Field-level history of a talent profile: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.models.base import Base, utcnow


class Revision(Base):
    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The external id is kept as text too, so the history of a deleted talent
    # still says whom it was about.
    talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    talent_external_id: Mapped[str] = mapped_column(String(64), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # [{"field": "bio", "old": ..., "new": ...}, {"field": "outputs[12].title", ...}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Set when a change to certified facts waits for a commissioner's review.
    status: Mapped[str] = mapped_column(String(20), default="applied")
    # True when someone acted on the talent's behalf (a commissioner or admin
    # editing its directions, outputs or profile), not the talent itself.
    delegated: Mapped[bool] = mapped_column(Boolean, default=False)
