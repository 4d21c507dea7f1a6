"""Event pages. Each view reads the request, calls kb.events, commits and
redirects; kb decides permissions and validity, and its errors become pages
through ``web.errors`` (403, 404, 409, 400)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from indexer import SearchUnavailable
from kb.choices import choice
from kb.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kb.events import audience, checkin, feedback, invitations, manage, materials, proposals, queries
from kb.events import registration as signup
from kb.events.enums import AudienceAction, EventStatus
from kb.events.export import attendee_rows, export_filename, to_csv, to_xlsx
from kb.events.history import talent_history
from kb.events.notices import ics_text
from kb.events.stats import event_stats
from kb.models import Event, Talent
from kb.models.event import EVENT_KINDS
from kb.permissions import allowed, require
from kb.talents import changes as kt
from kb.taxonomy import load_taxonomy
from kb.visibility import event_attendance_visible
from web.confirm import confirm_first
from web.events import bp
from web.events.forms import event_values, form_of
from web.events.labels import LABELS
from web.messages import error_text
from web.redirects import safe_next
from web.refusals import FORM_ERRORS, form_errors, shows_page, status_of
from web.sessions import current_actor, db, knowledge_base

COMMON_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
                "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return dict(LABELS)


def _done(message: str, target: str) -> WResponse:
    flash(message, "success")
    return redirect(target)


def _event(event_id: int) -> Event:
    return queries.get_event(db(), current_actor(), event_id)


def _page(event_id: int) -> str:
    return url_for("events.detail", event_id=event_id)


def _my_talent() -> Talent | None:
    actor = current_actor()
    return db().get(Talent, actor.talent_id) if actor and actor.talent_id else None


def _back(default: str) -> str:
    """The form's ``next`` if it is a path on this site, else ``default`` (no open redirects)."""
    return safe_next(request.form.get("next"), default)


def _talent_or_self(external_id: str | None) -> Talent:
    """The talent a form names (organizers acting for someone), else the actor's own."""
    if external_id:
        return kt.get_talent(db(), external_id)
    talent = _my_talent()
    if talent is None:
        raise PermissionDenied("this account is not linked to a talent", code="permission.not_a_talent")
    return talent


# --- lists and the event page --------------------------------------------------------------------------

@bp.get("")
@login_required
def index() -> str:
    actor = current_actor()
    when = request.args.get("when", "upcoming")
    upcoming = {"upcoming": True, "past": False}.get(when)
    items = queries.list_events(db(), actor, upcoming=upcoming, query=request.args.get("q", ""))
    counts = queries.registration_counts(db(), [e.id for e in items]) if allowed(actor, "event.manage") else {}
    return render_template("events/list.html", items=items, when=when, counts=counts, q=request.args.get("q", ""))


@bp.get("/<int:event_id>")
@login_required
def detail(event_id: int) -> str:
    actor = current_actor()
    event = _event(event_id)
    own = queries.own_registration(db(), actor, event)
    talent = _my_talent()
    manage_it = event_attendance_visible(actor, event)  # replies and feedback: the export's rule
    return render_template(
        "events/event.html", event=event, own=own, manage=manage_it,
        position=signup.waitlist_position(db(), own) if own else None,
        materials=materials.list_materials(db(), actor, event),
        my_feedback=feedback.feedback_of(db(), event, talent) if talent else None,
        can_feedback=bool(talent and feedback.can_give_feedback(db(), event, talent)),
        replies=queries.replies(db(), actor, event) if manage_it else None,
        moves=manage.moves_now(actor, event),
        summary=feedback.feedback_summary(db(), actor, event) if manage_it else None,
    )


@bp.get("/<int:event_id>/calendar.ics")
@login_required
def calendar(event_id: int) -> Response:
    event = _event(event_id)
    own = queries.own_registration(db(), current_actor(), event)
    text = ics_text(event, own, utc=request.args.get("utc") == "1")
    return Response(text, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'})


# --- create, edit, state ---------------------------------------------------------------------------------

def _form_page(values: dict[str, Any], errors: dict[str, str], event: Event | None,
               status: int = 400) -> tuple[str, int]:
    tax = load_taxonomy()
    return render_template("events/form.html", values=values, errors=errors, event=event, kinds=EVENT_KINDS,
                           zones=COMMON_ZONES, categories=tax.categories, sectors=tax.sectors,
                           fields=tax.fields), (status if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> tuple[str, int] | WResponse:
    actor = current_actor()
    require(actor, "event.manage")
    values: dict[str, Any] = {"kind": "salon", "timezone": "Asia/Shanghai", "capacity": 30}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = event_values(request.form, db())
        try:
            event = manage.create_event(db(), actor, values)
            if request.form.get("publish"):
                manage.transition(db(), actor, event, EventStatus.PUBLISHED)
            return _done(_("活动已保存。"), _page(event.id))
        except FORM_ERRORS as exc:
            db().rollback()
            return _form_page(_typed_event_form(), form_errors(exc), None, status_of(exc))
    return _form_page(values, errors, None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int) -> tuple[str, int] | WResponse:
    actor = current_actor()
    event = _event(event_id)
    require(actor, "event.manage", event)
    values, errors = form_of(event, db()), {}
    if request.method == "POST":
        try:
            manage.update_event(db(), actor, event, event_values(request.form, db()))
            return _done(_("活动已更新。"), _page(event.id))
        except FORM_ERRORS as exc:
            db().rollback()
            return _form_page(_typed_event_form(), form_errors(exc), _event(event_id), status_of(exc))
    return _form_page(values, errors, event)


def _typed_event_form() -> dict[str, Any]:
    """The event form as the user sent it, to fill in again."""
    return {**request.form.to_dict(), "audience_categories": request.form.getlist("audience_categories"),
            "audience_fields": request.form.getlist("audience_fields")}


def _cancel_question(event_id: int) -> str:
    require(current_actor(), "event.manage", _event(event_id))
    return _("确定取消活动“%(title)s”吗？已报名、候补和已邀请的人才都会收到取消通知。", title=_event(event_id).title)


def _manage_question(event_id: int, question: str) -> str:
    require(current_actor(), "event.manage", _event(event_id))
    return question


def _unregister_question(event_id: int) -> str:
    event, named = _event(event_id), request.form.get("talent_id")
    require(current_actor(), "event.register", _talent_or_self(named))  # the rule signup.cancel applies
    if named:
        return _("确定代 %(name)s 取消“%(title)s”的报名吗？名额将让给候补的第一位。",
                 name=_talent_or_self(named).name, title=event.title)
    return _("确定取消“%(title)s”的报名吗？名额将让给候补的第一位。", title=event.title)


@bp.post("/<int:event_id>/state")
@login_required
@shows_page(lambda event_id: detail(event_id))
@confirm_first(_cancel_question, when=lambda: request.form.get("to") == EventStatus.CANCELLED)
def change_state(event_id: int) -> WResponse:
    to = choice(EventStatus, request.form.get("to"), "to", manage.MANUAL_MOVES)
    manage.transition(db(), current_actor(), _event(event_id), to, request.form.get("reason", ""))
    return _done(_("活动状态已更新。"), _page(event_id))


# --- audience and invitations -----------------------------------------------------------------------------

@bp.get("/<int:event_id>/audience")
@login_required
def audience_page(event_id: int) -> str:
    actor, event = current_actor(), _event(event_id)
    filtered = "filtered" in request.args
    cats = tuple(request.args.getlist("category")) if filtered else None
    flds = tuple(request.args.getlist("field")) if filtered else None
    result, search_down = None, False
    try:
        result = audience.suggest_audience(db(), knowledge_base().search, actor, event, categories=cats,
                                           fields=flds, limit=min(100, request.args.get("limit", 30, type=int)))
    except SearchUnavailable:
        require(actor, "event.manage", event)
        search_down = True
    tax = load_taxonomy()
    return render_template("events/audience.html", event=event, result=result, search_down=search_down,
                           categories=tax.categories, fields=tax.fields, sectors=tax.sectors,
                           report=None)


@bp.post("/<int:event_id>/audience")
@login_required
@shows_page(lambda event_id: audience_page(event_id))
def audience_change(event_id: int) -> WResponse:
    talent = kt.get_talent(db(), request.form.get("talent_id", "").strip())
    action = choice(AudienceAction, request.form.get("action"), "action")
    audience.change_audience(db(), current_actor(), _event(event_id), talent, action)
    return _done(_("名单已调整。"), url_for("events.audience_page", event_id=event_id))


@bp.post("/<int:event_id>/invite")
@login_required
@shows_page(lambda event_id: audience_page(event_id))
def invite(event_id: int) -> WResponse:
    actor, event = current_actor(), _event(event_id)
    talents = invitations.talents_by_external_id(db(), request.form.getlist("talent_ids"))
    if not talents:
        raise ValidationError("choose at least one talent to invite", field="talent_ids",
                              code="event.invite.none_chosen")
    report = invitations.invite(db(), actor, event, talents, note=request.form.get("note", ""))
    flash(_("已邀请 %(n)s 位人才。", n=len(report.invited)), "success")
    for talent, reason in report.skipped:
        flash(_("未邀请 %(name)s：%(reason)s", name=talent.name, reason=LABELS["skip_label"](reason)), "info")
    if report.not_notified:
        flash(_("以下人才没有系统账号，无法收到通知，请电话联系：%(names)s",
                names=_("、").join(t.name for t in report.not_notified)), "warning")
    return redirect(url_for("events.replies_page", event_id=event_id))


@bp.get("/<int:event_id>/replies")
@login_required
def replies_page(event_id: int) -> str:
    actor, event = current_actor(), _event(event_id)
    return render_template("events/replies.html", event=event, replies=queries.replies(db(), actor, event))


# --- registration ----------------------------------------------------------------------------------------

@bp.post("/<int:event_id>/register")
@login_required
@shows_page(lambda event_id: detail(event_id))
def register(event_id: int) -> WResponse:
    event = _event(event_id)
    talent = _talent_or_self(request.form.get("talent_id"))
    reg = signup.register(db(), current_actor(), event, talent)
    message = _("报名成功。") if reg.status == "registered" else _("名额已满，已进入候补名单。")
    return _done(message, _back(_page(event_id)))


@bp.post("/<int:event_id>/reply")
@login_required
@shows_page(lambda event_id: detail(event_id))
def reply(event_id: int) -> WResponse:
    event = _event(event_id)
    accept = request.form.get("answer") == "accept"
    reg = signup.reply(db(), current_actor(), event, _talent_or_self(None), accept)
    if not accept:
        message = _("已婉拒邀请。")
    elif reg.status == "registered":
        message = _("已接受邀请，报名成功。")
    else:
        message = _("已接受邀请；名额已满，已进入候补名单。")
    return _done(message, _page(event_id))


@bp.post("/<int:event_id>/unregister")
@login_required
@shows_page(lambda event_id: detail(event_id))
@confirm_first(_unregister_question)
def unregister(event_id: int) -> WResponse:
    event = _event(event_id)
    talent = _talent_or_self(request.form.get("talent_id"))
    signup.cancel(db(), current_actor(), event, talent)
    return _done(_("报名已取消。"), _back(_page(event_id)))


# --- on the day ----------------------------------------------------------------------------------------

@bp.get("/<int:event_id>/checkin")
@login_required
def checkin_page(event_id: int) -> str:
    return _checkin_page(_event(event_id), request.args.get("q", ""))


def _registration_id() -> int:
    """The form's registration id; anything that is not one (text, 5,000 digits) is no such registration,
    answered on the check-in page, instead of a ValueError or a database overflow (500)."""
    raw = request.form.get("registration_id", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise NotFound(f"no registration {raw[:20]!r}")
    return int(raw)


def _checkin_page(event: Event, q: str, *, problem: str = "", code: str = "") -> str:
    actor = current_actor()
    arrivals = checkin.checkin_list(db(), actor, event, q)
    replies = queries.replies(db(), actor, event)
    return render_template("events/checkin.html", event=event, arrivals=arrivals, q=q, replies=replies,
                           problem=problem, code=code)


@bp.post("/<int:event_id>/checkin")
@login_required
def checkin_tick(event_id: int) -> WResponse | tuple[str, int]:
    """Tick a name or take a code. A refused check-in (a used or unknown code) keeps the
    organizer on the check-in page with the code typed and a sentence saying why."""
    actor, event = current_actor(), _event(event_id)
    q = request.form.get("q", "")
    back = url_for("events.checkin_page", event_id=event_id, q=q)
    code = request.form.get("code", "")
    try:
        if code:
            reg = checkin.check_in_by_code(db(), actor, event, code)
        elif request.form.get("undo"):
            checkin.undo_check_in(db(), actor, event, _registration_id())
            return _done(_("已撤销签到。"), back)
        else:
            reg = checkin.check_in(db(), actor, event, _registration_id())
    except (NotFound, Conflict) as exc:
        db().rollback()
        return _checkin_page(event, q, problem=error_text(exc), code=code), 409 if isinstance(exc, Conflict) else 404
    talent = db().get(Talent, reg.talent_id)
    return _done(_("%(name)s 已签到。", name=talent.name if talent else ""), back)


# --- afterwards --------------------------------------------------------------------------------------------

@bp.get("/<int:event_id>/attendees.<fmt>")
@login_required
def attendees(event_id: int, fmt: str) -> Response:
    event = _event(event_id)
    rows = attendee_rows(db(), current_actor(), event, attended_only=request.args.get("attended") == "1")
    if fmt == "csv":
        return Response(to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{export_filename(event, "csv")}"'})
    if fmt == "xlsx":
        return Response(to_xlsx(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{export_filename(event, "xlsx")}"'})
    raise ValidationError("unknown format", {"format": "csv or xlsx"})


@bp.post("/<int:event_id>/feedback")
@login_required
@shows_page(lambda event_id: detail(event_id))
def give_feedback(event_id: int) -> WResponse:
    event = _event(event_id)
    feedback.give_feedback(db(), current_actor(), event, _talent_or_self(None), request.form.get("rating", ""),
                           request.form.get("comment", ""))
    return _done(_("感谢您的反馈。"), _page(event_id))


@bp.post("/<int:event_id>/materials")
@login_required
@shows_page(lambda event_id: detail(event_id))
def upload_material(event_id: int) -> WResponse:
    event = _event(event_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("choose a file to upload", field="file", code="upload.file.required")
    settings = knowledge_base().settings
    materials.add_material(db(), current_actor(), event, upload.filename, upload.read(),
                           settings.data_dir, max_bytes=settings.events.material_max_bytes)
    return _done(_("资料已上传。"), _page(event_id))


@bp.get("/<int:event_id>/materials/<int:material_id>")
@login_required
def download_material(event_id: int, material_id: int) -> Response:
    event = _event(event_id)
    material, path = materials.open_material(db(), current_actor(), event, material_id,
                                             knowledge_base().settings.data_dir)
    return send_file(path, mimetype=material.content_type, as_attachment=True, download_name=material.filename)


@bp.post("/<int:event_id>/materials/<int:material_id>/delete")
@login_required
@confirm_first(lambda event_id, material_id: _manage_question(event_id, _("确定删除这份资料吗？")))
def delete_material(event_id: int, material_id: int) -> WResponse:
    event = _event(event_id)
    materials.remove_material(db(), current_actor(), event, material_id, knowledge_base().settings.data_dir)
    return _done(_("资料已删除。"), _page(event_id))


# --- talents: my events, history, proposals ---------------------------------------------------------------

@bp.get("/mine")
@login_required
def mine() -> str:
    talent = _talent_or_self(None)
    actor = current_actor()
    return render_template("events/mine.html", talent=talent, history=talent_history(db(), actor, talent),
                           proposals=proposals.own_proposals(db(), actor, talent), own_page=True)


@bp.get("/talents/<external_id>")
@login_required
def history(external_id: str) -> str:
    talent = kt.get_talent(db(), external_id)
    return render_template("events/mine.html", talent=talent, history=talent_history(db(), current_actor(), talent),
                           proposals=[], own_page=False)


@bp.get("/proposals")
@login_required
def proposals_page() -> str:
    status = request.args.get("status") or None
    return render_template("events/proposals.html", items=proposals.list_proposals(db(), current_actor(), status),
                           status=status)


@bp.post("/proposals")
@login_required
@shows_page(lambda: mine())
def propose() -> WResponse:
    proposals.propose(db(), current_actor(), _talent_or_self(None), request.form.get("kind", ""),
                      request.form.get("title", ""), request.form.get("description", ""))
    return _done(_("建议已提交，组织者会尽快回复。"), url_for("events.mine"))


@bp.post("/proposals/<int:proposal_id>/review")
@login_required
@shows_page(lambda proposal_id: proposals_page())
def review(proposal_id: int) -> WResponse:
    proposals.review_proposal(db(), current_actor(), proposal_id, request.form.get("decision") == "accept",
                              request.form.get("response", ""))
    return _done(_("已回复建议。"), url_for("events.proposals_page"))


@bp.get("/stats")
@login_required
def stats() -> str:
    return render_template("events/stats.html", stats=event_stats(db(), current_actor()))
