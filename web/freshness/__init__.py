"""Living profiles on the web: the commissioner's home page, reminders, assignments, digest choice.

Thin adapters over ``kb.talents`` (freshness, tasks, commissioners, reminders,
digest); the labels every page shows for states and tasks are offered to all
templates (the account page, the dashboard, the history page use them too).
"""

from flask import Blueprint

bp = Blueprint("freshness", __name__)

from web.freshness import labels, views  # noqa: E402,F401  (registers the routes and the labels)
