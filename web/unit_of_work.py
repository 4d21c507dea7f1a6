"""One unit of work per request, committed by the web layer, never by a view.

A view only adds to the request's session (``web.sessions.db()``); once it
has answered, :func:`finish` commits everything at once (the change, its
audit entry, its search-queue row) or nothing:

- committed when no exception escaped the view and the status is below 500.
  A view that handles a failure in place (a form shown again with a 400, a
  wrong password answered with a 401) has already rolled back the failed
  change itself, and what it wrote afterwards must stick: the audit entry of
  contact data shown on that form, the failed-login counter;
- rolled back when an exception escaped (the error pages of ``web.errors``
  answer it) or the response is a server error.

The commit runs in an ``after_request`` hook, so it happens before the
response leaves: a redirect is only sent once its change is in the
database, and a streamed download starts after its audit entry is saved.
A commit that fails becomes an error response of its own (a lost update
→ 409), never a success page for a change that was not saved.

Work that needs the committed rows, such as draining the search queue so
"save, then search" shows the change, is handed to :func:`after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from kb.db import UnitOfWork

SERVER_ERROR = 500


def session() -> Session:
    """The request's session, opened on first use."""
    if "unit_of_work" not in g:
        g.unit_of_work = UnitOfWork(current_app.extensions["kb"].sessions)
    work: UnitOfWork = g.unit_of_work
    return work.session


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once this request's changes are committed (and not at all if they are not)."""
    g.setdefault("after_commit", []).append(callback)


def _mark_failed() -> None:
    g.unit_of_work_failed = True


def finish(response: Response) -> Response:
    """Commit or roll back the request's work; the response to send."""
    work: UnitOfWork | None = g.get("unit_of_work")
    if g.get("unit_of_work_failed") or response.status_code >= SERVER_ERROR:
        if work is not None:
            work.rollback()
        g.pop("after_commit", None)
        return response
    if work is not None:
        try:
            work.commit()
        except Exception as exc:  # noqa: BLE001 - any failed commit is answered as an error, not a success
            g.pop("after_commit", None)
            return _commit_failed(exc)
    for callback in g.pop("after_commit", []):
        callback()
    return response


def _commit_failed(exc: Exception) -> Response:
    """The error page (or problem document) for a commit the database refused.

    The app's error handlers answer it as they answer the same refusal raised
    inside a view (``web.errors.database_refusal``: a lost update or a taken
    key is a 409, SQLite's lock a retryable 409, anything else a 500).
    """
    app = current_app
    return app.make_response(app.handle_user_exception(exc))


def close(_exc: BaseException | None) -> None:
    """End the request's unit of work; whatever was not committed is discarded.

    Runs at the end of every request (and of an app context used outside
    one), so a test or a shell holding an app context across requests does
    not carry one request's session or failure into the next.
    """
    g.pop("unit_of_work_failed", None)
    g.pop("after_commit", None)
    work: UnitOfWork | None = g.pop("unit_of_work", None)
    if work is not None:
        work.close()


def init_app(app: Flask) -> None:
    """Install the hooks; call it after every other ``after_request`` hook is registered.

    Flask runs ``after_request`` hooks last-registered first, so registering
    this one last makes the commit happen before the others (security
    headers, cookies) see the response, including an error response that
    replaces it when the commit fails.
    """
    handle_user_exception = app.handle_user_exception

    def handle_and_mark(exc: Exception) -> HTTPException | ResponseReturnValue:
        _mark_failed()
        return handle_user_exception(exc)

    # Flask has no signal for an exception an error handler answers; this is
    # where it passes through, so the unit of work learns the view failed.
    app.handle_user_exception = handle_and_mark  # type: ignore[method-assign, assignment]  # bound, no self
    app.after_request(finish)
    app.teardown_request(close)
    app.teardown_appcontext(close)
