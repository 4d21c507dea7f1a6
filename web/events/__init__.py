"""Event pages (``/events``) and their JSON API (``/api/v1/events``)."""

from __future__ import annotations

from flask import Blueprint

from web.api.features import attach_api

bp = Blueprint("events", __name__, url_prefix="/events")
api_bp = Blueprint("events_api", __name__, url_prefix="/api/v1/events")
attach_api(bp, api_bp, "web.events.openapi")

from web.events import api, audience_add, views  # noqa: E402,F401  (registers the routes)
