"""Adding experts by hand: by name (typed, or picked from the search-as-you-type list),
from a request page, a profile or a search result ("加入咨询").

Every refusal comes back on the same page with what was typed and why: an
unknown name, several experts of that name to choose from, or the screening
reasons (conflict of interest, availability, workload) that keep an expert off
the request. Nothing is ever reported as added while he stays excluded.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from kb.consultations import requests, selection
from kb.consultations.experts import ExpertAmbiguous, ExpertNotFound, find_experts, resolve
from kb.consultations.selection import ExpertScreenedOut
from kb.errors import ValidationError
from kb.permissions import require
from kb.talents import changes as kt
from web.consultations import bp, request_page
from web.consultations import consultation_settings as _settings
from web.consultations.labels import reason_label
from web.messages import error_text, field_errors
from web.sessions import current_actor, db


@bp.get("/<int:rid>/experts.json")
@login_required
def lookup(rid: int) -> WResponse:
    """The search-as-you-type list: experts whose name or organization contains ``q``,
    each with the reasons (in the reader's language) that would refuse adding him."""
    actor = current_actor()
    req = requests.get_request(db(), actor, rid)
    choices = find_experts(db(), actor, req, request.args.get("q", ""), settings=_settings())
    return jsonify({"experts": [
        {**c.as_dict(), "problems": [reason_label(r) for r in c.reasons]} for c in choices]})


def screened_text(exc: ExpertScreenedOut) -> str:
    return _("不能添加 %(name)s：", name=exc.talent.name) + _("；").join(reason_label(r) for r in exc.reasons)


def select(rid: int) -> WResponse | tuple[str, int]:
    """POST /<rid>/select: add (or remove) the expert named in the form, with a reason."""
    actor = current_actor()
    req = requests.get_request(db(), actor, rid)
    form = request_page.AddForm(expert=request.form.get("expert", "").strip(),
                                talent_id=request.form.get("talent_id", "").strip(),
                                reason=request.form.get("reason", ""))
    remove = request.form.get("action") == "exclude"
    try:
        talent = resolve(db(), actor, req, form.expert, form.talent_id, settings=_settings())
        if remove:
            selection.remove_expert(db(), actor, req, talent, form.reason)
        else:
            selection.add_expert(db(), actor, req, talent, form.reason, settings=_settings())
    except ExpertScreenedOut as exc:
        form.error, form.reasons = screened_text(exc), [reason_label(r) for r in exc.reasons]
    except ExpertAmbiguous as exc:
        form.error, form.choices = _("有 %(n)s 位专家符合“%(name)s”，请选择其中一位。", n=len(exc.choices),
                                     name=form.expert), exc.choices
    except ExpertNotFound:
        form.error = _("没有找到名为“%(name)s”的专家。请检查姓名，或输入姓名的一部分从列表中选择。",
                       name=form.expert)
    except ValidationError as exc:
        form.error = next(iter(field_errors(exc.errors).values()), "") or error_text(exc)
    if form.error:
        db().rollback()
        return request_page.render(rid, form)
    flash(_("已从名单中移除 %(name)s，理由已记录。", name=talent.name) if remove
          else _("已将 %(name)s 加入推荐名单，理由已记录。", name=talent.name), "success")
    return redirect(url_for("consultations.detail", rid=rid))


@bp.route("/add-expert", methods=["GET", "POST"])
@login_required
def add_from_profile() -> str | WResponse | tuple[str, int]:
    """"加入咨询" from a profile or a search result: choose one of my open requests and say why."""
    actor = current_actor()
    require(actor, "consultation.create")
    talent = kt.get_talent(db(), (request.values.get("talent") or "").strip())
    open_requests = requests.open_for_experts(db(), actor)
    values = {"rid": request.form.get("rid", ""), "reason": request.form.get("reason", "")}
    error, problems = "", []
    if request.method == "POST":
        chosen = next((r for r in open_requests if str(r.id) == values["rid"]), None)
        if chosen is None:
            error = _("请选择要加入的咨询。")
        else:
            try:
                selection.add_expert(db(), actor, chosen, talent, values["reason"], settings=_settings())
            except ExpertScreenedOut as exc:
                error, problems = screened_text(exc), [reason_label(r) for r in exc.reasons]
            except ValidationError as exc:
                error = next(iter(field_errors(exc.errors).values()), "") or error_text(exc)
            else:
                flash(_("已将 %(name)s 加入咨询“%(title)s”的推荐名单。", name=talent.name, title=chosen.title),
                      "success")
                return redirect(url_for("consultations.detail", rid=chosen.id))
        db().rollback()
    page = render_template("consultations/add_expert.html", talent=talent, open_requests=open_requests,
                           values=values, error=error, problems=problems)
    return page, (400 if error else 200)
