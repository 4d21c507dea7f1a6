"""``kb config show`` and ``kb config check``.

Both load the settings themselves rather than through the ``kb`` group's
KnowledgeBase, because they must still run, and report, when the
configuration is invalid.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import NoReturn

import click

from kb.settings import checks, report
from kb.settings.loader import SettingsError, load


@click.group("config")
def config() -> None:
    """Show or check the effective configuration (config/default.toml, KB_CONFIG, KB_* variables)."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per setting.")
def show(as_json: bool) -> None:
    """Print every setting, its effective value and where it came from (secrets masked)."""
    try:
        loaded = load()
    except SettingsError as exc:
        _report_and_exit(exc.problems)
    table = report.rows(loaded)
    if as_json:
        for row in table:
            click.echo(json.dumps({"key": row.key, "value": row.value, "origin": row.origin,
                                   "variable": row.variable}, ensure_ascii=False))
        return
    if loaded.config_file is not None:
        click.echo(f"# KB_CONFIG={loaded.config_file}")
    click.echo(report.as_text(table))


@config.command("check")
def check() -> None:
    """Validate the configuration; exit 1 with one line per bad value (warnings alone exit 0)."""
    try:
        loaded = load()
    except SettingsError as exc:
        _report_and_exit(exc.problems)
    for warning in checks.warnings(loaded):
        click.echo(f"config: warning: {warning}", err=True)
    found = checks.problems(loaded)
    if found:
        _report_and_exit(found)
    sources = Counter(origin.split(" ", 1)[0] for origin in loaded.origins.values())
    click.echo(f"configuration ok: env = {loaded.settings.env}; {sources['file']} setting(s) from "
               f"{loaded.config_file or 'no KB_CONFIG file'}, {sources['env']} from environment variables")


def _report_and_exit(problems: list[str]) -> NoReturn:
    for problem in problems:
        click.echo(f"config: {problem}", err=True)
    sys.exit(1)
