"""The device cookie: a browser that logged in to an account before is known to it.

After a successful login the browser gets a signed, HttpOnly cookie naming
the account. A login attempt for that account from that browser skips the
per-account backoff (``web/throttle.py``), so someone hammering the
administrator's name from elsewhere slows down only browsers that never
logged in as the administrator — the owner's own browser logs in at once.
The cookie grants nothing else: the password is still checked, and the
per-address backoff still applies.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from web.throttle import account_key

COOKIE = "kb_device"
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def is_known(username: str) -> bool:
    """Did this browser log in as ``username`` within the last six months?"""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return False
    try:
        account = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return False
    return isinstance(account, str) and account == account_key(username)


def remember(resp: Response, username: str) -> None:
    resp.set_cookie(
        COOKIE, _serializer().dumps(account_key(username)), max_age=MAX_AGE, path="/login", httponly=True,
        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
