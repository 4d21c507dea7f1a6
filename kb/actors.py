"""Who does something: a logged-in user, or the system acting for a command."""

from __future__ import annotations

from dataclasses import dataclass

from kb.models import User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    role: str | None = None
    talent_id: int | None = None
    unit: str = ""

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.role, user.talent_id, user.unit)

    @classmethod
    def system(cls, label: str) -> Actor:
        """A command-line or background action; it has every permission."""
        return cls(None, label, "system")

    @property
    def is_system(self) -> bool:
        return self.role == "system"
