"""Contract tests: schemathesis generates requests from /api/schema/ and checks every answer against it.

Runs the real WSGI application in-process (the test database, no server). An HR token and a worker
token each: no server error, no response outside the schema, documented status codes and content
types. The number of examples per operation is SCHEMATHESIS_MAX_EXAMPLES (default 15; CI runs more).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.throttling import UserRateThrottle
from schemathesis import checks

from config.wsgi import application
from staff.services import api_token_create
from tests.surveys.hr_scenario import build

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
BASIC_CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance]
CHECKS = [*BASIC_CHECKS, checks.status_code_conformance]
# Operations of other apps whose error answers (400/403) are not yet in the schema: checked without
# status-code conformance (the integrator's note asks their owners to document them).
UNDOCUMENTED_ERRORS = ("/api/v1/supplements/", "/api/v1/me/", "/api/v1/caseload/mine/", "/api/v1/caseload/units/{id}/")
HR_PATHS = (
    "/api/v1/tertials/",
    "/api/v1/reports/tertial/{tertial}/",
    "/api/v1/turnover/",
    "/api/v1/span-of-control/",
    "/api/v1/supplements/",
)


@pytest.fixture
def in_process():
    """Like Django's test client: the in-process WSGI calls must not close the test's database connection."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def keys(world, monkeypatch, in_process):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": None})  # fair-use limit is not under test
    build(world)
    return {
        "hr": api_token_create(organisation=world.org, staff=world.erin, name="contract")[1],
        "worker": api_token_create(organisation=world.org, staff=world.bob, name="contract")[1],
        "head": api_token_create(organisation=world.org, staff=world.dave, name="contract")[1],
    }


@pytest.fixture
def api_schema(keys):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, headers={"Authorization": f"Token {keys['hr']}"}
    )
    return schema


HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _call(case, key: str):
    response = case.call(headers={"Authorization": f"Token {key}"})
    case.validate_response(response, checks=BASIC_CHECKS if case.path in UNDOCUMENTED_ERRORS else CHECKS)
    return response


def _run(api_schema, key: str, *, refused: bool = False) -> int:
    """Each operation of the schema with generated requests; returns the number of operations run."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @HYPOTHESIS
        @given(case=operation.as_strategy())
        def check(case):
            response = _call(case, key)
            if refused and case.path in HR_PATHS:
                assert response.status_code in {400, 403, 404}, (case.path, response.status_code)

        check()
    return len(operations)


def test_hr_token_honours_the_schema(api_schema, keys):
    assert _run(api_schema, keys["hr"]) == 11


def test_department_head_token_honours_the_schema(api_schema, keys):
    assert _run(api_schema, keys["head"]) == 11


def test_worker_token_honours_the_schema_and_is_refused_hr_data(api_schema, keys):
    assert _run(api_schema, keys["worker"], refused=True) == 11
