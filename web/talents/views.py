"""Profile, history and editing pages of one talent.

Each write follows the same path: kb function with ``expected_version`` →
redirect to the profile; the request's commit is followed by ``sync_index()``.
On a conflict the form is shown again with the user's input untouched and
the current version beside it, so nothing typed is lost.

The profile also carries the talent's consultation record and event history,
each shown exactly when kb.permissions allows it (``consultation.record``,
``event.history``); the edit page carries the employment history that
conflict-of-interest screening reads. Affiliations are not part of the
versioned profile document, so their rows are added and removed one at a
time, without ``expected_version`` and without a search re-index.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from indexer import SearchUnavailable
from kb.consultations import affiliations as ka
from kb.consultations.record import consultation_record
from kb.errors import Conflict, KbError, NotFound, ValidationError
from kb.events.history import talent_history
from kb.models import Output, Talent
from kb.permissions import allowed, require
from kb.search_service import similar_experts
from kb.talents import changes as kt
from kb.talents.profiles import ProfileView, pending_for, profile_history, profile_view
from web.confirm import confirm_first
from web.consultations.labels import LABELS as CONSULTATION_LABELS
from web.events.labels import LABELS as EVENT_LABELS
from web.forms import attach_errors
from web.indexing import sync_index
from web.labels import output_titles
from web.sessions import current_actor, db, knowledge_base
from web.talents import bp
from web.talents.forms import AffiliationForm, OutputForm, ProfileForm
from web.unit_of_work import after_commit

OUTPUT_ALIASES = {"outputs": "title"}
# The profile lists the latest events; the full history has its own page under /events.
PROFILE_EVENTS = 10


@bp.context_processor
def _labels() -> dict[str, Any]:
    """The consultation and event pages' labels, so the profile words states as they do."""
    return {**CONSULTATION_LABELS, **EVENT_LABELS}


def _timeline(outputs: list[Output]) -> list[tuple[int | None, list[Output]]]:
    """Outputs grouped by year, newest first; undated ones last."""
    ordered = sorted(outputs, key=lambda o: (o.year is None, -(o.year or 0), o.id))
    return [(year, list(items)) for year, items in groupby(ordered, key=lambda o: o.year)]


def _similar(external_id: str) -> tuple[list, bool]:
    """Similar experts, or ([], False) when search cannot answer: the profile still shows."""
    try:
        resp = similar_experts(knowledge_base(), current_actor(), external_id, limit=5)
    except (SearchUnavailable, KbError, LookupError):
        return [], False
    return [r for r in resp.results if r.talent_id != external_id], True


def _saved(pending: bool) -> None:
    if pending:
        flash(_("已保存。姓名、职务、单位、领域等需审核的信息已提交给人才服务专员审核，审核通过后生效。"), "info")
    else:
        flash(_("已保存。"), "success")
    after_commit(_index_now)


def _index_now() -> None:
    """Once the save is committed, bring search up to date, or say why it is not yet."""
    if not sync_index():
        flash(_("检索服务暂不可用：修改已保存，将在服务恢复后自动更新到检索结果中。"), "warning")


@bp.get("/talents/<external_id>")
@login_required
def profile(external_id: str) -> str:
    talent = kt.get_talent(db(), external_id)
    view = profile_view(db(), current_actor(), talent)
    similar, similar_ok = _similar(external_id)
    actor = current_actor()
    # None (not an empty list) when the actor may not see it: the section is then left out.
    record = consultation_record(db(), actor, talent) if allowed(actor, "consultation.record", talent) else None
    events = talent_history(db(), actor, talent) if allowed(actor, "event.history", talent) else None
    return render_template(
        "talents/profile.html", view=view, talent=talent, timeline=_timeline(list(talent.outputs)),
        similar=similar, similar_ok=similar_ok,
        pending=pending_for(db(), talent) if view.can_edit else [],
        consultations=record, events=events, events_shown=PROFILE_EVENTS,
    )


@bp.get("/talents/<external_id>/history")
@login_required
def history(external_id: str) -> str:
    talent = kt.get_talent(db(), external_id)
    entries = profile_history(db(), current_actor(), talent)
    return render_template("talents/history.html", talent=talent, entries=entries, outputs=output_titles([talent]))


def _edit_page(talent: Talent, form: ProfileForm, status: int = 200, current: Talent | None = None,
               problems: list[str] | None = None, view: ProfileView | None = None,
               affiliation_form: AffiliationForm | None = None,
               affiliation_problems: list[str] | None = None) -> tuple[str, int]:
    view = view or profile_view(db(), current_actor(), talent)
    return render_template(
        "talents/edit.html", talent=talent, view=view, form=form, current=current, problems=problems or [],
        pending=pending_for(db(), talent), affiliations=ka.list_affiliations(db(), talent),
        affiliation_form=affiliation_form or AffiliationForm(formdata=None, prefix="affiliation"),
        affiliation_problems=affiliation_problems or [],
    ), status


@bp.route("/talents/<external_id>/edit", methods=["GET", "POST"])
@login_required
def edit(external_id: str) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.edit", talent)
    if request.method == "GET":
        view = profile_view(db(), current_actor(), talent)
        return _edit_page(talent, ProfileForm.for_talent(talent, view.contact), view=view)
    form = ProfileForm()
    form.fill_choices(talent)
    if not form.validate():
        return _edit_page(talent, form, 400)
    try:
        rev = kt.update_profile(db(), current_actor(), talent, form.changes(request.form), form.expected_version())
    except Conflict:
        db().rollback()
        current = kt.get_talent(db(), external_id)
        form.version.data = str(current.version)
        return _edit_page(current, form, 409, current=current)
    except ValidationError as exc:
        db().rollback()
        talent = kt.get_talent(db(), external_id)
        problems = attach_errors(form, exc.errors, {"contact": "email"})
        return _edit_page(talent, form, 400, problems=problems)
    _saved(pending=rev is not None and rev.status == "pending")
    return redirect(url_for("talents.profile", external_id=external_id))


def _output_page(talent: Talent, form: OutputForm, output: Output | None, status: int = 200,
                 conflict: bool = False, problems: list[str] | None = None) -> tuple[str, int]:
    return render_template("talents/output_form.html", talent=talent, form=form, output=output,
                           conflict=conflict, problems=problems or []), status


def _save_output(talent: Talent, form: OutputForm, output: Output | None) -> Response | tuple[str, int]:
    actor = current_actor()
    try:
        if output is None:
            kt.add_output(db(), actor, talent, form.values(), form.expected_version())
        else:
            kt.update_output(db(), actor, talent, output.id, form.values(), form.expected_version())
    except Conflict:
        db().rollback()
        current = kt.get_talent(db(), talent.external_id)
        form.version.data = str(current.version)
        return _output_page(current, form, output, 409, conflict=True)
    except ValidationError as exc:
        db().rollback()
        problems = attach_errors(form, exc.errors, OUTPUT_ALIASES)
        return _output_page(kt.get_talent(db(), talent.external_id), form, output, 400, problems=problems)
    _saved(pending=False)
    return redirect(url_for("talents.profile", external_id=talent.external_id) + "#outputs")


@bp.route("/talents/<external_id>/outputs/new", methods=["GET", "POST"])
@login_required
def new_output(external_id: str) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.edit", talent)
    form = OutputForm() if request.method == "POST" else OutputForm(version=str(talent.version))
    form.fill_choices()
    if request.method == "POST":
        if not form.validate():
            return _output_page(talent, form, None, 400)
        return _save_output(talent, form, None)
    return _output_page(talent, form, None)


def _find_output(talent: Talent, output_id: int) -> Output:
    for o in talent.outputs:
        if o.id == output_id:
            return o
    raise NotFound(f"talent {talent.external_id} has no output #{output_id}")


@bp.route("/talents/<external_id>/outputs/<int:output_id>/edit", methods=["GET", "POST"])
@login_required
def edit_output(external_id: str, output_id: int) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.edit", talent)
    output = _find_output(talent, output_id)
    if request.method == "GET":
        form = OutputForm(formdata=None, obj=output, version=str(talent.version))
        form.fill_choices()
        return _output_page(talent, form, output)
    form = OutputForm()
    form.fill_choices()
    if not form.validate():
        return _output_page(talent, form, output, 400)
    return _save_output(talent, form, output)


def _ask_editor(external_id: str, permission: str, question: str) -> str:
    """Ask only someone who may make the change (anyone else is refused, not asked)."""
    require(current_actor(), permission, kt.get_talent(db(), external_id))
    return question


@bp.post("/talents/<external_id>/outputs/<int:output_id>/delete")
@login_required
@confirm_first(lambda external_id, output_id: _ask_editor(external_id, "talent.edit",
                                                          _("确定删除这项成果吗？删除后不能恢复。")))
def delete_output(external_id: str, output_id: int) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    try:
        version = int(request.form.get("version", ""))
    except (TypeError, ValueError):
        version = None
    try:
        kt.delete_output(db(), current_actor(), talent, output_id, version)
    except Conflict:
        db().rollback()
        current = kt.get_talent(db(), external_id)
        return render_template(
            "error.html", status=409, title=_("操作冲突"),
            message=_("删除前这份档案已被其他人修改。成果未删除，请查看最新版本后再决定。"),
            back=url_for("talents.edit", external_id=current.external_id),
        ), 409
    _saved(pending=False)
    return redirect(url_for("talents.edit", external_id=external_id) + "#outputs")


# --- employment history (conflict-of-interest screening reads it) ---------------------------------------------

def _affiliations_url(external_id: str) -> str:
    return url_for("talents.edit", external_id=external_id) + "#affiliations"


@bp.post("/talents/<external_id>/affiliations")
@login_required
def add_affiliation(external_id: str) -> Response | tuple[str, int]:
    talent = kt.get_talent(db(), external_id)
    require(current_actor(), "talent.edit", talent)  # before reading input: a refusal says nothing about it
    form = AffiliationForm(prefix="affiliation")
    problems: list[str] = []
    if form.validate():
        try:
            ka.add_affiliation(db(), current_actor(), talent, form.values())
        except ValidationError as exc:
            db().rollback()
            talent = kt.get_talent(db(), external_id)
            problems = attach_errors(form, form.kb_errors(exc.errors))
        else:
            flash(_("已添加工作经历。"), "success")
            return redirect(_affiliations_url(external_id))
    # The whole edit page again, with the input and its errors in the employment-history form.
    view = profile_view(db(), current_actor(), talent)
    return _edit_page(talent, ProfileForm.for_talent(talent, view.contact), 400, view=view,
                      affiliation_form=form, affiliation_problems=problems)


@bp.post("/talents/<external_id>/affiliations/<int:affiliation_id>/delete")
@login_required
@confirm_first(lambda external_id, affiliation_id: _ask_editor(external_id, "talent.affiliations.remove",
                                                                _("确定删除这段工作经历吗？")))
def remove_affiliation(external_id: str, affiliation_id: int) -> Response:
    talent = kt.get_talent(db(), external_id)
    ka.remove_affiliation(db(), current_actor(), talent, affiliation_id)
    flash(_("已删除工作经历。"), "success")
    return redirect(_affiliations_url(external_id))
