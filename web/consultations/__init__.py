"""Consultation pages (``/consultations``) and their JSON API (``/api/v1/consultations``).

``web/app.py`` registers ``bp`` only; registering it also registers the API
blueprint, exempts that one from CSRF (it authenticates with bearer tokens,
never cookies) and adds its paths to the OpenAPI document, so the whole
feature plugs in with one line.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("consultations", __name__, url_prefix="/consultations")
api_bp = Blueprint("consultations_api", __name__, url_prefix="/api/v1/consultations")


@bp.record_once
def _register_api(state: BlueprintSetupState) -> None:
    from web.api.openapi import SPEC
    from web.consultations.openapi import PATHS, SCHEMAS

    state.app.register_blueprint(api_bp)
    state.app.extensions["csrf"].exempt(api_bp)
    SPEC["paths"].update(PATHS)
    SPEC.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)


from web.consultations import api, views  # noqa: E402,F401  (registers the routes)
