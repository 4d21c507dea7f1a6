"""Domain errors the web layer and the CLI turn into clear messages.

An error carries a ``code`` (``"consultation.attachment.mismatch"``) and the
``params`` its sentence needs, so that each reader gets it in its own words:
the web pages render the code in Chinese or English (``web.messages``, one
catalogue), the CLI and the API keep the English ``detail`` next to the code.
A field error is a :class:`Message`, a ``str`` holding the English text that
also knows its code, so ``errors`` stays a plain ``{field: text}`` mapping for
JSON and the importer's line reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Message(str):
    """English text that also carries its catalogue code and parameters."""

    code: str
    params: dict[str, Any]

    def __new__(cls, english: str, code: str, **params: Any) -> Message:
        msg = super().__new__(cls, english)
        msg.code = code
        msg.params = params
        return msg


class KbError(Exception):
    """Base for errors a user can act on. ``str(exc)`` is the English detail."""

    default_code = "error"

    def __init__(self, detail: str = "", *, code: str | None = None, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.code = code or self.default_code
        self.params: dict[str, Any] = dict(params or {})

    @property
    def detail(self) -> str:
        return str(self)

    def as_json(self) -> dict[str, str]:
        """What the CLI's ``--json`` and the API answer: the code and the English detail."""
        return {"error": self.code, "detail": self.detail}


class NotFound(KbError):
    default_code = "not_found"


class PermissionDenied(KbError):
    default_code = "permission.denied"


class Conflict(KbError):
    """Someone else saved the same object since it was read, or the object's state forbids the action."""

    default_code = "conflict"


class ValidationError(KbError):
    """Input that cannot be saved, with a message per field where one is known.

    ``field`` (with ``code``/``params``) is the short form for one field's
    error: ``ValidationError("the advice text is required", field="text", code="advice.text.required")``.
    A field's plain English text (not a :class:`Message`) under an error with its own ``code`` is
    worded by that code, so no field ever reaches a page as English developer text.
    """

    default_code = "invalid"

    def __init__(self, message: str, errors: Mapping[str, str] | None = None, *, code: str | None = None,
                 params: Mapping[str, Any] | None = None, field: str | None = None) -> None:
        super().__init__(message, code=code, params=params)
        self.errors: dict[str, str] = {
            key: text if isinstance(text, Message) or code is None else Message(text, self.code, **self.params)
            for key, text in (errors or {}).items()}
        if field is not None:
            self.errors[field] = Message(self.errors.get(field) or message, self.code, **self.params)
        self.field = field
