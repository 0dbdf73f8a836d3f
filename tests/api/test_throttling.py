"""Too many requests answer 429 with Retry-After, per user and for anonymous callers."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "5/minute", "anon": "3/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)


@pytest.mark.django_db
def test_user_is_throttled_with_429(clients, tight_rates):
    client = clients["finance_a1"]
    statuses = [client.get("/api/v1/agreements/").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    throttled = client.get("/api/v1/agreements/")
    assert throttled.status_code == 429 and "Retry-After" in throttled
    # Another user has their own allowance.
    assert clients["finance_a2"].get("/api/v1/agreements/").status_code == 200


@pytest.mark.django_db
def test_anonymous_callers_are_throttled_on_the_public_schema(tight_rates):
    client = APIClient()
    statuses = [client.get("/api/schema/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Without credentials every data endpoint is 401 before any throttling.
    assert client.get("/api/v1/agreements/").status_code == 401
