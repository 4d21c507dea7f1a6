"""Reads the junit xml of a CI run and fails it on what pytest's exit status does not show.

    python .ci/check_junit.py test-artifacts/junit.xml [--ci]

Prints how many tests marked postgres / elasticsearch / browser ran, and the closing
counts. With --ci it exits 1 when a test skipped without being declared
``optional_skip`` (a missing service, browser or package, or a module that skipped
while being imported and so could carry no marker), or when the marker plugin
(.ci/kb_ci_markers.py) was not loaded. The pytest run itself already fails such
skips under KB_TEST_STRICT_SKIPS=1 (tests/skip_policy.py); this check is the second
lock, on what was recorded rather than on a hook that a conftest change could lose.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SERVICE_SKIPS = ("needs PostgreSQL", "needs Elasticsearch")


@dataclass
class Summary:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    ran: dict[str, int] = field(default_factory=lambda: {"postgres": 0, "elasticsearch": 0, "browser": 0})
    optional_skips: list[str] = field(default_factory=list)
    undeclared_skips: list[str] = field(default_factory=list)
    unmarked: int = 0


def summarize(path: str) -> Summary:
    summary = Summary()
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        props = {p.get("name"): p.get("value", "") for p in case.iter("property")}
        if "kb_markers" not in props:
            summary.unmarked += 1
        markers = {m for m in props.get("kb_markers", "").split(",") if m}
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            summary.failed += 1
        elif skipped is not None:
            summary.skipped += 1
            message = skipped.get("message", "")
            if skipped.get("type") == "pytest.xfail":
                continue  # an expected failure, declared in the test
            line = f"{name}: {message}"
            (summary.optional_skips if "optional_skip" in markers else summary.undeclared_skips).append(line)
        else:
            summary.passed += 1
            for marker in summary.ran.keys() & markers:
                summary.ran[marker] += 1
    return summary


def main(argv: list[str]) -> int:
    path, in_ci = argv[0], "--ci" in argv[1:]
    try:
        summary = summarize(path)
    except (OSError, ET.ParseError) as exc:
        print(f"ci: no junit xml ({exc})")
        return 1
    for marker, count in summary.ran.items():
        print(f"tests marked {marker} that ran: {count}")
    for line in summary.optional_skips:
        print(f"note: declared optional skip: {line}")
    rc = 0
    if summary.undeclared_skips:
        services = sum(1 for line in summary.undeclared_skips if any(s in line for s in SERVICE_SKIPS))
        print(f"ci: {len(summary.undeclared_skips)} test(s) skipped without being declared optional_skip "
              f"({services} for want of PostgreSQL/Elasticsearch):")
        for line in summary.undeclared_skips[:50]:
            print(f"  {line}")
        rc = 1
    total = summary.passed + summary.failed + summary.skipped
    if summary.unmarked and total:
        print(f"ci: {summary.unmarked} test case(s) carry no kb_markers property (marker plugin not loaded?)")
        rc = 1
    print(f"ci: {summary.passed} passed, {summary.failed} failed, {summary.skipped} skipped")
    return rc if in_ci else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
