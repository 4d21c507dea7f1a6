"""The JSON API ``/api/v1``: bearer-token auth, problem+json errors, OpenAPI.

Tokens, not cookies, authenticate here, so the blueprint is exempt from CSRF
and a browser session alone never grants API access.
"""

from __future__ import annotations

from flask import Blueprint, g, request
from werkzeug.wrappers import Response

from kb.accounts import user_for_token
from web.errors import problem
from web.sessions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}


def _unauthorized(detail: str) -> Response:
    resp = problem(401, "Unauthorized", detail)
    resp.headers["WWW-Authenticate"] = 'Bearer realm="luohu-kb"'
    return resp


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized("send 'Authorization: Bearer <token>' (create one with `kb users token NAME`)")
    user = user_for_token(db(), token)
    if user is None:
        return _unauthorized("the token is not valid: unknown, revoked or expired, or its account is disabled")
    g.api_user = user
    return None


from web.api import knowledge, routes, tokens  # noqa: E402,F401  (registers the routes)
from web.api.validation import validate_views  # noqa: E402

# Recorded after the routes, so it runs once they exist on the app: every view is checked
# against the OpenAPI document before it runs (web/api/validation.py).
bp.record(lambda state: validate_views(state.app, bp.name))
