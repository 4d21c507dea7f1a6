"""Consultation pages. Each view reads the form, calls one kb function, commits,
and redirects; kb decides permissions and validity, and its errors become
pages through ``web.errors`` (403, 404, 409, 400)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from kb.choices import choice
from kb.consultations import export, invitations, outcome, requests
from kb.consultations.attachments import Upload
from kb.consultations.downloads import attachment_for
from kb.consultations.draw import draw_experts
from kb.consultations.enums import InvitationResponse, RequestState
from kb.consultations.stats import consultation_stats
from kb.errors import ValidationError
from kb.models.consultation import CONFIDENTIALITY, FORMS, ConsultationInvitation
from kb.notifications.reach import unreachable
from kb.tabular import CSV_MIMETYPE
from kb.talents import changes as kt
from kb.taxonomy import load_taxonomy
from web.consultations import bp, experts, request_page
from web.consultations import consultation_settings as _settings
from web.consultations import local_timezone as _tz
from web.consultations.labels import LABELS
from web.labels import talent_names
from web.messages import field_errors
from web.refusals import FORM_ERRORS, form_errors, shows_page
from web.sessions import current_actor, db, knowledge_base


@bp.context_processor
def _labels() -> dict[str, Any]:
    return dict(LABELS)


def _done(message: str, target: str) -> WResponse:
    flash(message, "success")
    return redirect(target)


def _req(rid: int):  # type: ignore[no-untyped-def]
    return requests.get_request(db(), current_actor(), rid)


def _page(rid: int) -> str:
    return url_for("consultations.detail", rid=rid)


def _request_page(rid: int) -> tuple[str, int]:
    """The request page a refused form on it comes back to."""
    return request_page.render(rid)


def _advice_page(aid: int) -> tuple[str, int]:
    """The request page an advice's rating, adoption or ledger form lives on."""
    return request_page.render(requests.get_advice(db(), current_actor(), aid).invitation.request_id)


def _form_values() -> dict[str, Any]:
    f = request.form
    return {
        "title": f.get("title", ""), "background": f.get("background", ""), "questions": f.get("questions", ""),
        "fields": f.getlist("fields"), "deadline": f.get("deadline", ""), "experts_wanted": f.get("experts_wanted"),
        "form": f.get("form"), "confidentiality": f.get("confidentiality"), "parties": f.get("parties", ""),
        "org_cap": f.get("org_cap") or None,
    }


@bp.get("")
@login_required
def index() -> str:
    actor = current_actor()
    scope = request.args.get("scope") or ("invited" if actor and actor.role == "talent" else "mine")
    items = requests.list_requests(db(), actor, scope)
    return render_template("consultations/list.html", items=items, scope=scope)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | WResponse:
    actor = current_actor()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"experts_wanted": 3, "form": "written", "confidentiality": "unit"}
    if request.method == "POST":
        values = _form_values()
        try:
            req = requests.create_request(db(), actor, values)
            if request.form.get("publish"):
                requests.transition(db(), actor, req, RequestState.OPEN)
            return _done(_("咨询需求已保存。"), _page(req.id))
        except FORM_ERRORS as exc:
            db().rollback()
            errors = form_errors(exc)
    else:
        from kb.permissions import require

        require(actor, "consultation.create")
    return render_template("consultations/new.html", values=values, errors=errors, forms=FORMS,
                           levels=CONFIDENTIALITY, taxonomy_fields=load_taxonomy().fields), (400 if errors else 200)


@bp.get("/<int:rid>")
@login_required
def detail(rid: int) -> tuple[str, int]:
    return request_page.render(rid)


@bp.post("/<int:rid>/state")
@login_required
@shows_page(_request_page)
def change_state(rid: int) -> WResponse:
    to = choice(RequestState, request.form.get("to"), "to", requests.MANUAL_MOVES)
    requests.transition(db(), current_actor(), _req(rid), to, request.form.get("note", ""))
    return _done(_("状态已更新。"), _page(rid))


@bp.post("/<int:rid>/select")
@login_required
def select(rid: int) -> WResponse | tuple[str, int]:
    return experts.select(rid)


@bp.post("/<int:rid>/draw")
@login_required
@shows_page(_request_page)
def draw(rid: int) -> WResponse:
    req, actor = _req(rid), current_actor()
    try:
        pool_size, count = int(request.form.get("pool_size", "10")), int(request.form.get("count", "3"))
    except ValueError:
        raise ValidationError("pool size and count are whole numbers", field="count", code="number.whole") from None
    row = draw_experts(knowledge_base(), db(), actor, req, pool_size=pool_size, count=count,
                       seed=request.form.get("seed", ""), fair=request.form.get("fair") == "1", settings=_settings())
    return _done(_("已随机抽取，种子 %(seed)s 已记录，可复核。", seed=row.seed), _page(rid))


@bp.post("/<int:rid>/invite")
@login_required
@shows_page(_request_page)
def invite(rid: int) -> WResponse:
    req, actor = _req(rid), current_actor()
    talents = [kt.get_talent(db(), tid) for tid in request.form.getlist("talent_ids") if tid]
    invitations.invite(db(), actor, req, talents, settings=_settings(), message=request.form.get("message", ""))
    unreached = unreachable(db(), talents)
    if unreached:  # as events do: the invitation is recorded, but someone must phone these experts
        flash(_("以下人才没有系统账号，无法收到通知，请电话联系：%(names)s",
                names="、".join(t.name for t in unreached)), "warning")
    return _done(_("已向 %(n)s 位专家发出邀请。", n=len(talents)), _page(rid))


@bp.get("/invitations/<int:iid>")
@login_required
def invitation(iid: int) -> str:
    return _invitation_page(requests.get_invitation(db(), current_actor(), iid))


def _invitation_page(inv: ConsultationInvitation, *, values: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None) -> str:
    """The invitation with its forms; after a refused answer, with what was typed and why it was refused."""
    return render_template("consultations/invitation.html", inv=inv, req=inv.request, values=values or {},
                           errors=field_errors(errors or {}),
                           max_mb=_settings().attachment_max_bytes // (1024 * 1024))


def _invitation_again(iid: int) -> str:
    """The invitation page after a refusal its own forms do not answer (a conflict: the consultation
    closed, the invitation already answered), with what was typed still in the forms."""
    inv = requests.get_invitation(db(), current_actor(), iid)
    return _invitation_page(inv, values={k: request.form.get(k, "") for k in ("action", "reason", "text")})


def _refused(inv: ConsultationInvitation, exc: ValidationError, values: dict[str, str]) -> tuple[str, int]:
    db().rollback()
    return _invitation_page(inv, values=values, errors=exc.errors or {"": exc.detail}), 400


@bp.post("/invitations/<int:iid>/respond")
@login_required
@shows_page(_invitation_again)
def respond(iid: int) -> WResponse | tuple[str, int]:
    actor = current_actor()
    inv = requests.get_invitation(db(), actor, iid)
    action = choice(InvitationResponse, request.form.get("action"), "action")
    reason = request.form.get("reason", "")
    try:
        invitations.respond(db(), actor, inv, action, reason)
    except ValidationError as exc:
        return _refused(inv, exc, {"action": str(action), "reason": reason})
    return _done(_("您的答复已记录。"), url_for("consultations.invitation", iid=iid))


@bp.post("/invitations/<int:iid>/advice")
@login_required
@shows_page(_invitation_again)
def advice(iid: int) -> WResponse | tuple[str, int]:
    """Written advice. A refused attachment never costs the text: the page comes back with it."""
    actor = current_actor()
    inv = requests.get_invitation(db(), actor, iid)
    uploads = [Upload(f.filename or "", f.read()) for f in request.files.getlist("attachments") if f and f.filename]
    text = request.form.get("text", "")
    try:
        invitations.submit_advice(db(), actor, inv, text, uploads,
                                  data_dir=knowledge_base().settings.data_dir, settings=_settings())
    except ValidationError as exc:
        return _refused(inv, exc, {"text": text})
    return _done(_("意见已提交，感谢您的支持。"), url_for("consultations.invitation", iid=iid))


@bp.post("/advice/<int:aid>/rate")
@login_required
@shows_page(_advice_page)
def rate(aid: int) -> WResponse:
    adv = requests.get_advice(db(), current_actor(), aid)
    outcome.rate_advice(db(), current_actor(), adv, request.form.get("rating", "0"), request.form.get("comment", ""),
                        settings=_settings())
    return _done(_("评价已保存。"), _page(adv.invitation.request_id))


@bp.post("/advice/<int:aid>/adopt")
@login_required
@shows_page(_advice_page)
def adopt(aid: int) -> WResponse:
    adv = requests.get_advice(db(), current_actor(), aid)
    outcome.record_adoption(db(), current_actor(), adv, request.form.get("adoption", ""),
                            request.form.get("adopted_into", ""))
    return _done(_("采纳情况已记录。"), _page(adv.invitation.request_id))


@bp.get("/attachments/<int:att_id>")
@login_required
def attachment(att_id: int) -> Response:
    att, path = attachment_for(db(), current_actor(), att_id, knowledge_base().settings.data_dir)
    return send_file(path, mimetype=att.content_type, as_attachment=True, download_name=att.filename)


def _csv(data: bytes, name: str) -> Response:
    return Response(data, mimetype=CSV_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/export/requests.csv")
@login_required
def requests_csv() -> Response:
    return _csv(export.requests_csv(db(), current_actor(), request.args.get("scope", "visible"), tz=_tz()),
                "consultations.csv")


@bp.get("/export/invitations.csv")
@login_required
def invitations_csv() -> Response:
    return _csv(export.invitations_csv(db(), current_actor(), scope=request.args.get("scope", "visible"), tz=_tz()),
                "consultation-invitations.csv")


@bp.get("/<int:rid>/invitations.csv")
@login_required
def request_invitations_csv(rid: int) -> Response:
    return _csv(export.invitations_csv(db(), current_actor(), [_req(rid)], tz=_tz()),
                f"consultation-{rid}-invitations.csv")


@bp.get("/<int:rid>/trail")
@login_required
def trail(rid: int) -> str:
    req = _req(rid)
    events = requests.request_trail(db(), current_actor(), req)
    return render_template("consultations/trail.html", req=req, events=events, names=talent_names(db(), events))


@bp.get("/stats")
@login_required
def stats() -> str:
    return render_template("consultations/stats.html", figures=consultation_stats(db(), current_actor()))
