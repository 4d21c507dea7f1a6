"""Association events: lectures, salons, trainings and site visits.

Times are stored as naive UTC (like every timestamp in the knowledge base) plus
the IANA zone the organizer planned in, so the event shows at the right local
time everywhere and an .ics file can carry the zone. ``registered_count`` is a
denormalised seat counter: registering bumps it with one conditional UPDATE, so
two people racing for the last seat cannot both get it, on SQLite and PostgreSQL.

This module also re-exports the other event tables, so ``kb.models`` needs one
import line for all of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.events.enums import EventStatus
from kb.models.base import Base, utcnow
from kb.models.event_extras import EventAudienceEntry, EventFeedback, EventMaterial, EventProposal
from kb.models.event_registration import EventRegistration

EVENT_KINDS = ("lecture", "salon", "training", "site_visit", "other")
EVENT_STATUSES = tuple(EventStatus)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("registered_count >= 0", name="seats_not_negative"),
        CheckConstraint("registered_count <= capacity", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable calendar identity (the .ics UID), independent of the database row id.
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[str]] = mapped_column(default=list)
    start_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(1000), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    registered_count: Mapped[int] = mapped_column(Integer, default=0)
    registration_deadline: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    audience_categories: Mapped[list[str]] = mapped_column(default=list)
    audience_fields: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Bumped whenever time or place change, so calendar clients replace the old entry.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    speakers: Mapped[list[EventSpeaker]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSpeaker.position"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title} ({self.status})>"


class EventSpeaker(Base):
    """A speaker: a talent of the knowledge base, or an outside guest by name."""

    __tablename__ = "event_speakers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    talent_id: Mapped[int | None] = mapped_column(ForeignKey("talents.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="speakers")


__all__ = [
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "Event",
    "EventAudienceEntry",
    "EventFeedback",
    "EventMaterial",
    "EventProposal",
    "EventRegistration",
    "EventSpeaker",
]
