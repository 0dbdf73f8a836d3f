"""An agency whose brand owes three items, a second brand, and another agency."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Organization, User
from common import clock
from settlements.models import Statement
from tests import factories as f
from tests.concurrency.conftest import issued_statement

TODAY = date(2026, 11, 20)


@dataclass
class World:
    agency: Organization
    brand: Organization
    other_brand: Organization
    staff: User
    finance: User
    installment: Statement  # 25,000.00 due 2026-05-25 (the oldest)
    setup_fee: Statement  # 10,000.00 due 2026-05-25, issued later
    monthly: Statement  # 3,570.00 due 2026-09-20
    other_agency: Organization
    other_staff: User
    other_statement: Statement


def _items(brand):
    f.agreement("consulting_fixed_fee", activate=True, brand_org=brand)
    share = f.agreement("revenue_share", activate=True, brand_org=brand)
    f.product(brand, sku="TEA-1", factory_price=Decimal("80.00"))
    monthly = issued_statement(share, ref=f"SEED-{brand.pk}")
    statements = Statement.objects.filter(agreement__brand=brand)
    return (
        statements.get(kind=Statement.Kind.INSTALLMENT),
        statements.get(kind=Statement.Kind.SETUP_FEE),
        monthly,
    )


@pytest.fixture
def world(db, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    agency = f.agency("钱塘代运营有限公司")
    brand = f.brand(agency, "杭州茗香茶业有限公司")
    brand.payer_names = ["茗香控股（香港）有限公司"]
    brand.payer_accounts = ["6222 0202 0000 1234"]
    brand.save()
    other_brand = f.brand(agency, "成都川府茶业")
    installment, setup_fee, monthly = _items(brand)
    other_agency = f.agency("西湖代运营")
    foreign_brand = f.brand(other_agency, "外地品牌")
    foreign = f.agreement("consulting_fixed_fee", activate=True, brand_org=foreign_brand)
    return World(
        agency=agency,
        brand=brand,
        other_brand=other_brand,
        staff=f.user(agency, User.Role.AGENCY_STAFF, username="bank_staff"),
        finance=f.user(brand, User.Role.BRAND_FINANCE, username="bank_finance"),
        installment=installment,
        setup_fee=setup_fee,
        monthly=monthly,
        other_agency=other_agency,
        other_staff=f.user(other_agency, User.Role.AGENCY_STAFF, username="other_staff"),
        other_statement=foreign.statements.first(),
    )
