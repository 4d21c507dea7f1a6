"""A certified talent: the system of record for everything search and the web show."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import Base, utcnow

if TYPE_CHECKING:
    from kb.models.output import Output


class Talent(Base):
    __tablename__ = "talents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(1), index=True)
    certification_status: Mapped[str] = mapped_column(String(20), default="certified")
    certified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[str]] = mapped_column(default=list)
    research_directions: Mapped[list[str]] = mapped_column(default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(default=list)
    available_for_consultation: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_event_invitations: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Last change to the directions or outputs (the "substantive" part a freshness
    # state measures), kept on the write path so the freshness of every talent is
    # one indexed column to read (kb.talents.freshness).
    last_changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    # How often the talent hears what to check: "off", "weekly", "monthly"; empty
    # follows freshness.digest_frequency.
    digest_frequency: Mapped[str] = mapped_column(String(10), default="")
    # Last time a commissioner reminded the talent (one reminder per week at most).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    outputs: Mapped[list[Output]] = relationship(
        back_populates="talent",
        cascade="all, delete-orphan",
        order_by="(Output.year.desc(), Output.id)",
    )

    # Optimistic locking: every UPDATE checks the version it read, so two
    # people saving the same profile cannot silently overwrite each other.
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Talent {self.external_id} {self.name}>"
