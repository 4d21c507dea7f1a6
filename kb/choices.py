"""Reading a code (a state, an action) that arrives as text from a form, the API or the CLI.

Codes are ``StrEnum``s defined once in kb; the outside world sends strings.
``choice`` turns one into the other, and a value that is not a member is the
sender's mistake: a ``ValidationError`` naming the field and the accepted
values (a 400), never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from kb.errors import ValidationError

E = TypeVar("E", bound=StrEnum)


def values(codes: Iterable[StrEnum]) -> list[str]:
    """The strings of ``codes``, for an OpenAPI ``enum`` or a CLI choice that cannot drift from kb's."""
    return [c.value for c in codes]


def choice(kind: type[E], value: object, field: str, accepted: Iterable[E] | None = None) -> E:
    """``value`` as a member of ``kind`` (limited to ``accepted`` when given), or a ValidationError."""
    allowed = list(accepted) if accepted is not None else list(kind)
    if isinstance(value, str) and value in set(allowed):
        return kind(value)
    names = ", ".join(m.value for m in allowed)
    raise ValidationError(f"{field} must be one of {names}", {field: f"one of {names}"}, field=field,
                          code="record.enum")
