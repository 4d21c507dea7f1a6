"""Dossier downloads (PDF to file, DOCX to edit) and the quarterly report, on pages and in the API.

Why each expert was chosen includes the current recommendation's search
evidence when the search engine answers; without it the dossier still has
the reasons on record (added by hand, drawn).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, render_template, request
from flask_login import login_required

from kb.consultations.dossier import dossier_pdf
from kb.consultations.dossier_docx import DOCX_TYPE, dossier_docx
from kb.consultations.quarterly import FORMATS, Quarter, quarterly_report
from kb.consultations.recommend import recommend
from kb.consultations.requests import get_request
from kb.localtime import to_local
from kb.models import utcnow
from kb.models.consultation import ConsultationRequest
from kb.permissions import require
from kb.tabular import XLSX_MIMETYPE
from web.consultations import api_bp, bp
from web.consultations import consultation_settings as _settings
from web.consultations import local_timezone as _tz
from web.sessions import current_actor, db, knowledge_base

log = logging.getLogger(__name__)
TYPES = {"pdf": "application/pdf", "docx": DOCX_TYPE, "xlsx": XLSX_MIMETYPE}


def _evidence(req: ConsultationRequest) -> dict[str, Any]:
    """The recommendation's candidates by talent id; empty when the search cannot answer now."""
    try:
        found = recommend(knowledge_base(), db(), current_actor(), req, settings=_settings())
    except Exception as exc:  # noqa: BLE001 - a dossier without search evidence beats no dossier
        log.warning("dossier of consultation #%s without search evidence: %s", req.id, exc)
        return {}
    return {c.talent_id: c for c in found.candidates}


def _file(data: bytes, fmt: str, name: str) -> Response:
    return Response(data, mimetype=TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _dossier(rid: int, fmt: str) -> Response:
    req = get_request(db(), current_actor(), rid)
    require(current_actor(), "consultation.manage", req)
    if fmt == "pdf":
        data = dossier_pdf(db(), current_actor(), req, font=_settings().cjk_font, tz=_tz(), evidence=_evidence(req))
    else:
        data = dossier_docx(db(), current_actor(), req, tz=_tz(), evidence=_evidence(req))
    return _file(data, fmt, f"consultation-{rid}.{fmt}")


@bp.get("/<int:rid>/dossier.pdf")
@login_required
def dossier(rid: int) -> Response:
    return _dossier(rid, "pdf")


@bp.get("/<int:rid>/dossier.docx")
@login_required
def dossier_docx_page(rid: int) -> Response:
    return _dossier(rid, "docx")


@api_bp.get("/<int:rid>/dossier.pdf")
def dossier_pdf_api(rid: int) -> Response:
    return _dossier(rid, "pdf")


@api_bp.get("/<int:rid>/dossier.docx")
def dossier_docx_api(rid: int) -> Response:
    return _dossier(rid, "docx")


def _report(quarter: str, fmt: str) -> Response:
    data = quarterly_report(db(), current_actor(), quarter, fmt, tz=_tz())
    return _file(data, fmt, f"consultations-{Quarter.parse(quarter).label}.{fmt}")


@bp.get("/reports")
@login_required
def reports() -> str:
    require(current_actor(), "consultation.report")
    current = Quarter.of(to_local(utcnow(), _tz()).date())  # the quarter of Luohu's calendar, not UTC's
    quarters = [current]
    while len(quarters) < 8:
        quarters.append(quarters[-1].previous)
    return render_template("consultations/reports.html", quarters=quarters, formats=FORMATS,
                           chosen=request.args.get("quarter", current.label))


@bp.get("/reports/<quarter>.docx")
@login_required
def quarterly_docx(quarter: str) -> Response:
    return _report(quarter, "docx")


@bp.get("/reports/<quarter>.xlsx")
@login_required
def quarterly_xlsx(quarter: str) -> Response:
    return _report(quarter, "xlsx")


@api_bp.get("/reports/<quarter>.docx")
def quarterly_docx_api(quarter: str) -> Response:
    return _report(quarter, "docx")


@api_bp.get("/reports/<quarter>.xlsx")
def quarterly_xlsx_api(quarter: str) -> Response:
    return _report(quarter, "xlsx")
