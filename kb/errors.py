"""Domain errors the web layer and the CLI turn into clear messages."""

from __future__ import annotations


class KbError(Exception):
    """Base for errors a user can act on."""


class NotFound(KbError):
    pass


class PermissionDenied(KbError):
    pass


class Conflict(KbError):
    """Someone else saved the same object since it was read."""


class ValidationError(KbError):
    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}
