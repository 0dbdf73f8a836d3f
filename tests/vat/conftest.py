"""The API tests' world (two agencies' brands, users of every role) and its clients."""

from tests.api.conftest import clients, world  # noqa: F401  (fixtures)
