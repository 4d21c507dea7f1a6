"""Expert search pages: the ranked list with facets, and similar experts."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from web.search import knowledge, views  # noqa: E402,F401  (registers the routes)
