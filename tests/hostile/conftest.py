"""The API world of tests/api, and an issued August statement of brand A1."""

import pytest

from tests.api.conftest import clients, world  # noqa: F401 - fixtures used here
from tests.concurrency.conftest import issued_statement


@pytest.fixture
def issued(world):  # noqa: F811 - the fixture imported above
    return issued_statement(world["agreements"][world["brand_a1"].pk], ref="SEED-1")
