"""CSRF protection and the security headers every response carries.

The CSP allows scripts and styles from this origin only: every script lives
in ``static/js`` (no inline code, no CDN: district intranets are offline), so
an injected ``<script>`` in user content cannot run even if escaping failed.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def init_app(app: Flask) -> None:
    CSRFProtect(app)

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("PRODUCTION"):
            resp.headers["Strict-Transport-Security"] = "max-age=31536000"
        # Pages show personal data to logged-in users: no shared or browser caching of them.
        if request.endpoint != "static" and "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "no-store"
        # Downloads (exports, dossiers, attachments, materials, .ics) carry personal data too; send_file
        # sets its own revalidation headers, which would let a browser or proxy keep a copy.
        if request.endpoint != "static" and is_download(resp):
            resp.headers["Cache-Control"] = "no-store"
            resp.headers.pop("ETag", None)
            resp.headers.pop("Last-Modified", None)
        return resp


DOWNLOAD_TYPES = frozenset({"text/csv", "text/calendar", "application/pdf", "application/x-ndjson",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "application/octet-stream"})


def is_download(resp: Response) -> bool:
    """A file handed out rather than a page: an attachment disposition or a file type."""
    disposition = resp.headers.get("Content-Disposition", "")
    return disposition.startswith("attachment") or resp.mimetype in DOWNLOAD_TYPES
