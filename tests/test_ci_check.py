""".ci/check_junit.py: the second lock on skips, read from the junit xml a CI run leaves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CASE = '<testcase classname="tests.m" name="{name}"><properties>{props}</properties>{body}</testcase>'
MARKERS = '<property name="kb_markers" value="{}"/>'


def case(name: str, markers: str = "", body: str = "", plugin: bool = True) -> str:
    return CASE.format(name=name, props=MARKERS.format(markers) if plugin else "", body=body)


def check(tmp_path: Path, cases: list[str], ci: bool = True) -> tuple[int, str]:
    xml = tmp_path / "junit.xml"
    xml.write_text(f'<testsuites><testsuite name="pytest">{"".join(cases)}</testsuite></testsuites>', "utf-8")
    args = [sys.executable, str(ROOT / ".ci" / "check_junit.py"), str(xml)] + (["--ci"] if ci else [])
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout


PASSING = [case("test_a"), case("test_pg", "postgres"), case("test_es", "elasticsearch"),
           case("test_ui", "browser")]


def test_a_clean_run_passes_and_counts_the_service_tests(tmp_path):
    rc, out = check(tmp_path, PASSING)
    assert rc == 0, out
    assert "tests marked postgres that ran: 1" in out and "tests marked browser that ran: 1" in out
    assert "ci: 4 passed, 0 failed, 0 skipped" in out


@pytest.mark.parametrize("message", [
    "needs PostgreSQL: run scripts/services up",
    "needs Elasticsearch: ...",
    "browser tests need Debian's chromium at /usr/bin/chromium",
    "could not import 'dateutil'",  # a module skipped at import: it has no markers to declare anything
])
def test_any_undeclared_skip_fails_ci(tmp_path, message):
    skipped = case("test_skipped", "postgres", f'<skipped type="pytest.skip" message="{message}"/>')
    rc, out = check(tmp_path, [*PASSING, skipped])
    assert rc == 1
    assert "1 test(s) skipped without being declared optional_skip" in out and message in out


def test_a_declared_optional_skip_is_noted_not_failed(tmp_path):
    skipped = case("test_dev_set", "optional_skip", '<skipped type="pytest.skip" message="no shared set"/>')
    rc, out = check(tmp_path, [*PASSING, skipped])
    assert rc == 0, out
    assert "note: declared optional skip: tests.m::test_dev_set: no shared set" in out


def test_an_expected_failure_is_not_a_skip_to_fail_on(tmp_path):
    xfail = case("test_known_bug", "", '<skipped type="pytest.xfail" message="known bug"/>')
    assert check(tmp_path, [*PASSING, xfail])[0] == 0


def test_a_run_without_the_marker_plugin_fails(tmp_path):
    rc, out = check(tmp_path, [*PASSING, case("test_b", plugin=False)])
    assert rc == 1 and "no kb_markers property" in out


def test_outside_ci_it_only_reports(tmp_path):
    skipped = case("test_skipped", "", '<skipped type="pytest.skip" message="needs PostgreSQL"/>')
    rc, out = check(tmp_path, [*PASSING, skipped], ci=False)
    assert rc == 0 and "skipped without being declared" in out


def test_a_missing_xml_fails(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / ".ci" / "check_junit.py"), str(tmp_path / "none.xml"), "--ci"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "no junit xml" in proc.stdout
