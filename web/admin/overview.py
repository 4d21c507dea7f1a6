"""The administration start page: the sections this account may use."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from kb.errors import PermissionDenied
from kb.web_support import pending_count
from web.admin import bp
from web.admin.sections import visible_sections
from web.sessions import db


@bp.get("/")
@login_required
def index() -> str:
    sections = visible_sections()
    if not sections:
        raise PermissionDenied("no administration section is open to this account", code="permission.admin_area")
    return render_template("admin/index.html", sections=sections, pending=pending_count(db()))
