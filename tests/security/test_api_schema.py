"""Schemathesis over ``/api/v1/openapi.json``, in-process against the Flask app (WSGI).

Every operation of the published document gets generated inputs — valid ones
and ones the schema allows but the code may not expect — sent with a real
bearer token (``kb.accounts.issue_token``). No input may produce a 500, and
every answer must match the document: a declared status code, the declared
content type, a body that validates against the declared schema.

Bounded: ``KB_API_FUZZ_EXAMPLES`` examples per operation and role (default 5), as admin and
talent (``KB_API_FUZZ_ROLES=all`` adds researcher and organizer).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import World

EXAMPLES = int(os.environ.get("KB_API_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# admin reaches the most code; a talent the most refusals. KB_API_FUZZ_ROLES=all adds the others.
ROLES = ("admin", "talent", "researcher", "organizer") if os.environ.get("KB_API_FUZZ_ROLES") == "all" \
    else ("admin", "talent")


def _operations(world: World) -> list:  # type: ignore[type-arg]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.site.app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_api_route_is_fuzzed(world: World) -> None:
    """The document lists every /api/v1 route (tests/web/test_api checks that); so all get fuzzed."""
    documented = {(op.method.upper(), op.path) for op in _operations(world)}
    assert len(documented) >= 45, len(documented)


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_never_500_and_match_the_document(world: World, role: str) -> None:
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    failures: list[str] = []
    calls = 0
    for op in _operations(world):

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failures, report them together
                failures.append(f"{case.method} {case.path}: {str(exc)[:600]}")
                raise

        try:
            run()
        except Exception:  # noqa: BLE001,S112 - recorded above
            continue
    assert calls > 4 * EXAMPLES * 10
    assert not failures, "\n\n".join(failures)
