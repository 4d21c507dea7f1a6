"""Talent profiles: the public page, history, self-service editing, outputs."""

from flask import Blueprint

bp = Blueprint("talents", __name__)

from web.talents import harvest_views, views  # noqa: E402,F401  (registers the routes)
