"""Obligation test fixtures: one agreement of each kind under agency A, with users."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from tests import factories as f

TODAY = date(2026, 7, 10)


@pytest.fixture
def today(monkeypatch):
    state = {"day": TODAY}
    monkeypatch.setattr("common.clock.today", lambda: state["day"])
    return state


@pytest.fixture
def people(db):
    agency = f.agency("代运营甲")
    brand = f.brand(agency, "品牌甲")
    other_brand = f.brand(f.agency("代运营乙"), "品牌乙")
    return {
        "agency": agency,
        "brand": brand,
        "other_brand": other_brand,
        "staff": f.user(agency, User.Role.AGENCY_STAFF),
        "finance": f.user(brand, User.Role.BRAND_FINANCE, email="fin@brand.test"),
        "viewer": f.user(brand, User.Role.BRAND_VIEWER),
        "other_finance": f.user(other_brand, User.Role.BRAND_FINANCE),
    }


@pytest.fixture
def deals(people, today):
    """Active agreements of the three kinds, 2026-06-01..2027-05-31."""
    brand, staff = people["brand"], people["staff"]
    product = f.product(brand, sku="TEA-1", min_retail_price=Decimal("199.00"))
    b2b_terms = {
        "monthly_service_fee": Decimal("8000.00"),
        "min_distributors": 5,
        "min_cartons": 200,
        "min_sales_amount": Decimal("100000.00"),
    }
    made = {
        "b2b_commission": f.agreement(
            "b2b_commission", brand_org=brand, activate=True, by=staff, terms=b2b_terms
        ),
        "revenue_share": f.agreement(
            "revenue_share", brand_org=brand, activate=True, by=staff, products=[product]
        ),
        "consulting_fixed_fee": f.agreement(
            "consulting_fixed_fee", brand_org=brand, activate=True, by=staff
        ),
    }
    made["product"] = product
    return made
