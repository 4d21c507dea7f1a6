"""Accounts, their role, and the link between a talent and its account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.models.base import Base, utcnow
from kb.roles import Role

ROLES = tuple(Role)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    # The policy unit (for researchers) or association (for organizers) the
    # account acts for; consultations are owned by units.
    unit: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    talent_id: Mapped[int | None] = mapped_column(
        ForeignKey("talents.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    preferred_language: Mapped[str] = mapped_column(String(10), default="zh")
    # Wrong passwords since the last successful login: shown to administrators
    # as a sign of guessing. It never locks the account (web/throttle.py slows
    # guessing down instead, so nobody can lock an owner out).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by logout, a password change or reset and disabling the account;
    # a browser session carries the value it was started with and is refused
    # once they differ, so a captured cookie dies with the session it belonged to.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    # flask-login protocol, kept here so the web layer needs no wrapper class.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"
