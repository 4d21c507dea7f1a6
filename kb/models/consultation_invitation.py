"""An expert's part in a consultation: the invitation, the advice and its files.

One invitation per (request, talent). Its state records the talent's answer;
advice hangs off the invitation, so only an invited talent can give advice and
the researcher's rating and adoption decision sit next to the advice they judge.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.consultations.enums import InvitationState
from kb.models.base import Base, utcnow

if TYPE_CHECKING:
    from kb.models.consultation import ConsultationRequest
    from kb.models.consultation_ledger import AdviceLedgerEntry
    from kb.models.talent import Talent

# invited -> accepted -> answered; invited -> declined | conflict; accepted -> conflict
INVITATION_STATES = tuple(InvitationState)
ADOPTION_LEVELS = ("full", "partial", "none")


class ConsultationInvitation(Base):
    __tablename__ = "consultation_invitations"
    __table_args__ = (UniqueConstraint("request_id", "talent_id", name="uq_consultation_invitations_request_talent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_requests.id", ondelete="CASCADE"), index=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="invited", index=True)
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    invited_by: Mapped[str] = mapped_column(String(200), default="")
    responded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # why declined, or the declared conflict
    # The researcher's note sent with the invitation, shown to the talent on the invitation page.
    message: Mapped[str] = mapped_column(Text, default="", server_default="")

    request: Mapped[ConsultationRequest] = relationship(back_populates="invitations")
    talent: Mapped[Talent] = relationship()
    advice: Mapped[ConsultationAdvice | None] = relationship(
        back_populates="invitation", cascade="all, delete-orphan", uselist=False
    )
    reminders: Mapped[list[ConsultationReminder]] = relationship(cascade="all, delete-orphan")

    # The state is the row's version: every UPDATE says "WHERE state = <the state read>", so of
    # two answers sent at once (accept twice, accept and decline) the database lets one through
    # and the other fails with StaleDataError, which the web layer answers 409.
    __mapper_args__ = {"version_id_col": state, "version_id_generator": False}


class ConsultationAdvice(Base):
    __tablename__ = "consultation_advice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_invitations.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    rated_by: Mapped[str] = mapped_column(String(200), default="")

    invitation: Mapped[ConsultationInvitation] = relationship(back_populates="advice")
    attachments: Mapped[list[ConsultationAttachment]] = relationship(
        back_populates="advice", cascade="all, delete-orphan", order_by="ConsultationAttachment.id"
    )
    # What became of it (kb.consultations.ledger): 批示, adoption into a document, implementation, evaluation.
    ledger: Mapped[list[AdviceLedgerEntry]] = relationship(
        back_populates="advice", cascade="all, delete-orphan",
        order_by="[AdviceLedgerEntry.at, AdviceLedgerEntry.id]",
    )

    @property
    def adoption(self) -> str | None:
        """The extent of the latest adoption ("full", "partial"), "none" if recorded as not adopted,
        else None: the old single field, now read from the ledger (its levels are in the 批示 rows)."""
        for entry in reversed(self.ledger):
            if entry.step == "adopted":
                return entry.extent or "full"
            if entry.step == "not_adopted":
                return "none"
        return None

    @property
    def adopted_into(self) -> str:
        """The document of the latest adoption: title and number, as one line."""
        for entry in reversed(self.ledger):
            if entry.step == "adopted":
                return " ".join(p for p in (entry.doc_title, entry.doc_number) if p)
        return ""


class ConsultationAttachment(Base):
    __tablename__ = "consultation_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advice_id: Mapped[int] = mapped_column(ForeignKey("consultation_advice.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, shown to people
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # random, the only name on disk
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    advice: Mapped[ConsultationAdvice] = relationship(back_populates="attachments")


class ConsultationReminder(Base):
    """A reminder already sent: the unique key makes sending them idempotent."""

    __tablename__ = "consultation_reminders"
    __table_args__ = (UniqueConstraint("invitation_id", "kind", name="uq_consultation_reminders_invitation_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_invitations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
