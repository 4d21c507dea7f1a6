"""``kb config show`` and ``kb config check`` as an operator uses them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli import main
from kb.settings.loader import keys

SECRET_CHARS = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="\"'\\@/:%#?")


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``kb ARGS`` with exactly ``env`` for its KB_ variables (others of the calling shell unset)."""
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith("KB_")}
    result = CliRunner().invoke(main, args, env={**unset, **env}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    return {"KB_DATA_DIR": str(tmp_path / "data"), "KB_CONFIG": ""}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=st.text(SECRET_CHARS, min_size=8, max_size=40), password=st.text(SECRET_CHARS, min_size=8, max_size=30))
def test_show_never_prints_a_secret(secret: str, password: str, base_env: dict[str, str]) -> None:
    # A marker makes each value one that cannot occur in the output by chance (in a path, say).
    secret, password = f"sk-{secret}", f"pw-{password}"
    env = {**base_env, "KB_SECRET_KEY": secret, "KB_DATABASE_URL": f"postgresql+psycopg://kb:{password}@db.internal/kb"}
    for args in (["config", "show"], ["config", "show", "--json"]):
        code, out, err = run(args, env)
        assert code == 0, err
        assert secret not in out and password not in out
    rows = {r["key"]: r for r in map(json.loads, out.splitlines())}
    assert rows["security.secret_key"] == {"key": "security.secret_key", "value": "********",
                                           "origin": "env KB_SECRET_KEY", "variable": "KB_SECRET_KEY"}
    assert rows["database.url"]["value"] == "postgresql+psycopg://kb:***@db.internal/kb"


def test_show_lists_every_setting_with_its_origin(base_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[web]\nproxy_count = 1\n[mail]\nsmtp_host = "smtp.internal"\n', "utf-8")
    env = {**base_env, "KB_CONFIG": str(config), "KB_SMTP_HOST": "smtp.override"}
    code, out, _ = run(["config", "show", "--json"], env)
    assert code == 0
    rows = {r["key"]: r for r in map(json.loads, out.splitlines())}
    assert set(rows) == set(keys())
    assert rows["web.proxy_count"]["value"] == 1 and rows["web.proxy_count"]["origin"] == f"file {config}"
    assert rows["mail.smtp_host"]["value"] == "smtp.override" and rows["mail.smtp_host"]["origin"] == "env KB_SMTP_HOST"
    assert rows["data_dir"]["origin"] == "env KB_DATA_DIR"
    assert rows["search.backend"]["origin"] == "default"
    code, text, _ = run(["config", "show"], env)
    assert text.splitlines()[0] == f"# KB_CONFIG={config}"
    line = next(x for x in text.splitlines() if x.startswith("web.proxy_count "))
    assert line.split("=", 1)[1].split("#")[0].strip() == "1" and line.endswith(f"# file {config}; variable KB_PROXY_COUNT")


def test_check_passes_a_sound_configuration(base_env: dict[str, str]) -> None:
    code, out, err = run(["config", "check"], base_env)
    assert (code, err) == (0, "")
    assert "configuration ok" in out


@pytest.mark.parametrize(("env", "expected"), [
    ({"KB_ENV": "production", "KB_BASE_URL": "https://kb.example"},
     ["config: security.secret_key: env = production needs a secret key of its own"]),
    ({"KB_ENV": "production", "KB_SECRET_KEY": "short", "KB_BASE_URL": "https://kb.example"},
     ["config: security.secret_key: shorter than 16 characters"]),
    ({"KB_ENV": "production", "KB_SECRET_KEY": "x" * 40},
     ["config: web.base_url = 'http://127.0.0.1:5000': production links in e-mails must use https://"]),
    ({"KB_CJK_FONT": "/nonexistent/font.ttc"}, ["config: consultations.cjk_font = '/nonexistent/font.ttc': no such file"]),
    ({"KB_SEARCH_BACKEND": "solr", "KB_SMTP_PORT": "0"},
     ["config: search.backend = 'solr' (env KB_SEARCH_BACKEND): must be one of embedded, elasticsearch",
      "config: mail.smtp_port = '0' (env KB_SMTP_PORT): must be at least 1"]),
])
def test_check_fails_with_one_line_per_problem(base_env: dict[str, str], env: dict[str, str],
                                               expected: list[str]) -> None:
    code, out, err = run(["config", "check"], {**base_env, **env})
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == len(expected), lines
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), lines


def test_check_warns_of_a_variable_that_is_no_setting(base_env: dict[str, str]) -> None:
    code, out, err = run(["config", "check"], {**base_env, "KB_SMPT_HOST": "smtp.internal", "KB_TEST_X": "1"})
    assert code == 0 and "configuration ok" in out
    assert err.splitlines() == ["config: warning: KB_SMPT_HOST: set in the environment but not a setting "
                                "(see config/default.toml [environment])"]
    code, _, err = run(["config", "check"], {**base_env, "KB_SMPT_HOST": "x", "KB_ENV": "production",
                                             "KB_BASE_URL": "https://kb.example"})
    assert code == 1 and err.splitlines()[0].startswith("config: warning: KB_SMPT_HOST")
    assert err.splitlines()[1].startswith("config: security.secret_key")


def test_check_refuses_an_unwritable_data_dir(base_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(["config", "check"], {**base_env, "KB_DATA_DIR": str(blocker / "data")})
    assert code == 1 and f"data_dir = '{blocker / 'data'}': not a directory" in err


def test_other_commands_stop_at_a_bad_value_and_point_to_check(base_env: dict[str, str]) -> None:
    code, out, err = run(["users", "list"], {**base_env, "KB_PROXY_COUNT": "many"})
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "config: web.proxy_count = 'many' (env KB_PROXY_COUNT): must be a whole number",
        "error: the configuration is invalid; `kb config check` lists every problem",
    ]
