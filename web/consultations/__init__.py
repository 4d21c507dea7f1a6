"""Consultation pages (``/consultations``) and their JSON API (``/api/v1/consultations``)."""

from __future__ import annotations

from flask import Blueprint

from web.api.features import attach_api

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
api_bp = Blueprint("consultations_api", __name__, url_prefix="/api/v1/consultations")
attach_api(bp, api_bp, "web.consultations.openapi")

from web.consultations import api, views  # noqa: E402,F401  (registers the routes)
