"""Event pages (``/events``) and their JSON API (``/api/v1/events``).

``web/app.py`` registers ``bp`` only; registering it also registers the API
blueprint, exempts that one from CSRF (it authenticates with bearer tokens,
never cookies) and adds its paths to the OpenAPI document, so the feature
plugs in with one line.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("events", __name__, url_prefix="/events")
api_bp = Blueprint("events_api", __name__, url_prefix="/api/v1/events")


@bp.record_once
def _register_api(state: BlueprintSetupState) -> None:
    from web.api.openapi import SPEC
    from web.events.openapi import PATHS, SCHEMAS

    state.app.register_blueprint(api_bp)
    state.app.extensions["csrf"].exempt(api_bp)
    SPEC["paths"].update(PATHS)
    SPEC.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)


from web.events import api, views  # noqa: E402,F401  (registers the routes)
