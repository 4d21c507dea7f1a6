"""A refused form comes back on its own page, with what was typed and why.

Views used to let kb's errors escape to ``web.errors``, which answers with a
full error page: the consultation page's rating comment, a ledger step's
evidence or a cancellation reason were gone, and the way back was a link.
:func:`shows_page` is the one place that changes this: a POST view wrapped
in it that fails with a :class:`~kb.errors.ValidationError`,
:class:`~kb.errors.Conflict` or :class:`~kb.errors.NotFound` (of something
the form named) has its work rolled back, and the page the form lives on is
rendered again with a :class:`Refusal` in ``g``. Templates ask for it by the
form's action URL, so only the refused form shows the message (in the
reader's language, from ``web.messages``) and gets its values back. A page
that no longer offers the form (opened before the state moved on) gets the
message, and the text to copy, at the top of its content instead.

A denial (:class:`~kb.errors.PermissionDenied`) is not a form problem and
still ends on the 403 page; so does an error of the page itself (a
consultation that does not exist), which the re-rendering raises again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from flask import Flask, g, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from kb.errors import Conflict, KbError, NotFound, ValidationError
from web.messages import error_text, field_errors
from web.unit_of_work import session

F = TypeVar("F", bound=Callable[..., Any])

#: The kb errors a form can cause and the status of the page that shows them again.
STATUS: tuple[tuple[type[KbError], int], ...] = ((ValidationError, 400), (Conflict, 409), (NotFound, 404))


@dataclass(frozen=True)
class Refusal:
    """One refused form: where it was posted, what it said, and why it was refused."""

    action: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    values: MultiDict[str, str] = field(default_factory=MultiDict)

    def typed(self, name: str, default: Any = "") -> Any:
        """What the user had typed in ``name`` (the page's own value when the field was not sent)."""
        return self.values.get(name, default)

    def ticked(self, name: str) -> list[str]:
        return self.values.getlist(name)


#: Form fields that are not the user's writing: never shown back.
_NOT_TYPED = ("csrf_token", "password", "current_password", "new_password", "confirm", "version", "next")


def typed_text() -> list[str]:
    """What the user wrote in the refused form, so an error page never loses it.

    A form that re-renders itself keeps its input next to the field; for any
    other POST that ends on this page, the text is shown here to copy back.
    Secrets, the CSRF token and hidden bookkeeping (ids, versions) are left out.
    """
    if request.method != "POST" or request.content_length and request.content_length > 1_000_000:
        return []
    try:
        items = request.form.items(multi=True)
    except Exception:  # noqa: BLE001 - an unreadable body (too large, malformed) has nothing to give back
        return []
    return [v for k, v in items if k not in _NOT_TYPED and not k.endswith(("_id", "_ids", "password"))
            and len(v.strip()) > 1 and not v.strip().isdigit()]


def refusal_of(exc: KbError) -> Refusal:
    """The refusal of the current POST: the sentence of ``exc`` and each field's own message."""
    message = error_text(exc)
    fields = field_errors(exc.errors) if isinstance(exc, ValidationError) else {}
    fields = {name: text for name, text in fields.items() if text != message}
    values = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"])
    return Refusal(request.path, message, fields, values)


def refused(action: str) -> Refusal | None:
    """The refusal if the form posting to ``action`` is the one that was refused (templates)."""
    found: Refusal | None = g.get("refusal")
    return found if found is not None and found.action == action else None


def refusal_note(action: str, typed_back: bool = False) -> Markup:
    """The message shown above the refused form, as an alert; nothing for any other form.

    ``typed_back`` is for a form the page no longer offers after the refusal (advice on an
    invitation someone else closed meanwhile): the text the user wrote is shown to copy.
    """
    found = refused(action)
    if found is None:
        return Markup("")
    g.refusal_shown = True
    items = "".join(f"<li>{escape(text)}</li>" for text in found.fields.values())
    listed = f'<ul class="errors">{items}</ul>' if items else ""
    kept = "".join(f'<textarea readonly rows="4" class="typed-back">{escape(text)}</textarea>'
                   for text in typed_text()) if typed_back else ""
    return Markup(f'<div class="notice notice-error form-refusal" role="alert"><p>{escape(found.message)}</p>'
                  f"{listed}{kept}</div>")


def typed(action: str, name: str, default: Any = "") -> Any:
    """The value to put back in field ``name`` of the form posting to ``action``."""
    found = refused(action)
    return found.typed(name, default) if found is not None else default


def ticked(action: str, name: str, value: str, default: bool = False) -> bool:
    """Whether box ``value`` of ``name`` stays ticked: as the refused form had it, else ``default``."""
    found = refused(action)
    return value in found.ticked(name) if found is not None else default


#: The kb errors that a page built around one form (a new request, an event's form) shows on that form.
FORM_ERRORS: tuple[type[KbError], ...] = (ValidationError, Conflict)


def form_errors(exc: KbError) -> dict[str, str]:
    """A refused form page's messages: one per field where kb named the field, else the
    error's sentence under ``""`` (a conflict: the event was finished or cancelled meanwhile)."""
    fields = field_errors(exc.errors) if isinstance(exc, ValidationError) else {}
    return fields or {"": error_text(exc)}


def status_of(exc: KbError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def shows_page(page: Callable[..., ResponseReturnValue]) -> Callable[[F], F]:
    """Wrap a POST view so that a refused form re-renders ``page`` (called with the view's URL arguments)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except (ValidationError, Conflict, NotFound) as exc:
                session().rollback()
                g.refusal = refusal_of(exc)
                answer = page(**kwargs)
                body = answer[0] if isinstance(answer, tuple) else answer
                if not g.get("refusal_shown"):
                    body = _on_top(str(body), refusal_note(g.refusal.action, typed_back=True))
                return body, status_of(exc)

        return cast(F, wrapper)

    return decorate


def _on_top(page: str, note: Markup) -> str:
    """``note`` at the top of the page's main content, for a form the page no longer shows (the
    state moved on since it was opened): the user still reads why, and gets the text to copy."""
    main = re.search(r"<main\b[^>]*>", page)
    at = main.end() if main else 0
    return page[:at] + str(note) + page[at:]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(refused=refused, refusal_note=refusal_note, typed=typed, ticked=ticked)
