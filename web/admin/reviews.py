"""The review queue: talents' proposed changes to reviewed facts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from kb.errors import NotFound
from kb.permissions import require
from kb.talents.changes import pending_proposals, review_proposal
from kb.web_support import get_revision
from web.admin import bp
from web.indexing import sync_index
from web.labels import output_titles, talents_by_id
from web.sessions import current_actor, db
from web.unit_of_work import after_commit


@bp.get("/reviews")
@login_required
def reviews() -> str:
    require(current_actor(), "talent.review")
    proposals = pending_proposals(db())
    talents = talents_by_id(db(), (rev.talent_external_id for rev in proposals))
    return render_template("admin/reviews.html", proposals=proposals, talents=talents,
                           outputs=output_titles(talents.values()))


@bp.post("/reviews/<int:revision_id>")
@login_required
def decide(revision_id: int) -> Response:
    actor = current_actor()
    require(actor, "talent.review")
    revision = get_revision(db(), revision_id)
    if revision is None:
        raise NotFound(f"no proposal #{revision_id}")
    approve = request.form.get("decision") == "approve"
    review_proposal(db(), actor, revision, approve)
    after_commit(sync_index)
    flash(_("已通过该修改。") if approve else _("已驳回该修改。"), "success")
    return redirect(url_for("admin.reviews"))
