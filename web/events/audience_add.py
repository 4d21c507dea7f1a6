"""Adding a talent to an event's audience by name, never by the registry's internal id.

The audience page's "手动添加人才" form types a name or an organization; a
search-as-you-type list (the same script as a consultation's expert picker,
static/js/expert_picker.js) offers the talents it fits with the reason any of
them cannot be invited. Whatever goes wrong comes back on the audience page
with the typed name still in the box and the form open: a name that fits
nobody, several people to choose from, or a talent who opted out of event
invitations or whose certification lapsed — never "added" while he stays
excluded.
"""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as WResponse

from kb.events import audience, queries
from web.events import bp
from web.events.labels import exclusion_label
from web.sessions import current_actor, db


@bp.get("/<int:event_id>/audience/talents.json")
@login_required
def audience_lookup(event_id: int) -> WResponse:
    """Talents whose name or organization contains ``q``, each with what would refuse adding him."""
    actor = current_actor()
    event = queries.get_event(db(), actor, event_id)
    found = audience.find_audience_talents(db(), actor, event, request.args.get("q", ""))
    return jsonify({"experts": [
        {"talent_id": c.talent.external_id, "name": c.talent.name, "name_en": c.talent.name_en,
         "organization": c.talent.organization, "problems": [exclusion_label(c.reason)] if c.reason else []}
        for c in found]})


def _again(event_id: int, typed: str, error: str) -> tuple[str, int]:
    """The audience page again, the add form open with the typed name and the reason next to it."""
    from web.events.views import audience_page

    g.add_talent = {"typed": typed, "error": error}
    return audience_page(event_id), 422


@bp.post("/<int:event_id>/audience/add")
@login_required
def audience_add(event_id: int) -> WResponse | tuple[str, int]:
    actor = current_actor()
    event = queries.get_event(db(), actor, event_id)
    typed = request.form.get("expert", "").strip()
    if not typed and not request.form.get("talent_id", "").strip():
        return _again(event_id, typed, _("请输入要添加的人才的姓名或单位。"))
    result = audience.add_by_name(db(), actor, event, typed, request.form.get("talent_id", ""))
    if result.added is not None:
        flash(_("已将 %(name)s 加入邀请名单。", name=result.added.name), "success")
        return redirect(url_for("events.audience_page", event_id=event_id))
    if result.refused is not None:
        return _again(event_id, typed, _("不能添加 %(name)s：%(why)s", name=result.refused.talent.name,
                                         why=exclusion_label(result.refused.reason or "")))
    if result.choices:
        return _again(event_id, typed, _(
            "有 %(n)s 位人才符合“%(name)s”：%(names)s。请输入全名，或从输入框下方的列表中选择。",
            n=len(result.choices), name=typed,
            names=_("、").join(_("%(name)s（%(org)s）", name=c.talent.name, org=c.talent.organization)
                              if c.talent.organization else c.talent.name for c in result.choices)))
    return _again(event_id, typed, _("没有找到名为“%(name)s”的人才。请检查姓名，或输入姓名、单位的一部分从列表中选择。",
                                     name=typed))
