"""Deployment checks beyond what loading already enforces (``kb config check``).

Loading guarantees types, choices, ranges and URL forms; these checks look at
the machine and at combinations that are legal in development but wrong in
production, and that would otherwise surface only at the first request.
"""

from __future__ import annotations

import os
from pathlib import Path

from kb.settings.loader import Loaded
from kb.settings.sections import DEFAULT_SECRET, Settings


def problems(loaded: Loaded) -> list[str]:
    """One message per problem; empty when the configuration is fit to run."""
    s = loaded.settings
    return _production(s) + _paths(s)


def warnings(loaded: Loaded) -> list[str]:
    """Doubtful but not wrong: a KB_ variable that is no setting is usually a misspelt one
    (KB_SMPT_HOST) that is otherwise silently ignored, but the scripts and docker-compose
    have variables of their own (KB_PG_PORT, KB_DB_PASSWORD) that are set legitimately."""
    return [f"{name}: set in the environment but not a setting (see config/default.toml [environment])"
            for name in loaded.unknown_variables]


def _production(s: Settings) -> list[str]:
    if not s.production:
        return []
    found = []
    if s.security.secret_key == DEFAULT_SECRET:
        found.append("security.secret_key: env = production needs a secret key of its own "
                     "(KB_SECRET_KEY); the default would let anyone forge sessions")
    elif len(s.security.secret_key) < 16:
        found.append("security.secret_key: shorter than 16 characters; use a long random value")
    if not s.web.base_url.startswith("https://"):
        found.append(f"web.base_url = {s.web.base_url!r}: production links in e-mails must use https://")
    return found


def _paths(s: Settings) -> list[str]:
    found = []
    if not _creatable_dir(s.data_dir):
        found.append(f"data_dir = {str(s.data_dir)!r}: not a directory this process can create or write")
    cache = s.search.embedding_cache
    if cache is not None and not _creatable_dir(cache.parent):
        found.append(f"search.embedding_cache = {str(cache)!r}: its folder cannot be created or written")
    for name, path in (("consultations.cjk_font", s.consultations.cjk_font),
                       ("server.gunicorn_config", s.server.gunicorn_config),
                       ("logging.config", s.logging.config)):
        if path is not None and not path.is_file():
            found.append(f"{name} = {str(path)!r}: no such file")
    return found


def _creatable_dir(path: Path) -> bool:
    """True when ``path`` is a writable directory, or could be created as one."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)

