"""tests/skip_policy.py: under KB_TEST_STRICT_SKIPS=1 a skip fails unless declared optional_skip."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = '''
import pytest

def test_plain_skip():
    pytest.skip("needs Elasticsearch")

@pytest.fixture
def service():
    pytest.skip("needs PostgreSQL")

def test_fixture_skip(service):
    pass

@pytest.mark.skipif(True, reason="never here")
def test_skipif():
    pass

@pytest.mark.optional_skip(reason="the shared set lives elsewhere")
def test_declared_skip():
    pytest.skip("no shared set")

@pytest.mark.xfail(reason="known bug", strict=True)
def test_expected_failure():
    assert False

def test_passes():
    pass
'''

def run_pytest(tmp_path: Path, strict: bool) -> dict[str, str]:
    """Runs CASES in a child pytest; returns each test's outcome as the junit xml records it."""
    (tmp_path / "test_cases.py").write_text(CASES, "utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    optional_skip(reason): test\n", "utf-8")
    junit = tmp_path / "junit.xml"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KB_TEST_STRICT_SKIPS": "1" if strict else "0"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.skip_policy", "-p", "no:cacheprovider",
         f"--junitxml={junit}", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name", "")] = kinds[0] if kinds else "passed"
    return outcomes


def test_strict_mode_fails_every_undeclared_skip(tmp_path: Path) -> None:
    outcomes = run_pytest(tmp_path, strict=True)
    assert outcomes == {
        "test_plain_skip": "failure",
        "test_fixture_skip": "error",  # skipped while setting up: reported as an error
        "test_skipif": "error",
        "test_declared_skip": "skipped",
        "test_expected_failure": "skipped",  # junit's word for xfail; not turned into a failure
        "test_passes": "passed",
    }


def test_without_strict_mode_skips_stay_skips(tmp_path: Path) -> None:
    outcomes = run_pytest(tmp_path, strict=False)
    for name in ("test_plain_skip", "test_fixture_skip", "test_skipif", "test_declared_skip"):
        assert outcomes[name] == "skipped", outcomes
    assert outcomes["test_passes"] == "passed"


def test_no_test_imports_an_optional_package_by_skipping() -> None:
    """importorskip hides an undeclared dependency; declare it in pyproject's test extras instead."""
    offenders = [
        str(path.relative_to(ROOT)) for path in sorted(ROOT.glob("tests/**/*.py"))
        if path.name != "test_skip_policy.py" and "importorskip(" in path.read_text("utf-8")
    ]
    assert offenders == []
