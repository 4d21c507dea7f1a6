"""Nobody outside the settings loader reads the process environment.

Settings read here and there drift apart (kb and the indexer once resolved
KB_DATA_DIR differently) and cannot be shown or checked in one place, so
``kb.settings.loader`` is the only reader. The one other module allowed to
touch ``os.environ`` only writes variables that libgomp and Hugging Face read
when they load (see its docstring).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("kb", "indexer", "web")
LOADER = "kb/settings/loader.py"
WRITER = "indexer/embedding/engine_env.py"
#: Any mention of the environment API: os.environ, os.environb, os.getenv, os.putenv, or importing them.
ENVIRONMENT = re.compile(r"\bos\.(environb?|getenv|putenv|unsetenv)\b|\bfrom\s+os\s+import\b[^\n]*\b(environb?|getenv)\b")


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def _uses(path: Path) -> list[str]:
    return [f"{path.relative_to(REPO)}:{n}: {line.strip()}"
            for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if ENVIRONMENT.search(line)]


def test_only_the_loader_reads_the_environment() -> None:
    offenders = [use for path in _sources() if str(path.relative_to(REPO)) not in (LOADER, WRITER)
                 for use in _uses(path)]
    assert offenders == [], "read settings through kb.settings instead:\n" + "\n".join(offenders)


def test_the_engine_module_only_writes() -> None:
    """Every use in engine_env is an os.environ.setdefault(...) call: a write, never a read of a value."""
    tree = ast.parse((REPO / WRITER).read_text("utf-8"))
    uses = [node for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "environ"]
    assert uses, "engine_env no longer sets anything: drop it from the allowed modules"
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for use in uses:
        parent = parents[id(use)]
        assert isinstance(parent, ast.Attribute) and parent.attr == "setdefault", ast.unparse(parent)
        call = parents[id(parent)]
        assert isinstance(call, ast.Call) and isinstance(parents.get(id(call)), ast.Expr), \
            f"the value of {ast.unparse(call)} must not be used"


@pytest.mark.parametrize("line", [
    "value = os.environ.get('KB_X')",
    "value = os.getenv('KB_X')",
    "from os import environ",
    "from os import path, getenv",
    "for k in os.environ:",
    "env = dict(os.environb)",
])
def test_the_pattern_catches_each_form(line: str) -> None:
    assert ENVIRONMENT.search(line)


@pytest.mark.parametrize("line", ["environ: Mapping[str, str]", "import os", "os.path.join(a, b)", "settings.environment"])
def test_the_pattern_ignores_lookalikes(line: str) -> None:
    assert not ENVIRONMENT.search(line)
