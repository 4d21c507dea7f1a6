"""Account management: list, create, disable/enable, reset password, API tokens, invite."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from kb import accounts, api_tokens
from kb.errors import Conflict, NotFound, ValidationError
from kb.models import utcnow
from kb.permissions import require
from kb.web_support import get_account, list_accounts
from web.admin import bp
from web.admin.forms import InviteForm, UserForm
from web.admin.talent_field import UnclearTalent, typed_talent
from web.confirm import confirm_first
from web.forms import attach_errors
from web.messages import error_text
from web.sessions import current_actor, db


def _users_page(form: UserForm, status: int = 200, notice: str = "", secret: str = "",
                problems: list[str] | None = None) -> tuple[str, int]:
    role = request.args.get("role", "")
    text = request.args.get("q", "").strip()
    return render_template(
        "admin/users.html", rows=list_accounts(db(), role=role, text=text), form=form, notice=notice,
        secret=secret, problems=problems or [], role=role, q=text,
    ), status


@bp.get("/users")
@login_required
def users() -> tuple[str, int]:
    require(current_actor(), "users.manage")
    return _users_page(UserForm(formdata=None))


@bp.post("/users")
@login_required
def create_user() -> tuple[str, int]:
    actor = current_actor()
    require(actor, "users.manage")
    form = UserForm()
    if not form.validate():
        return _users_page(form, 400)
    try:
        talent = typed_talent(form.talent)
        user = accounts.create_user(
            db(), actor, form.username.data or "", form.role.data or "", form.password.data,
            display_name=form.display_name.data or "", email=form.email.data or "",
            unit=form.unit.data or "", talent=talent,
        )
    except UnclearTalent:
        db().rollback()
        return _users_page(form, 400)
    except (ValidationError, Conflict) as exc:
        db().rollback()
        errors = exc.errors if isinstance(exc, ValidationError) else {"username": error_text(exc)}
        return _users_page(form, 400 if isinstance(exc, ValidationError) else 409,
                           problems=attach_errors(form, errors))
    return _users_page(UserForm(formdata=None), notice=_("已创建账号 %(u)s。", u=user.username))


def _account(user_id: int):  # type: ignore[no-untyped-def]
    user = get_account(db(), user_id)
    if user is None:
        raise NotFound(f"no account #{user_id}")
    return user


def _disable_question(user_id: int) -> str:
    require(current_actor(), "users.manage")  # the question names the account: only to those who manage it
    return _("确定停用账号 %(u)s 吗？其登录立即失效，接口令牌全部撤销。", u=_account(user_id).username)


def _revoke_question(user_id: int, token_id: str) -> str:
    require(current_actor(), "users.manage")
    api_tokens.get_token(db(), current_actor(), token_id)  # type: ignore[arg-type]  # refuses what one may not see
    return _("确定撤销这个令牌吗？使用它的程序将立即无法访问。")


@bp.post("/users/<int:user_id>/active")
@login_required
@confirm_first(_disable_question, when=lambda: request.form.get("active") != "1")
def set_active(user_id: int) -> tuple[str, int]:
    require(current_actor(), "users.manage")
    user = _account(user_id)
    active = request.form.get("active") == "1"
    accounts.set_active(db(), current_actor(), user, active)
    if active:
        message = _("已启用账号 %(u)s。", u=user.username)
    else:
        message = _("已停用账号 %(u)s：其登录已失效，接口令牌已全部撤销。", u=user.username)
    return _users_page(UserForm(formdata=None), notice=message)


@bp.post("/users/<int:user_id>/password")
@login_required
def reset_password(user_id: int) -> tuple[str, int]:
    """A random one-time password shown once to the admin, who hands it over."""
    require(current_actor(), "users.manage")
    user = _account(user_id)
    password = accounts.reset_password(db(), current_actor(), user)
    notice = _("已重置 %(u)s 的密码：其登录已失效，接口令牌已全部撤销。新密码只显示这一次：", u=user.username)
    return _users_page(UserForm(formdata=None), notice=notice, secret=password)


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite() -> tuple[str, int] | Response:
    actor = current_actor()
    require(actor, "users.invite")
    form = InviteForm() if request.method == "POST" else InviteForm(talent=request.args.get("talent", ""))
    link = ""
    status = 200
    if form.validate_on_submit():
        try:
            talent = typed_talent(form.talent)
            token = accounts.invite(db(), actor, form.email.data or "", talent, form.role.data or "talent")
        except UnclearTalent:
            db().rollback()
            status = 400
        except ValidationError as exc:
            db().rollback()
            attach_errors(form, exc.errors)
            status = 400
        except Conflict:
            db().rollback()
            form.talent.errors = [_("这位人才已经有账号了。")]
            status = 409
        else:
            link = url_for("auth.invitation", token=token, _external=True)
    elif request.method == "POST":
        status = 400
    return render_template("admin/invite.html", form=form, link=link), status


@bp.get("/users/<int:user_id>/tokens")
@login_required
def user_tokens(user_id: int) -> str:
    """An account's API tokens, for an administrator to revoke one it should not have."""
    require(current_actor(), "users.manage")
    user = _account(user_id)
    return render_template("admin/tokens.html", account=user, now=utcnow(),
                           tokens=api_tokens.list_tokens(db(), current_actor(), user))  # type: ignore[arg-type]


@bp.post("/users/<int:user_id>/tokens/<token_id>/revoke")
@login_required
@confirm_first(_revoke_question)
def revoke_token(user_id: int, token_id: str) -> Response:
    require(current_actor(), "users.manage")
    user = _account(user_id)
    if api_tokens.get_token(db(), current_actor(), token_id).user_id != user.id:  # type: ignore[arg-type]
        raise NotFound("no such token")
    row = api_tokens.revoke(db(), current_actor(), token_id)  # type: ignore[arg-type]
    flash(_("令牌“%(label)s”已撤销，使用它的程序将无法再访问。", label=row.label or row.public_id), "success")
    return redirect(url_for("admin.user_tokens", user_id=user.id))
