"""The application factory.

Everything a request needs (the knowledge base, login, CSRF, translations,
security headers, error pages) is wired here once, so each blueprint only
describes its own pages.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from kb.context import KnowledgeBase
from kb.settings import DEFAULT_SECRET
from web import errors, i18n, security, sessions, templating, unit_of_work
from web.throttle import Backoff, LoginThrottle

MAX_ID = 2**31 - 1  # id columns are 32-bit integers on PostgreSQL


def create_app(kb: KnowledgeBase | None = None, **overrides: Any) -> Flask:
    """Build the web app around ``kb`` (one is opened with the loaded settings when omitted).

    The Flask configuration comes from ``kb.settings`` (its ``security`` and
    ``web`` sections); ``overrides`` are Flask config keys (``TESTING=True`` ...)
    that win over it, so tests can pin what they need.
    """
    kb = kb or KnowledgeBase()
    settings = kb.settings
    if settings.production and settings.security.secret_key == DEFAULT_SECRET:
        raise RuntimeError(
            "KB_ENV=production needs a real KB_SECRET_KEY: the default key would let anyone forge sessions"
        )
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.security.secret_key,
        PRODUCTION=settings.production,
        SESSION_COOKIE_NAME="kb_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.production,
        PREFERRED_URL_SCHEME="https" if settings.production else "http",
        MAX_CONTENT_LENGTH=settings.web.max_upload_bytes,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; no expiry mid-edit
        # Login backoff (web/throttle.py): free failures, then base·2ⁿ seconds up to the cap.
        LOGIN_THROTTLE_ATTEMPTS=settings.web.login_throttle_attempts,  # per client address
        LOGIN_ACCOUNT_ATTEMPTS=5,  # per account name
        LOGIN_BACKOFF_BASE=2.0,
        LOGIN_ADDRESS_BACKOFF_CAP=300.0,
        LOGIN_ACCOUNT_BACKOFF_CAP=60.0,
        LOGIN_BACKOFF_FORGET=3600.0,  # a name or address quiet this long starts from zero
        SEARCH_PAGE_SIZE=settings.web.search_page_size,
        BASE_URL=settings.web.base_url,
        TIMEZONE=settings.locale.timezone,  # every time a page shows (kb.localtime)
    )
    app.config.update(overrides)
    _trust_proxies(app, settings.web.proxy_count)
    app.url_map.converters["int"] = DatabaseId
    app.extensions["kb"] = kb
    app.extensions["login_throttle"] = _login_throttle(app.config)

    sessions.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    _register_blueprints(app)
    unit_of_work.init_app(app)  # last: its commit runs before the other after_request hooks
    return app


def _login_throttle(config: Any) -> LoginThrottle:
    base, forget = config["LOGIN_BACKOFF_BASE"], config["LOGIN_BACKOFF_FORGET"]
    return LoginThrottle(
        per_address=Backoff(config["LOGIN_THROTTLE_ATTEMPTS"], base, config["LOGIN_ADDRESS_BACKOFF_CAP"], forget),
        per_account=Backoff(config["LOGIN_ACCOUNT_ATTEMPTS"], base, config["LOGIN_ACCOUNT_BACKOFF_CAP"], forget),
    )


class DatabaseId(IntegerConverter):
    """``<int:...>`` ids beyond what an id column holds are a 404, not a database error.

    Without a bound, ``/consultations/99999999999999999999`` reached the database,
    which raised (SQLite: OverflowError; PostgreSQL: integer out of range) and
    answered 500. A converter ``max`` would not do: werkzeug then reports 405 for
    other methods of the same path, so the value is refused here with a 404.
    """

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        if number > MAX_ID:
            raise NotFound()
        return number


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind ``count`` reverse proxies, take the client address from X-Forwarded-For.

    The per-IP login throttle needs the real client address; without this,
    every request behind a proxy would share the proxy's address and one
    guesser could lock everybody out of the login form.
    """
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from web import ops
    from web.admin import bp as admin_bp
    from web.api import bp as api_bp
    from web.auth import bp as auth_bp
    from web.dashboard import bp as dashboard_bp
    from web.search import bp as search_bp
    from web.talents import bp as talents_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(talents_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(__import__("web.consultations", fromlist=["bp"]).bp)  # also its API
    app.register_blueprint(__import__("web.events", fromlist=["bp"]).bp)  # also its API
    app.register_blueprint(i18n.bp)
    app.register_blueprint(__import__("web.freshness", fromlist=["bp"]).bp)  # commissioners, digests
    __import__("web.notifications", fromlist=["init_app"]).init_app(app)  # the inbox and the header's badge
    ops.init_app(app)  # /healthz, /readyz, /metrics; measures every request
    # The API authenticates with bearer tokens, never cookies, so a forged
    # cross-site request carries no credentials and CSRF tokens are moot there.
    app.extensions["csrf"].exempt(api_bp)
