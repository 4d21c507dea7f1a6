"""A confirmation step before destructive actions, without JavaScript.

A view decorated with :func:`confirm_first` acts only on a form that carries
``confirmed=1``. Any other POST answers a page that states what will happen
and re-posts the same fields with ``confirmed=1`` (with a fresh CSRF token),
next to a way back. With JavaScript the form's ``data-confirm`` question is
asked in a dialog instead and ``confirmed=1`` added (web/static/js/app.js), so
the extra page is only the no-script path. One mechanism for every
destructive action: disabling an account, cancelling on someone's behalf,
revoking a token, deleting an output, cancelling an event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import render_template, request

from web.redirects import referrer_path, safe_next

F = TypeVar("F", bound=Callable[..., Any])
Question = Callable[..., str]


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def confirm_first(question: Question, *, when: Callable[[], bool] = lambda: True) -> Callable[[F], F]:
    """Ask ``question(**view_args)`` before running the view, when ``when()`` holds for the form."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST" and when() and not confirmed():
                return confirmation_page(question(**kwargs))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def confirmation_page(question: str) -> str:
    fields = [(k, v) for k, values in request.form.lists() if k not in ("csrf_token", "confirmed") for v in values]
    back = safe_next(request.form.get("next") or referrer_path(), "/")
    return render_template("confirm.html", question=question, action=request.path, fields=fields, back=back)
