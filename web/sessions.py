"""Per-request database session and the logged-in user (flask-login).

One SQLAlchemy session per request, committed or rolled back as one unit of
work by ``web.unit_of_work`` once the view has answered: a view that raises
half-way leaves nothing behind, and no view commits.

Sessions are signed cookies, so the server must be able to refuse one it
signed: the login stores the account's ``session_generation`` in it, and the
user loader refuses a session whose generation is no longer the account's.
Logout, a password change or reset and disabling the account bump it
(``kb.accounts.end_sessions``), which ends every session of the account,
including cookies captured before.
"""

from __future__ import annotations

from flask import Flask, current_app, g, session
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.context import KnowledgeBase
from kb.models import User
from kb.passwords import dummy_hash
from web import unit_of_work

GENERATION = "_gen"


def knowledge_base() -> KnowledgeBase:
    return current_app.extensions["kb"]


def db() -> Session:
    """The request's session, opened on first use."""
    return unit_of_work.session()


def current_actor() -> Actor | None:
    """The actor kb permission checks need; None for an anonymous visitor."""
    account = current_account()
    return Actor.of(account) if account is not None else None


def current_account() -> User | None:
    if "api_user" in g:
        return g.api_user
    # Resolve flask-login's proxy once: pages call this (through ``can``) dozens of
    # times, and each attribute read through the proxy looks the user up again
    # (3 ms of a 23 ms profile page went to that).
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated:
        return user  # type: ignore[no-any-return]
    return None


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session: whatever an attacker planted before
    login (session fixation) is dropped; only the UI language survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)
    session[GENERATION] = user.session_generation


def end_session() -> None:
    """Forget the login in this browser; the caller bumps the generation on the server."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def keep_session(user: User) -> None:
    """Keep the current session valid after the user changed its own password
    (which ended every session of the account, this one included)."""
    session[GENERATION] = user.session_generation


def init_app(app: Flask) -> None:
    dummy_hash()  # made now, so the first failed login costs no more than the others
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = None  # the login page says why by itself
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            user = db().get(User, int(user_id))
        except ValueError:
            return None
        if user is None or not user.active or session.get(GENERATION) != user.session_generation:
            return None
        return user
