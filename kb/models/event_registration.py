"""One talent's relation to one event: invited, registered, waitlisted, ...

A single row per (event, talent) carries the whole story (invitation, reply,
seat or waitlist place, check-in, reminder), so "who is coming" is one query
and a talent can never hold two seats at the same event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.events.enums import RegistrationStatus
from kb.models.base import Base, utcnow

REGISTRATION_STATUSES = tuple(RegistrationStatus)


class EventRegistration(Base):
    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "talent_id", name="uq_event_registrations_event_talent"),
        UniqueConstraint("event_id", "checkin_code", name="uq_event_registrations_event_code"),
        Index("ix_event_registrations_waitlist", "event_id", "status", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # "invitation" when an organizer asked first, "self" when the talent signed up alone.
    source: Mapped[str] = mapped_column(String(20), default="self")
    invited_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    waitlisted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    checkin_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # "list" (organizer ticked the name) or "code" (the talent's one-time code).
    checkin_method: Mapped[str] = mapped_column(String(10), default="")
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
