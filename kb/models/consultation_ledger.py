"""The adoption ledger: what became of a piece of advice, one row per step.

A single "adopted: yes/partly/no" field could not say *who* adopted it, *into
what*, or whether anything came of it. The ledger keeps each step with its
evidence (the 批示's text and its leader's level, the document's title, number,
date and link or file, the assessment a year on), the account that recorded it
and when it happened, so the record can be checked and counted by level.
Rows are only ever added: a correction is a further step, not an edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import Base, utcnow

if TYPE_CHECKING:
    from kb.models.consultation_invitation import ConsultationAdvice


class AdviceLedgerEntry(Base):
    __tablename__ = "advice_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advice_id: Mapped[int] = mapped_column(ForeignKey("consultation_advice.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20), index=True)  # kb.consultations.enums.LedgerStep
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # when it happened (as recorded)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    # The 批示's text, what was implemented, or the assessment.
    evidence: Mapped[str] = mapped_column(Text, default="")
    leader: Mapped[str] = mapped_column(String(200), default="")  # who wrote the 批示
    leader_level: Mapped[str | None] = mapped_column(String(20), nullable=True)  # LeaderLevel
    extent: Mapped[str | None] = mapped_column(String(10), nullable=True)  # AdoptionExtent of an adoption
    doc_title: Mapped[str] = mapped_column(String(300), default="")
    doc_number: Mapped[str] = mapped_column(String(100), default="")  # 文号, e.g. 罗府办〔2026〕12号
    doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    doc_url: Mapped[str] = mapped_column(String(1000), default="")
    # An uploaded copy of the document, stored as advice attachments are.
    file_name: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    file_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")

    advice: Mapped[ConsultationAdvice] = relationship(back_populates="ledger")
