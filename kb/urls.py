"""The one rule for every URL the product stores (output links, event online links).

A stored URL is later written into pages (``href``), e-mails, CSV exports and
``.ics`` files. ``javascript:`` and ``data:`` links run script when clicked; a
line break or other control character injects lines into an ``.ics`` file or
a header; invisible format characters (zero-width, bidi overrides) make a link
read differently from where it goes. So a stored URL is an absolute ``http`` or
``https`` link with a host and nothing else: no white space, no control or
format characters, at most 1000 characters. Every write path (pages, API,
import) reaches this through the domain validators (``kb.talents.records``,
``kb.events.validation``), so none can store something the others refuse.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
MAX_URL = 1000


def url_problem(value: str) -> str | None:
    """Why ``value`` may not be stored as a link, or None if it may ('' is no link and may)."""
    if value == "":
        return None
    if len(value) > MAX_URL:
        return f"at most {MAX_URL} characters"
    if any(ch.isspace() or unicodedata.category(ch)[0] in ("C", "Z") for ch in value):
        return "must not contain spaces, line breaks or control characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "not a valid link"
    if parts.scheme.lower() not in SCHEMES or not host:
        return "must be an http:// or https:// link"
    if "\\" in value:
        return "must not contain backslashes"
    return None

