"""A talent's past (and present) employers, kept for conflict-of-interest checks.

The talent's ``organization`` column stays the current employer shown on the
profile; this table adds the history that a 回避 (recusal) rule needs: "worked
for a party to the matter in the last three years" cannot be answered from the
current employer alone.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.models.base import Base


class TalentAffiliation(Base):
    __tablename__ = "talent_affiliations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talent_id: Mapped[int] = mapped_column(ForeignKey("talents.id", ondelete="CASCADE"), index=True)
    organization: Mapped[str] = mapped_column(String(200))
    from_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # None: still employed there (a second current employer, e.g. a part-time post).
    to_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
