"""The programme dashboard: figures from kb.dashboard, charts drawn in the browser."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_login import login_required
from werkzeug.wrappers import Response

from kb.dashboard import figures
from kb.models.event_registration import REGISTRATION_STATUSES
from web.events.labels import registration_label
from web.sessions import current_actor, db, knowledge_base

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.context_processor
def _labels() -> dict[str, Any]:
    """The event labels the events pages use, so the dashboard names statuses the same way."""
    return {"registration_label": registration_label, "REGISTRATION_STATUSES": REGISTRATION_STATUSES}


def _figures() -> dict[str, Any]:
    return figures(db(), current_actor(), freshness_settings=knowledge_base().settings.freshness)


@bp.get("/")
@login_required
def index() -> str:
    cap = capability_view()
    return render_template("dashboard/index.html", data=_figures(), cap=cap, cap_charts=chart_data(cap))


@bp.get("/data.json")
@login_required
def data() -> Response:
    """The same figures for scripts and for refreshing the page without a reload."""
    return jsonify(_figures())


from web.dashboard.capability import capability_view, chart_data  # noqa: E402 - its routes need bp above
