"""Schemathesis in negative mode: every operation of ``/api/v1`` gets requests that break
its declared schema — wrong types, missing required fields, values out of range, bodies
that are not objects — sent with a real bearer token, in-process (WSGI).

The property: no such request is a server error, and each is refused (a 4xx), because
``web/api/validation.py`` checks every request against the same document before a view runs.
Bounded by ``KB_API_FUZZ_EXAMPLES`` examples per operation and role (default 5), as admin
and talent (``KB_API_FUZZ_ROLES=all`` adds researcher and organizer); about 20 s.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection

from tests.security.conftest import World
from tests.security.test_api_schema import ROLES, _operations

EXAMPLES = int(os.environ.get("KB_API_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, negative_data_rejection]


@pytest.mark.parametrize("role", ROLES)
def test_requests_that_break_the_document_are_refused_and_never_a_500(world: World, role: str) -> None:
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    failures: list[str] = []
    calls = server_errors = 0
    operations = _operations(world)
    for op in operations:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls, server_errors
            calls += 1
            response = case.call(headers=headers)
            server_errors += response.status_code >= 500
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # noqa: BLE001 - collect every operation's failures, report them together
                failures.append(f"{case.method} {case.path} → {response.status_code}: {str(exc)[:600]}")
                raise

        try:
            run()
        except Exception:  # noqa: BLE001,S112 - recorded above
            continue
    print(f"\nnegative API fuzz as {role}: {calls} requests over {len(operations)} operations, "
          f"{server_errors} server errors")
    assert calls > 2 * EXAMPLES * 10  # operations without parameters or body have nothing to break
    assert server_errors == 0
    assert not failures, "\n\n".join(failures)
