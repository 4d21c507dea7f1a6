"""The one check that a ``next`` target stays on this site (no open redirects).

Login, the language switch and the event forms all send the browser back to
a page named by the request. A target is kept only if it is a path on this
site: browsers read ``\\`` as ``/`` and drop tabs and newlines inside URLs,
so ``/\\evil.example`` or ``/\\t/evil.example`` would leave the site although
they look like paths; such targets fall back to the default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def is_local_path(target: str) -> bool:
    """True if a browser following ``target`` from any page of this site stays on it."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default``."""
    return target if target and is_local_path(target) else default


def referrer_path() -> str | None:
    """The page the request came from (path and query) when it is a page of this site, else None.

    The referrer is only a hint: another site's page, or a same-site URL whose path would
    leave the site (``//evil.example``), gives None.
    """
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if parts.netloc == request.host and is_local_path(path) else None
