"""With the shared cache (Redis) down, the API still answers: throttles fail open."""

import pytest
from django.core.cache import cache

from tests import factories as f
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_api_answers_when_the_throttle_cache_is_down(monkeypatch):
    staff = f.user(f.agency("代运营甲"), "agency_staff")
    client = token_client(staff)

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    response = client.get("/api/v1/agreements/")
    assert response.status_code == 200
