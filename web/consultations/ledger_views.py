"""The adoption ledger on the request page and in the API: thin adapters over kb.consultations.ledger."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from kb.consultations import ledger
from kb.consultations.attachments import Upload
from kb.consultations.requests import get_advice
from kb.consultations.track_record import track_record
from kb.errors import ValidationError
from kb.models.consultation import ConsultationAdvice
from web.consultations import api_bp, bp, local_timezone, request_page
from web.consultations import consultation_settings as _settings
from web.refusals import shows_page
from web.sessions import current_actor, db, knowledge_base

LEDGER_STEPS = {
    "submitted": _l("提交意见"), "acknowledged": _l("领导圈阅（未计为采纳）"), "instructed": _l("领导批示"),
    "adopted": _l("采纳入文件"), "not_adopted": _l("未采纳"), "implemented": _l("落实"), "evaluated": _l("效果评估"),
}
LEADER_LEVELS = {"district": _l("区领导"), "city": _l("市领导"), "provincial": _l("省部级"),
                 "document": _l("采纳入文件（无批示）")}


@bp.app_context_processor
def _ledger_helpers() -> dict[str, Any]:
    """For the ledger partial on the request page and the counts on profiles and the dashboard."""
    return {"ledger_status": ledger.adoption_status,
            "ledger_step_label": lambda code: str(LEDGER_STEPS.get(code, code)),
            "leader_level_label": lambda code: str(LEADER_LEVELS.get(code or "", code or "")),
            "track_record_of": lambda talent: track_record(db(), talent.id)}


def _upload() -> Upload | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return Upload(file.filename, file.read())


def _record(aid: int, values: dict[str, object]) -> ConsultationAdvice:
    advice = get_advice(db(), current_actor(), aid)
    ledger.record_step(db(), current_actor(), advice, ledger.StepInput.parse(values), _upload(),
                       data_dir=knowledge_base().settings.data_dir, settings=_settings(), tz=local_timezone())
    return advice


def _ledger_page(aid: int) -> tuple[str, int]:
    """The request page with the advice whose ledger form was refused."""
    return request_page.render(get_advice(db(), current_actor(), aid).invitation.request_id)


@bp.post("/advice/<int:aid>/ledger")
@login_required
@shows_page(_ledger_page)
def record_ledger_step(aid: int) -> WResponse:
    advice = _record(aid, request.form.to_dict())
    flash(_("采纳台账已记录。"), "success")
    return redirect(url_for("consultations.detail", rid=advice.invitation.request_id) + f"#advice-{aid}")


@bp.get("/ledger/<int:entry_id>/document")
@login_required
def ledger_document(entry_id: int) -> Response:
    entry, path = ledger.ledger_document(db(), current_actor(), entry_id, knowledge_base().settings.data_dir)
    return send_file(path, mimetype=entry.content_type, as_attachment=True, download_name=entry.file_name)


@api_bp.get("/advice/<int:aid>/ledger")
def get_ledger(aid: int) -> Response:
    return jsonify(ledger.ledger_dict(ledger.readable_ledger(db(), current_actor(), aid)))


@api_bp.post("/advice/<int:aid>/ledger")
def post_ledger_step(aid: int) -> tuple[Response, int]:
    if request.mimetype == "multipart/form-data":
        values: dict[str, object] = request.form.to_dict()
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError("the request body must be a JSON object")
        values = body
    return jsonify(ledger.ledger_dict(_record(aid, values))), 201
