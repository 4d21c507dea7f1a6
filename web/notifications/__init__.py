"""The inbox: every role reads what kb.notifications.notify wrote for it.

The header shows the unread count on every page (``unread_badge``), so a talent
invited to a consultation or an event sees it without waiting for mail, which
an account without an address never gets.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from kb.notifications import inbox, mark_read, unread_count
from web.redirects import safe_next
from web.sessions import current_account, db

bp = Blueprint("notifications", __name__, url_prefix="/inbox")

PAGE_LIMIT = 200


@bp.get("")
@login_required
def index() -> str:
    user = current_account()
    unread_only = request.args.get("unread") == "1"
    rows = inbox(db(), user, limit=PAGE_LIMIT, unread_only=unread_only)  # type: ignore[arg-type]
    return render_template("notifications/inbox.html", rows=rows, unread_only=unread_only)


@bp.post("/read")
@login_required
def read() -> WResponse:
    """Mark one notification (``id``) or all of them read, then go to ``next`` (the notification's page).

    A POST, not a link, so opening a message is the act that marks it read;
    another user's ids change nothing (kb filters by owner)."""
    raw = request.form.getlist("id")
    ids = [int(i) for i in raw if i.isdigit()] if raw else None
    n = mark_read(db(), current_account(), ids)  # type: ignore[arg-type]
    if ids is None:
        flash(_("已全部标为已读（%(n)s 条）。", n=n), "success")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


def unread_badge() -> dict[str, Any]:
    """The header's unread count for the logged-in account (0 for a visitor)."""
    user = current_account()
    return {"unread_notifications": unread_count(db(), user) if user is not None else 0}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(unread_badge)
