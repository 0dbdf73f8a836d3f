import pytest

from tests.browser import chromium  # noqa: F401  (the browser tests' fixture)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """API throttling counts in the cache, keyed by user id (ids repeat across tests):
    every test starts and ends with clean counters."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
