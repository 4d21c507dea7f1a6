"""Login, logout, password change and invitation acceptance.

No view commits: ``web.unit_of_work`` commits the request's work once the
view has answered (a 401 for a wrong password included, so the failed-login
count sticks).
"""

from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kb import accounts
from kb.errors import Conflict, ValidationError
from kb.models import Talent, User
from web.auth import bp, device
from web.auth.forms import InvitationForm, LoginForm, PasswordForm
from web.forms import attach_errors
from web.redirects import safe_next
from web.sessions import current_account, db, end_session, keep_session, start_session
from web.throttle import LoginThrottle


def _throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def _client() -> str:
    return request.remote_addr or "unknown"


def _landing(user: User) -> str:
    if user.role == "talent" and user.talent_id:
        talent = db().get(Talent, user.talent_id)
        if talent is not None:
            return url_for("talents.profile", external_id=talent.external_id)
    return url_for("search.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    """One answer for every failure (same message, same status, one password verification);
    a throttled attempt is a 429 that says how long to wait, for known and unknown names alike."""
    nxt = request.values.get("next") or ""
    if current_user.is_authenticated:
        return redirect(safe_next(nxt) if nxt else _landing(current_user))
    form = LoginForm(next=nxt)
    if form.validate_on_submit():
        username = form.username.data or ""
        wait = _throttle().admit(_client(), username, known_device=device.is_known(username))
        if wait > 0:
            seconds = math.ceil(wait)
            form.password.errors = [_("尝试次数过多，请在 %(seconds)s 秒后再试。", seconds=seconds)]
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(seconds)}
        user = accounts.authenticate(db(), username, form.password.data or "")
        if user is None:
            _throttle().failed(_client(), username)
            form.password.errors = [_("用户名或密码错误。")]
            return render_template("auth/login.html", form=form), 401
        _throttle().succeeded(username)
        start_session(user)
        resp = redirect(safe_next(form.next.data) if form.next.data else _landing(user))
        device.remember(resp, username)
        return resp
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server too: a copy of the cookie stops working with this one."""
    user = current_account()
    if user is not None:
        accounts.logout(db(), user)
    end_session()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET"])
@login_required
def account() -> str:
    talent = db().get(Talent, current_user.talent_id) if current_user.talent_id else None
    return render_template("auth/account.html", talent=talent)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db(), current_user, form.current_password.data or "", form.new_password.data or "")
        except ValidationError as exc:
            db().rollback()
            attach_errors(form, exc.errors, {"password": "new_password"})
            return render_template("auth/password.html", form=form), 400
        keep_session(current_user)
        flash(_("密码已修改。其他设备上的登录已失效，接口令牌已全部撤销。"), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Response | str | tuple[str, int]:
    invite = accounts.find_invitation(db(), token)  # NotFound → 404 page
    talent = db().get(Talent, invite.talent_id) if invite.talent_id else None
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(db(), token, form.username.data or "", form.password.data or "")
        except accounts.InvitationUsed:
            db().rollback()
            return render_template("auth/invitation.html", form=form, invite=invite, talent=talent,
                                   problems=[_("该邀请链接刚刚已被使用，不能再创建账号。如需帮助，请联系管理员。")]), 409
        except (ValidationError, Conflict) as exc:
            db().rollback()
            if isinstance(exc, ValidationError):
                unmatched = attach_errors(form, exc.errors)
            elif exc.code == "account.username_taken":
                form.username.errors = [_("该用户名已被使用，请换一个。")]
                unmatched = []
            else:
                unmatched = [_("该人才已有账号，无需再次注册。")]
            return render_template("auth/invitation.html", form=form, invite=invite, talent=talent,
                                   problems=unmatched), 400
        start_session(user)
        flash(_("账号已创建，欢迎使用。"), "success")
        return redirect(_landing(user))
    return render_template("auth/invitation.html", form=form, invite=invite, talent=talent, problems=[])
