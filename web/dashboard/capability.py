"""The capability map's routes on the dashboard: rebuild request and table exports.

The map itself is shaped by ``kb.capability.service.map_view`` and drawn in
``dashboard/_capability.html`` (Chart.js, bundled under static/vendor, loaded
only on the dashboard); these views only ask the domain and hand back what
it returns.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from kb.capability.export import FORMATS, TABLES, export_table
from kb.capability.service import map_view, request_build
from kb.tabular import CSV_MIMETYPE, XLSX_MIMETYPE
from web.dashboard import bp
from web.sessions import current_actor, db, knowledge_base


def capability_view() -> dict[str, Any]:
    return map_view(knowledge_base().settings.data_dir, db(), current_actor())


@bp.post("/capability/build")
@login_required
def capability_build() -> BaseResponse:
    queued = request_build(db(), current_actor())  # committed with the request (web.unit_of_work)
    flash(_("已安排重新生成能力地图，后台任务完成后刷新本页即可看到。") if queued
          else _("能力地图已在排队重新生成。"), "success")
    return redirect(url_for("dashboard.index") + "#capability")


@bp.get("/capability/export")
@login_required
def capability_export() -> Response:
    """One table of the map as CSV or XLSX (``?table=topics|gaps|workload|never_asked&format=csv|xlsx``)."""
    table = request.args.get("table", "topics")
    fmt = request.args.get("format", "csv")
    if table not in TABLES or fmt not in FORMATS:
        abort(404)
    content, filename = export_table(capability_view(), table, fmt)
    return Response(content, mimetype=CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def chart_data(cap: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw, labels in the UI language (the tables beside them show the same numbers)."""
    from web.i18n import ui_lang
    from web.templating import category_label, field_label

    if not cap.get("built"):
        return {}
    en = ui_lang() == "en"
    topics = cap["topics"]
    codes = list(topics[0]["categories"]) if topics else []
    out: dict[str, Any] = {
        "topics": {
            "labels": [(t["label_en"] or t["label_zh"]) if en else (t["label_zh"] or t["label_en"]) for t in topics],
            "series": [{"label": str(category_label(c)), "data": [t["categories"][c] for t in topics]} for c in codes],
        },
        "text": {"experts": _("专家"), "needs": _("需求"), "gaps": _("匹配较弱"),
                 "share": _("承担的邀请（%）"), "equal": _("平均分配时"), "top": _("邀请最多的前")},
    }
    if cap.get("consultations"):
        gaps = cap["gaps"]
        out["gaps"] = {"labels": [str(field_label(g["field"])) if g["field"] else _("未分领域") for g in gaps],
                       "needs": [g["needs"] for g in gaps], "gaps": [g["gaps"] for g in gaps]}
        deciles = cap["workload"]["deciles"]
        out["workload"] = {"labels": [f"{d['decile'] * 10}%" for d in deciles],
                           "share": [round(100 * d["share"], 1) if d["share"] is not None else None for d in deciles],
                           "equal": [d["decile"] * 10 for d in deciles]}
    return out
