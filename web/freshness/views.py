"""Pages and form posts of living profiles; each calls one kb function, which checks the permission."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from kb.errors import Conflict, ValidationError
from kb.models import Talent, User, utcnow
from kb.permissions import allowed, require
from kb.roles import Role
from kb.talents import commissioners
from kb.talents.changes import get_talent
from kb.talents.digest import set_frequency
from kb.talents.freshness import STATES, Freshness, state_column
from kb.talents.freshness_report import talent_lines
from kb.talents.reminders import next_possible, remind
from web.freshness import bp
from web.messages import error_text
from web.sessions import current_actor, db, knowledge_base

#: Talents on one page of the "all talents" list.
PAGE = 100


@bp.get("/commissioner/")
@login_required
def home() -> str:
    """A commissioner's talents (or, with ``scope=all``, every talent) with freshness, tasks and recent changes."""
    actor = current_actor()
    require(actor, "freshness.view")
    settings = knowledge_base().settings.freshness
    now = utcnow()
    own = actor is not None and actor.role == Role.COMMISSIONER
    scope = request.args.get("scope") or ("mine" if own else "all")
    state = request.args.get("state", "")
    chosen = request.args.get("commissioner", "")
    if scope == "mine" and own and actor is not None and actor.user_id is not None:
        talents = commissioners.assigned_talents(db(), actor.user_id)
    elif chosen:
        talents = commissioners.assigned_talents(db(), commissioners.get_commissioner(db(), chosen).id)
    else:
        scope = "all"
        stmt = (select(Talent).options(selectinload(Talent.current_assignment))  # type: ignore[attr-defined]
                .order_by(Talent.last_changed_at.asc().nulls_first(), Talent.external_id))
        if state in set(STATES):
            stmt = stmt.where(state_column(now, settings) == state)
        talents = list(db().scalars(stmt.limit(PAGE)))
    lines = talent_lines(db(), talents, now, settings)
    if state in set(STATES):
        lines = [line for line in lines if line.state == state]
    # Loaded with the talents: the permission rule of reminders reads it for each line too.
    assigned = {t.id: t.current_assignment for t in talents if t.current_assignment is not None}
    return render_template(
        "freshness/home.html", lines=lines, scope=scope, state=state, chosen=chosen, own=own,
        states=STATES, assigned=assigned, commissioners=commissioners.commissioners(db()), page=PAGE,
        stale=[line for line in lines if line.state != Freshness.CURRENT],
        may_remind={line.talent.id: allowed(actor, "freshness.remind", line.talent) for line in lines},
        next_reminder={line.talent.id: next_possible(line.talent) for line in lines}, now=now,
    )


@bp.post("/commissioner/remind/<external_id>")
@login_required
def send_reminder(external_id: str) -> Response:
    talent = get_talent(db(), external_id)
    try:
        settings = knowledge_base().settings
        remind(db(), current_actor(), talent, settings.freshness, tz=settings.locale.timezone)
    except (Conflict, ValidationError) as exc:  # reminded this week, or no account: nothing was written
        flash(error_text(exc), "error")
    else:
        flash(_("已向 %(name)s 发送更新提醒。", name=talent.name), "success")
    return redirect(url_for("freshness.home", scope=request.form.get("scope") or None,
                            state=request.form.get("state") or None))


@bp.get("/commissioner/assignments")
@login_required
def assignments() -> str:
    """Admins: every talent with its commissioner; with ``talent=ID``, that talent's assignment history."""
    require(current_actor(), "commissioner.assign")
    talents = list(db().scalars(select(Talent).order_by(Talent.external_id)))
    chosen = request.args.get("talent", "")
    history = commissioners.history(db(), get_talent(db(), chosen)) if chosen else []
    return render_template("freshness/assignments.html", talents=talents, assigned=commissioners.current_map(db()),
                           commissioners=commissioners.commissioners(db()), chosen=chosen, history=history)


@bp.post("/commissioner/assignments")
@login_required
def assign() -> Response:
    actor = current_actor()
    require(actor, "commissioner.assign")
    ids = [i.strip() for i in request.form.get("talents", "").replace(",", " ").split() if i.strip()]
    username = request.form.get("commissioner", "").strip()
    target: User | None = commissioners.get_commissioner(db(), username) if username else None
    for external_id in ids:
        commissioners.assign(db(), actor, get_talent(db(), external_id), target)
    if ids:
        flash(_("已为 %(n)s 位人才指定服务专员。", n=len(ids)) if target else
              _("已取消 %(n)s 位人才的服务专员。", n=len(ids)), "success")
    return redirect(url_for("freshness.assignments", talent=ids[0] if len(ids) == 1 else None))


@bp.post("/talents/<external_id>/digest")
@login_required
def digest_frequency(external_id: str) -> Response:
    """The talent (or staff on its behalf) chooses how often the digest comes."""
    talent = get_talent(db(), external_id)
    set_frequency(db(), current_actor(), talent, request.form.get("frequency", ""))
    flash(_("提醒频率已保存。"), "success")
    return redirect(url_for("auth.account") if request.form.get("back") == "account"
                    else url_for("talents.profile", external_id=external_id))
