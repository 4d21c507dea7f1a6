"""The account's API tokens: list, create (the secret is shown once) and revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kb import api_tokens
from kb.models import utcnow
from web.auth import bp
from web.auth.forms import TokenForm
from web.confirm import confirm_first
from web.sessions import current_actor, db


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    tokens = api_tokens.list_tokens(db(), current_actor(), current_user)  # type: ignore[arg-type]
    return render_template("auth/tokens.html", tokens=tokens, form=form, secret=secret, now=utcnow()), status


@bp.get("/account/tokens")
@login_required
def tokens() -> tuple[str, int]:
    return _page(TokenForm(formdata=None))


@bp.post("/account/token")
@login_required
def new_token() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=400)
    lifetime = int(form.lifetime.data) if form.lifetime.data else None
    issued = api_tokens.issue(db(), current_user, form.label.data or "web", lifetime_days=lifetime)  # type: ignore[arg-type]
    return _page(TokenForm(formdata=None), secret=issued.secret)


def _revoke_question(token_id: str) -> str:
    api_tokens.get_token(db(), current_actor(), token_id)  # type: ignore[arg-type]  # refuses another's token first
    return _("确定撤销这个令牌吗？使用它的程序将立即无法访问。")


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
@confirm_first(_revoke_question)
def revoke_token(token_id: str) -> Response:
    """Revoke one of one's own tokens (an administrator may revoke anyone's; others get a 404)."""
    row = api_tokens.revoke(db(), current_actor(), token_id)  # type: ignore[arg-type]
    flash(_("令牌“%(label)s”已撤销，使用它的程序将无法再访问。", label=row.label or row.public_id), "success")
    return redirect(url_for("auth.tokens"))
