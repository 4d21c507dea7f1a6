"""Translations: Simplified Chinese by default, English on request.

The UI language is chosen with ``/lang/<code>`` and kept in the session (a
logged-in user's account preference is the fallback). It is deliberately not
a query parameter, because ``?lang=`` on the search page filters experts by
the languages they speak.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel, get_locale
from werkzeug.wrappers import Response

from web.redirects import referrer_path, safe_next

UI_LANGUAGES = {"zh": "zh_CN", "en": "en"}
DEFAULT_LOCALE = "zh_CN"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    from web.sessions import current_account

    code = session.get("lang")
    if code in UI_LANGUAGES:
        return UI_LANGUAGES[code]
    account = current_account()
    if account is not None and account.preferred_language in UI_LANGUAGES:
        return UI_LANGUAGES[account.preferred_language]
    return DEFAULT_LOCALE


def ui_lang() -> str:
    """``"en"`` or ``"zh"``: which label of a bilingual taxonomy entry to show."""
    return "en" if str(get_locale() or "").startswith("en") else "zh"


@bp.get("/lang/<code>")
def switch(code: str) -> Response:
    if code in UI_LANGUAGES:
        session["lang"] = code
    nxt = request.args.get("next")
    return redirect(safe_next(referrer_path() if nxt is None else nxt))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations"))
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def language() -> dict[str, object]:
        return {"ui_lang": ui_lang()}
