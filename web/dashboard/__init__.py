"""The programme dashboard: figures from kb.dashboard, charts drawn in the browser."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from werkzeug.wrappers import Response

from kb.dashboard import figures
from web.sessions import current_actor, db

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
@login_required
def index() -> str:
    return render_template("dashboard/index.html", data=figures(db(), current_actor()))


@bp.get("/data.json")
@login_required
def data() -> Response:
    """The same figures for scripts and for refreshing the page without a reload."""
    return jsonify(figures(db(), current_actor()))
