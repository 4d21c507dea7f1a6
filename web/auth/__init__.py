"""Accounts in the browser: login, logout, password change, invitations, API tokens."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from web.auth import tokens, views  # noqa: E402,F401  (registers the routes)
