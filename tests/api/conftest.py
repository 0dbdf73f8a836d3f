"""API test fixtures: a small world of two agencies' brands and clients by role."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import api_token_issue
from tests import factories as f


def token_client(user: User) -> APIClient:
    """An APIClient authenticated the way integrations are: Authorization: Token <key>."""
    client = APIClient()
    key = api_token_issue(user=user, by=None).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def world(db):
    """Agency A serves brands A1 and A2; agency B serves brand B1. Each brand has an
    active revenue-share agreement and a product TEA-1; users of every role."""
    agency_a, agency_b = f.agency("代运营甲"), f.agency("代运营乙")
    brand_a1, brand_a2 = f.brand(agency_a, "品牌A1"), f.brand(agency_a, "品牌A2")
    brand_b1 = f.brand(agency_b, "品牌B1")
    agreements = {}
    for brand in (brand_a1, brand_a2, brand_b1):
        agreements[brand.pk] = f.agreement("revenue_share", brand_org=brand, activate=True)
        f.product(
            brand,
            sku="TEA-1",
            factory_price=Decimal("80.00"),
            distributor_price=Decimal("120.00"),
            min_retail_price=Decimal("199.00"),
        )
    users = {
        "superuser": f.superuser(),
        "staff_a": f.user(agency_a, User.Role.AGENCY_STAFF),
        "staff_b": f.user(agency_b, User.Role.AGENCY_STAFF),
        "finance_a1": f.user(brand_a1, User.Role.BRAND_FINANCE),
        "viewer_a1": f.user(brand_a1, User.Role.BRAND_VIEWER),
        "finance_a2": f.user(brand_a2, User.Role.BRAND_FINANCE),
        "finance_b1": f.user(brand_b1, User.Role.BRAND_FINANCE),
    }
    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "brand_a1": brand_a1,
        "brand_a2": brand_a2,
        "brand_b1": brand_b1,
        "agreements": agreements,
        "users": users,
    }


@pytest.fixture
def clients(world):
    """One token-authenticated client per user of the world."""
    return {name: token_client(user) for name, user in world["users"].items()}
