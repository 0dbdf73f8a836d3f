"""Property-based API testing against our own OpenAPI schema (bounded).

Schemathesis generates requests for every operation from /api/schema/ and sends them
in-process (WSGI), once with an agency staff token and once with a brand finance token,
and runs every check it has: no server error, every status code, content type, header
and body documented, schema-violating requests refused, schema-valid ones accepted, an
undeclared method answered 405, and the rest.

One setting departs from schemathesis' defaults: a schema-valid request may be answered
400. The contract refuses by rule what no schema can say (a month not yet closed, a
payment above what is open, an end before a start), and says so with 400 (API.md); 422
is a reused Idempotency-Key.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from tests.api.conftest import token_client  # noqa: F401  (fixtures come from conftest)

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

EXAMPLES = settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


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


def _key(world, name):
    from accounts.tokens import api_token_issue

    return api_token_issue(user=world["users"][name], by=None).key


@pytest.fixture
def staff_key(world, keep_test_connection):
    return _key(world, "staff_a")


@pytest.fixture
def brand_key(world, keep_test_connection):
    return _key(world, "finance_a1")


@pytest.mark.django_db
@schema.parametrize()
@EXAMPLES
def test_every_check_passes_as_staff(case, staff_key):
    case.call_and_validate(headers={"Authorization": f"Token {staff_key}"})


@pytest.mark.django_db
@schema.parametrize()
@EXAMPLES
def test_every_check_passes_as_a_brand(case, brand_key):
    case.call_and_validate(headers={"Authorization": f"Token {brand_key}"})
