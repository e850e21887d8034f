"""Property-based calls generated from the OpenAPI description: no request, however odd,
gets a 5xx. Bounded (few examples per operation) so the run stays under a minute."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import Web

EXAMPLES = 6


def test_no_request_gets_a_server_error(web: Web) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.http.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:
        for role in ("editor", "anonymous"):
            run_as(operation, web.as_(role))


def run_as(operation: schemathesis.APIOperation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    call()
