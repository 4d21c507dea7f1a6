"""One output read from an uploaded file, waiting for its talent to claim or reject it.

Harvesting is preview-then-confirm: the parsed items are kept here (not in the
browser or a signed token), so a preview survives a reload, the confirm step
only names item ids, and the talent's digest can list what is still unclaimed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.models.base import Base, utcnow


class HarvestedItem(Base):
    __tablename__ = "harvested_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    # One upload: the items of a file share it, and confirm works on one batch.
    batch: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The output values as they would be saved (type, title, year, venue, doi, ...).
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Why the item cannot be saved (no title, ...): such an item is never claimable.
    error: Mapped[str] = mapped_column(Text, default="")
    # What mapping left out or changed (a link kb.urls refuses, a year out of range).
    notes: Mapped[list[str]] = mapped_column(default=list)
    # {"kind": "existing"|"file", "ref": output id or item position, "reason": "doi"|"number"|"title",
    #  "score": similarity, "title": the other title}, or None.
    duplicate: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    # pending → claimed | rejected; failed items stay failed.
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    output_id: Mapped[int | None] = mapped_column(ForeignKey("outputs.id", ondelete="SET NULL"), nullable=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    uploaded_by_label: Mapped[str] = mapped_column(String(200), default="")
    # True when someone other than the talent uploaded (a commissioner acting on its behalf).
    delegated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by_label: Mapped[str] = mapped_column(String(200), default="")
