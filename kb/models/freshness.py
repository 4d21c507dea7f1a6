"""Who keeps each talent's profile current, and the records that make freshness measurable.

A commissioner's assignment is a dated row rather than a column on the talent,
so a reassignment keeps the history the periodic assessment of commissioners
reads (who looked after whom, from when to when, assigned by whom). The digest
and snapshot rows exist for idempotency: their unique keys let the worker run
the same tick twice, or in two processes, and still send one digest per period
and write one count per day and state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import Base, utcnow
from kb.models.talent import Talent
from kb.models.user import User


class CommissionerAssignment(Base):
    """A talent looked after by a commissioner from ``started_at`` until ``ended_at`` (open: current)."""

    __tablename__ = "commissioner_assignments"
    __table_args__ = (
        # At most one open assignment per talent, enforced by the database on both dialects.
        Index("uq_commissioner_assignments_open", "talent_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    commissioner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    # Kept as text too: the history still names a commissioner whose account was deleted.
    commissioner_label: Mapped[str] = mapped_column(String(200), default="")
    assigned_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    assigned_by_label: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ended_by_label: Mapped[str] = mapped_column(String(200), default="")

    talent: Mapped[Talent] = relationship()
    commissioner: Mapped[User | None] = relationship(foreign_keys=[commissioner_user_id])


class FreshnessDigest(Base):
    """One digest sent to a talent for one period (``2026-12`` monthly, ``2026-W49`` weekly)."""

    __tablename__ = "freshness_digests"
    __table_args__ = (UniqueConstraint("talent_id", "period", name="uq_freshness_digests_talent_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FreshnessSnapshot(Base):
    """How many talent profiles were in one freshness state at the end of one day."""

    __tablename__ = "freshness_snapshots"
    __table_args__ = (UniqueConstraint("day", "state", name="uq_freshness_snapshots_day_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer, default=0)


# The talent's current assignment, readable from a talent (the permission rule of
# reminders asks it): declared here, where both classes exist, and read-only.
Talent.current_assignment = relationship(
    CommissionerAssignment,
    primaryjoin=lambda: (CommissionerAssignment.talent_id == Talent.id) & CommissionerAssignment.ended_at.is_(None),
    viewonly=True, uselist=False, lazy="select",
)
