"""Talent administration: list with filters, create by form, delete.

Certification (category, status, date) is edited on the talent's own edit
page, where kb lets only staff change those facts.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from kb.errors import ValidationError
from kb.models import Talent
from kb.permissions import require
from kb.talents import changes as kt
from kb.talents.changes import CERTIFICATION_STATUSES
from kb.taxonomy import load_taxonomy
from kb.web_support import list_talents
from web.admin import bp
from web.admin.forms import TalentForm
from web.forms import attach_errors, lines
from web.indexing import sync_index
from web.sessions import current_actor, db
from web.unit_of_work import after_commit

PAGE = 50
MAX_PAGE = 10_000  # a page number beyond any integer column once reached SQL as an offset (500)


@bp.get("/talents")
@login_required
def talents() -> str:
    require(current_actor(), "talent.create")
    tax = load_taxonomy()
    filters = {
        "q": request.args.get("q", "").strip()[:100],
        "category": request.args.get("category", "") if request.args.get("category") in tax.categories else "",
        "field": request.args.get("field", "") if request.args.get("field") in tax.fields else "",
        "status": request.args.get("status", "") if request.args.get("status") in CERTIFICATION_STATUSES else "",
    }
    try:
        page = min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))  # bounded: the offset reaches SQL
    except ValueError:
        page = 1
    result = list_talents(db(), text=filters["q"], category=filters["category"], field=filters["field"],
                          status=filters["status"], offset=(page - 1) * PAGE, limit=PAGE)
    active = {k: v for k, v in filters.items() if v}

    def page_url(n: int) -> str:
        return url_for("admin.talents") + "?" + urlencode({**active, "page": n})

    return render_template("admin/talents.html", result=result, filters=filters, page=page,
                           pages=math.ceil(result.total / PAGE), page_url=page_url,
                           statuses=CERTIFICATION_STATUSES)


def _record(form: TalentForm, fields: list[str], languages: list[str]) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": (form.external_id.data or "").strip(), "name": (form.name.data or "").strip(),
        "category": form.category.data, "fields": fields,
        "research_directions": lines(form.research_directions.data),
        "available_for_consultation": bool(form.available_for_consultation.data),
    }
    for key in ("name_en", "title", "organization", "bio"):
        value = (getattr(form, key).data or "").strip()
        if value:
            rec[key] = value
    if languages:
        rec["languages"] = languages
    contact = {k: (getattr(form, k).data or "").strip() for k in ("email", "phone")}
    contact = {k: v for k, v in contact.items() if v}
    if contact:
        rec["contact"] = contact
    return rec


@bp.route("/talents/new", methods=["GET", "POST"])
@login_required
def new_talent() -> Response | tuple[str, int]:
    actor = current_actor()
    require(actor, "talent.create")
    form = TalentForm()
    fields = [f for f in request.form.getlist("fields")]
    languages = [lang for lang in request.form.getlist("languages")]
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            ext = (form.external_id.data or "").strip()
            if db().scalar(select(Talent.id).where(Talent.external_id == ext)) is not None:
                form.external_id.errors = [_("这个编号已被其他人才使用。")]
                status = 409
            else:
                try:
                    talent, _outcome = kt.apply_record(db(), _record(form, fields, languages), actor)
                except ValidationError as exc:
                    db().rollback()
                    problems = attach_errors(form, exc.errors)
                else:
                    after_commit(sync_index)
                    flash(_("已创建人才档案。"), "success")
                    return redirect(url_for("talents.profile", external_id=talent.external_id))
    return render_template("admin/talent_new.html", form=form, fields=fields, languages=languages,
                           problems=problems), status


@bp.route("/talents/<external_id>/delete", methods=["GET", "POST"])
@login_required
def delete_talent(external_id: str) -> Response | str:
    actor = current_actor()
    talent = kt.get_talent(db(), external_id)
    require(actor, "talent.delete", talent)
    if request.method == "GET":
        return render_template("admin/talent_delete.html", talent=talent)
    name = talent.name
    kt.delete_talent(db(), actor, talent)
    after_commit(sync_index)
    flash(_("已删除人才档案 %(name)s（%(id)s）。", name=name, id=external_id), "success")
    return redirect(url_for("admin.talents"))
