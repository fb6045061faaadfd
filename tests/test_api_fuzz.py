"""Schemathesis against the app's OpenAPI schema: every operation, authenticated as an
administrator, checked for server errors, status codes, content types and response
schemas. Zero failures is the bar."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from tests import figures

# Each operation gets its schema's examples and 25 generated cases, valid and invalid (the
# fuzzing phase, in both modes). Schemathesis 4's coverage phase is off: it added ~55
# deterministic boundary cases per operation (up to 355 for a register's filters): 10,240
# examples in all, the suite's slowest test. Without it 2,988 (~23 per operation, every
# operation still called and validated); the test's process 160 s -> 89 s of CPU.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")
# Server errors, status codes, content types and response schemas, plus: invalid input is
# refused and 405s list the right methods. Not "positive data acceptance": a schema-valid
# request may still break a rule (an unknown department id is a 422 naming the field).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.allow_header_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_contract(case, world):
    token = world.token(world.admin)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    figures.add(
        "schemathesis",
        "{operations} operations fuzzed, {examples} examples run and validated "
        "({checks} checks each), as an administrator",
        operations={case.operation.label},
        examples=1,
        checks={c.__name__ for c in CHECKS},
    )


def test_the_schema_lists_every_api_route(app):
    # The fuzz test only sees what the schema lists: every /api/v1 route must be in it.
    from tests.test_role_matrix import CASES

    documented = {
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    }
    api_cases = {key for key in CASES if key[1].startswith("/api/")}
    figures.add(
        "schemathesis, schema",
        "{documented} operations in the OpenAPI schema, {api_routes} API routes in the matrix",
        documented=documented,
        api_routes=api_cases,
    )
    assert api_cases <= documented, sorted(api_cases - documented)
