"""Property-based API testing against our own OpenAPI schema (bounded).

Schemathesis generates requests for every operation from /api/schema/ and sends them
in-process (WSGI) with an agency staff token; no response may be a server error or
break the schema.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.api.conftest import token_client  # noqa: F401  (fixtures come from conftest)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def keep_test_connection():
    """Requests go through Django's WSGI handler, which closes old connections at each
    request's start and end; inside a test transaction that would close the test's own
    connection (PostgreSQL). Django's test client disconnects the same handler."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_key(world, keep_test_connection):
    from accounts.tokens import api_token_issue

    return api_token_issue(user=world["users"]["staff_a"], by=None).key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case, staff_key):
    case.call_and_validate(
        headers={"Authorization": f"Token {staff_key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
