"""Consultation pages (``/consultations``) and their JSON API (``/api/v1/consultations``)."""

from __future__ import annotations

from flask import Blueprint, current_app

from kb.consultations.settings import ConsultationSettings
from web.api.features import attach_api

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
api_bp = Blueprint("consultations_api", __name__, url_prefix="/api/v1/consultations")
attach_api(bp, api_bp, "web.consultations.openapi")


def consultation_settings() -> ConsultationSettings:
    """The consultations section of the settings, for the pages and the API alike."""
    settings: ConsultationSettings = current_app.extensions["kb"].settings.consultations
    return settings


def local_timezone() -> str:
    """The locale.timezone setting: the zone of every time in a download and of the report quarters."""
    zone: str = current_app.extensions["kb"].settings.locale.timezone
    return zone


from web.consultations import api, dossiers, experts, ledger_views, views  # noqa: E402,F401  (registers the routes)
