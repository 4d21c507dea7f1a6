"""Bulk data: import upload with a per-line report, JSON Lines export, audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from flask import Response, render_template, request, stream_with_context
from flask_login import login_required

from kb.audit_view import audit_log as visible_audit_log
from kb.permissions import require
from kb.talents.export import authorize_export, iter_records
from kb.talents.importer import import_file
from web.admin import bp
from web.admin.forms import ExportForm, ImportForm
from web.consultations.labels import secrecy_label
from web.indexing import sync_index
from web.labels import talent_names
from web.sessions import current_actor, db, knowledge_base


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_page() -> tuple[str, int]:
    actor = current_actor()
    require(actor, "talent.import")
    form = ImportForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("admin/import.html", form=form, report=None), 400
        upload = form.file.data
        original = upload.filename or "upload"
        # Only the extension matters to the reader; the name itself is never used as a path.
        path = Path("upload" + Path(original).suffix.lower())
        report = import_file(knowledge_base().sessions, path, actor, dry_run=bool(form.dry_run.data),
                             data=upload.read())
        if not form.dry_run.data and (report.created or report.updated):
            sync_index()
        return render_template("admin/import.html", form=ImportForm(formdata=None), report=report,
                               filename=original, dry_run=bool(form.dry_run.data)), 200
    return render_template("admin/import.html", form=form, report=None), 200


@bp.route("/export", methods=["GET", "POST"])
@login_required
def export() -> Response | str:
    require(current_actor(), "talent.export")
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("admin/export.html", form=form)
    include_contact = bool(form.include_contact.data)
    authorize_export(db(), current_actor(), include_contact)
    factory = knowledge_base().sessions

    def lines() -> Iterator[str]:
        # A session of its own: the request's one is closed before streaming ends.
        with factory() as session:
            for rec in iter_records(session, include_contact=include_contact):
                yield json.dumps(rec, ensure_ascii=False) + "\n"

    name = f"luohu-talents-{date.today().isoformat()}{'-contact' if include_contact else ''}.jsonl"
    return Response(stream_with_context(lines()), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/audit")
@login_required
def audit_log() -> str:
    action = request.args.get("action", "").strip()[:64]
    object_id = request.args.get("object", "").strip()[:64]
    events = visible_audit_log(db(), current_actor(), limit=300, action_prefix=action, object_id=object_id)
    return render_template("admin/audit.html", events=events, action=action, object_id=object_id,
                           secrecy_label=secrecy_label, names=talent_names(db(), events))
