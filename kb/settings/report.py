"""The effective configuration as rows of (key, value, origin), secrets masked.

``kb config show`` prints these rows; operators paste its output into tickets
and chat, so a secret never appears in it: keys whose metadata says
``secret`` are replaced by ``********`` and a database URL keeps everything
but its password (``***``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kb.settings.loader import Key, Loaded, keys

MASK = "********"


@dataclass(frozen=True)
class Row:
    key: str
    value: str | int | float | bool  # as TOML would hold it (paths as strings, unset as ""), secrets masked
    origin: str
    variable: str


def rows(loaded: Loaded) -> list[Row]:
    out = []
    for name, key in keys().items():
        value = _effective(loaded, key)
        origin = loaded.origins.get(name, "default")
        if name == "database.url" and origin == "default":
            origin = "default (SQLite in data_dir)"
        out.append(Row(name, _shown(key, value), origin, loaded.variables.get(name, "")))
    return out


def _effective(loaded: Loaded, key: Key) -> Any:
    holder: Any = loaded.settings if key.section is None else getattr(loaded.settings, key.section)
    return getattr(holder, key.attribute)


def _shown(key: Key, value: Any) -> str | int | float | bool:
    secret = key.metadata.get("secret")
    if secret is True:
        return MASK if value else ""
    if secret == "password" and value:
        from sqlalchemy.engine import make_url

        return make_url(value).render_as_string(hide_password=True)
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def as_text(table: list[Row]) -> str:
    """One ``key = value  # origin (VARIABLE)`` line per setting, values in TOML syntax."""
    literals = [_literal(r.value) for r in table]
    key_width = max(len(r.key) for r in table)
    value_width = min(44, max(len(v) for v in literals))
    return "\n".join(f"{r.key:<{key_width}} = {v:<{value_width}}  # {_origin(r)}"
                     for r, v in zip(table, literals, strict=True))


def _origin(row: Row) -> str:
    if row.variable and not row.origin.startswith("env "):
        return f"{row.origin}; variable {row.variable}"
    return row.origin


def _literal(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)
