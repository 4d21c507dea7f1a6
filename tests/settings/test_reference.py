"""The README's configuration table and config/default.toml say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.settings.loader import read_defaults
from kb.settings.reference import BEGIN, END, documentation, markdown_table, readme_section, rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def _configuration_section() -> str:
    text = README.read_text("utf-8")
    start = text.index("## Configuration\n")
    return text[start:text.index("\n## ", start + 1)]


def test_readme_table_is_generated_from_default_toml() -> None:
    assert readme_section(README.read_text("utf-8")) == markdown_table(), \
        "run `python -m kb.settings.reference --write` to regenerate the README's configuration table"


def test_every_variable_in_the_readme_is_a_setting_and_the_reverse() -> None:
    _, variables = read_defaults()
    mentioned = set(re.findall(r"`(KB_[A-Z0-9_]+)`", _configuration_section())) - {"KB_CONFIG"}
    assert mentioned == set(variables)


def test_documentation_takes_the_comment_block_right_above_each_key() -> None:
    text = "# file header\n\n# about a\na = 1\n[s]\n# first line\n# second line\nb = 2\n\nc = 3\n"
    assert documentation(text) == {"a": "about a", "s.b": "first line second line", "s.c": ""}


def test_rewrite_replaces_only_the_marked_part() -> None:
    before = f"intro\n{BEGIN}\nold table\n{END}\noutro\n"
    after = rewrite(before)
    assert after.startswith(f"intro\n{BEGIN}\n| variable |") and after.endswith(f"{END}\noutro\n")
    assert "old table" not in after and rewrite(after) == after


def test_a_readme_without_markers_is_an_error() -> None:
    with pytest.raises(ValueError):
        readme_section("## Configuration\n| variable |\n")
