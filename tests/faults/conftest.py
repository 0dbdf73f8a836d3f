"""The API tests' small world (two agencies, brands, users by role), reused here."""

from tests.api.conftest import clients, world  # noqa: F401  (fixtures)
