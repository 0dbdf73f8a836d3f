"""Brute force: logins lock out per username and address (django-axes), password resets are
throttled per e-mail address and per client address, and the counts live in the cache that
every web worker shares (Redis when there is one)."""

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import User
from accounts.portal import RESET_TOO_MANY
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Test-1234"
LOGIN = "/portal/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/portal/password/reset/"


def _login(client, url, username, password, ip="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def brand_user():
    return f.user(f.brand(f.agency()), User.Role.BRAND_FINANCE, email="finance@brand.example")


def test_portal_login_locks_out_after_ten_wrong_passwords(client, brand_user):
    assert settings.AXES_FAILURE_LIMIT == 10
    for _ in range(9):
        assert _login(client, LOGIN, brand_user.username, "wrong").status_code == 200
    locked = _login(client, LOGIN, brand_user.username, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Login paused" in text and "15 minutes" in text
    # The right password no longer opens it (the 40-wrong-then-right attack).
    right = _login(client, LOGIN, brand_user.username, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this one, is not locked out.
    assert _login(client, LOGIN, brand_user.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, brand_user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(10):
        _login(client, LOGIN, brand_user.username, "wrong")
    assert _login(client, LOGIN, brand_user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )
    assert _login(client, LOGIN, brand_user.username, PASSWORD).status_code == 302


def test_a_right_password_resets_the_count(client, brand_user):
    for _ in range(9):
        _login(client, LOGIN, brand_user.username, "wrong")
    assert _login(client, LOGIN, brand_user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        assert _login(client, LOGIN, brand_user.username, "wrong").status_code == 200


def test_admin_login_locks_out_too(client):
    staff = f.user(f.agency(), User.Role.AGENCY_STAFF)
    for _ in range(10):
        _login(client, ADMIN_LOGIN, staff.username, "wrong")
    assert _login(client, ADMIN_LOGIN, staff.username, PASSWORD).status_code == 429


def _reset(client, email, ip="10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_sends_at_most_five_an_hour_to_one_address(client, brand_user):
    for i in range(8):
        response = _reset(client, brand_user.email, ip=f"10.0.1.{i}")
        assert response.status_code == 302  # the page reads the same, sent or not
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR == 5
    # Case and spaces do not make another address.
    _reset(client, " FINANCE@brand.example ", ip="10.0.1.99")
    assert len(mail.outbox) == 5


def test_password_reset_is_throttled_per_client_address(client, brand_user):
    limit = settings.PASSWORD_RESET_PER_IP_PER_HOUR
    for i in range(limit):
        assert _reset(client, f"nobody{i}@example.com").status_code == 302
    refused = _reset(client, brand_user.email)
    assert refused.status_code == 429
    assert RESET_TOO_MANY in refused.content.decode()
    assert mail.outbox == []
    assert _reset(client, brand_user.email, ip="10.0.0.2").status_code == 302  # another address
    assert len(mail.outbox) == 1


def test_password_reset_works_when_the_cache_is_down(client, brand_user, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "add", down)
    assert _reset(client, brand_user.email).status_code == 302
    assert len(mail.outbox) == 1


def test_the_cache_is_shared_redis_beside_the_broker():
    """With a Redis broker the cache is Redis (one database over), else in-process."""
    from config.settings.base import _cache_url_beside

    assert _cache_url_beside("redis://127.0.0.1:6379/15") == "redis://127.0.0.1:6379/14"
    assert _cache_url_beside("redis://redis:6379/0") == "redis://redis:6379/1"
    assert _cache_url_beside("redis://redis:6379") == "redis://redis:6379/1"
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert backend == "django.core.cache.backends.redis.RedisCache"
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
