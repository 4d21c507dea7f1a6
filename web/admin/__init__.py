"""Administration: accounts, talents, review queue, import/export, audit log.

Each page checks its own kb action, so a commissioner reaches the pages its
role allows and gets a 403 page on the rest.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from web.admin import accounts, data, overview, reviews, system, talents  # noqa: E402,F401  (registers the routes)
