"""The profile's "import outputs" page: upload a file, see the preview, claim items.

Thin: kb.talents.harvest.service parses, flags duplicates, keeps the pending
items and saves claims; this module turns its answers into pages. Upload and
claim are separate requests over the stored batch, so a reload of the preview
changes nothing and the claim form sends only item ids.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.wrappers import Response

from kb.errors import ValidationError
from kb.models import Talent
from kb.permissions import require
from kb.talents import changes as kt
from kb.talents.harvest import service as harvest
from kb.talents.harvest.detect import FORMATS
from web.sessions import current_actor, db
from web.talents import bp
from web.talents.views import _index_now
from web.unit_of_work import after_commit

FORMAT_LABELS = {
    "auto": _l("自动识别"), "bibtex": "BibTeX", "ris": _l("RIS（知网、万方、WoS、Scopus、Zotero）"),
    "csl-json": "CSL-JSON", "endnote-xml": "EndNote XML", "orcid": _l("ORCID 记录（JSON 或 XML）"),
    "patents": _l("专利清单（CSV 或 XLSX）"),
}


def _page(talent: Talent, status: int = 200, problem: str = "") -> tuple[str, int]:
    actor = current_actor()
    batch = request.args.get("batch", "")
    items = harvest.batch_items(db(), actor, talent, batch) if batch else harvest.pending_items(db(), talent)
    require(actor, "talent.harvest", talent)
    outputs = {o.id: o for o in talent.outputs}
    return render_template(
        "talents/import_outputs.html", talent=talent, items=items, batch=batch, outputs=outputs,
        formats=["auto", *FORMATS], format_labels=FORMAT_LABELS, problem=problem,
        delegated=harvest.is_delegated(actor, talent),
    ), status


@bp.route("/talents/<external_id>/outputs/import", methods=["GET", "POST"])
@login_required
def import_outputs(external_id: str) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.harvest", talent)  # before reading the upload
    if request.method == "GET":
        return _page(talent)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(talent, 400, _("请选择要导入的文件。"))
    try:
        shown = harvest.preview(db(), current_actor(), talent, upload.read(), upload.filename,
                                request.form.get("format", "auto"))
    except ValidationError as exc:
        db().rollback()
        return _page(talent, 400, _("无法读取该文件：%(reason)s", reason=str(exc)))
    return redirect(url_for("talents.import_outputs", external_id=external_id, batch=shown.batch))


@bp.post("/talents/<external_id>/outputs/import/claim")
@login_required
def claim_outputs(external_id: str) -> Response:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.harvest", talent)
    try:
        claim = [int(v) for v in request.form.getlist("claim")]
    except ValueError:
        raise ValidationError("claim must list item ids", {"claim": "integer"}) from None
    result = harvest.confirm(db(), current_actor(), talent, request.form.get("batch", ""), claim)
    flash(_("已认领 %(created)d 项成果，其余 %(rejected)d 项已忽略。", created=len(result.created),
            rejected=len(result.rejected)), "success")
    if result.skipped:
        flash(_("%(count)d 项与刚刚新增的成果重复，未保存，仍待确认。", count=len(result.skipped)), "warning")
    if result.created:
        after_commit(_index_now)
    return redirect(url_for("talents.profile", external_id=external_id) + "#outputs")
