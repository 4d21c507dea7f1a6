"""A policy unit's consultation request and its recorded history.

The request carries the need, the matter's parties (for 回避 checks) and the
seed of any random draw. Transitions, hand-made selection changes and draws are
separate append-only tables, so "who moved it, when, and why" is never lost by
a later change to the request itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.consultations.enums import RequestState
from kb.models.base import Base, utcnow
from kb.models.consultation_affiliation import TalentAffiliation
from kb.models.consultation_invitation import (
    ADOPTION_LEVELS,
    INVITATION_STATES,
    ConsultationAdvice,
    ConsultationAttachment,
    ConsultationInvitation,
    ConsultationReminder,
)
from kb.models.consultation_ledger import AdviceLedgerEntry

if TYPE_CHECKING:
    from kb.models.talent import Talent
    from kb.models.user import User

REQUEST_STATES = tuple(RequestState)
FORMS = ("written", "meeting", "panel")
CONFIDENTIALITY = ("public", "unit", "confidential")


class ConsultationRequest(Base):
    __tablename__ = "consultation_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    background: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]] = mapped_column(default=list)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    experts_wanted: Mapped[int] = mapped_column(Integer, default=3)
    form: Mapped[str] = mapped_column(String(20), default="written")
    confidentiality: Mapped[str] = mapped_column(String(20), default="unit")
    parties: Mapped[list[str]] = mapped_column(default=list)  # organization names involved in the matter
    unit: Mapped[str] = mapped_column(String(200), default="", index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    org_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)  # diversity: experts per organization
    draw_seed: Mapped[str] = mapped_column(String(64), default="")  # seed of the latest draw
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    requester: Mapped[User | None] = relationship()
    invitations: Mapped[list[ConsultationInvitation]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ConsultationInvitation.id"
    )
    transitions: Mapped[list[ConsultationTransition]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationTransition.id"
    )
    selections: Mapped[list[ConsultationSelection]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationSelection.id"
    )
    draws: Mapped[list[ConsultationDraw]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationDraw.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def need_text(self) -> str:
        """What the recommendation searches with: the request in the researcher's own words."""
        return "\n".join(p for p in (self.title, self.background, self.questions) if p)


class ConsultationTransition(Base):
    __tablename__ = "consultation_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsultationSelection(Base):
    """A researcher adding (``include``) or removing (``exclude``) an expert by hand."""

    __tablename__ = "consultation_selections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    talent: Mapped[Talent] = relationship()


class ConsultationDraw(Base):
    """One random draw: the ordered pool and the seed are enough to repeat it exactly."""

    __tablename__ = "consultation_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    pool: Mapped[list[str]] = mapped_column(default=list)  # talent external ids, sorted
    count: Mapped[int] = mapped_column(Integer)
    picked: Mapped[list[str]] = mapped_column(default=list)  # talent external ids, in draw order
    # The fair-draw option (kb.consultations.fairness): when on, chances follow past load.
    fair: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Its parameters and each pool member's past count, weight and chance (also for a plain
    # draw, to show what the option would have changed); None for draws before 0012.
    fairness: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


__all__ = [
    "ADOPTION_LEVELS",
    "AdviceLedgerEntry",
    "CONFIDENTIALITY",
    "FORMS",
    "INVITATION_STATES",
    "REQUEST_STATES",
    "ConsultationAdvice",
    "ConsultationAttachment",
    "ConsultationDraw",
    "ConsultationInvitation",
    "ConsultationReminder",
    "ConsultationRequest",
    "ConsultationSelection",
    "ConsultationTransition",
    "TalentAffiliation",
]
