"""Skips that fail: with ``KB_TEST_STRICT_SKIPS=1`` (CI sets it) every skip is a failure
unless the test is declared ``@pytest.mark.optional_skip(reason=...)``.

Why: a test that skips for want of a service, a browser or a package passes in the
summary line, and a suite that skips its ranking-quality or browser tests looks as
green as one that ran them. Locally a skip stays a skip (a developer without
Elasticsearch can still run the rest); where the suite is the gate, a skip must be
either impossible or declared, with the reason in the test file for a reviewer to
judge. A module that skips while being imported (``pytest.importorskip`` at the
top) cannot carry the marker and is not failed here, since a collection error would
stop the whole run: ``.ci/check_junit.py`` fails CI on it instead, and
tests/test_skip_policy.py keeps ``importorskip`` out of the suite.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

ENV = "KB_TEST_STRICT_SKIPS"
MARKER = "optional_skip"


def strict() -> bool:
    return os.environ.get(ENV, "") in ("1", "true", "yes")


def _reason(longrepr: Any) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _failure(reason: str) -> str:
    return (
        f"skipped, and skips fail here ({ENV}=1): {reason}\n"
        f"Provide what the test needs, or declare the skip with "
        f"@pytest.mark.{MARKER}(reason=...) if it is expected where the suite runs."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if (
        strict()
        and report.skipped
        and not hasattr(report, "wasxfail")  # an expected failure is reported as a skip too
        and item.get_closest_marker(MARKER) is None
    ):
        report.outcome = "failed"
        report.longrepr = _failure(_reason(report.longrepr))

