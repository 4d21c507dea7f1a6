"""Small WTForms helpers shared by the blueprints' forms."""

from __future__ import annotations

from wtforms import Field


def lines(text: str | None) -> list[str]:
    """One entry per non-empty line (research directions, languages)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def attach_errors(form: object, errors: dict[str, str], aliases: dict[str, str] | None = None) -> list[str]:
    """Put kb field errors on the matching form fields; return those that match none.

    kb reports record paths such as ``research_directions[2]`` or ``contact.email``;
    the first segment (or an alias) names the form field.
    """
    aliases = aliases or {}
    unmatched: list[str] = []
    from web.messages import field_message

    for path, coded in errors.items():
        message = field_message(coded)
        key = aliases.get(path) or aliases.get(path.split("[")[0].split(".")[0]) or path.split("[")[0].split(".")[0]
        field = getattr(form, key, None)
        if isinstance(field, Field):
            field.errors = [*list(field.errors or []), message]
        else:
            unmatched.append(f"{path}: {message}" if path else message)
    return unmatched
