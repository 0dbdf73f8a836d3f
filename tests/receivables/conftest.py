"""A brand with a setup-fee bill and monthly statements, its users and agency staff."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Organization, User
from common import clock
from contracts.models import Agreement
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services as s
from settlements.models import Statement
from tests import factories as f

TODAY = date(2026, 12, 31)
D = Decimal


def issued_month(agreement: Agreement, staff: User, period: str, ref: str) -> Statement:
    """A revenue-share month with one sale, issued on the 8th of the next month."""
    sale_line_record(
        agreement=agreement,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": f"{period}-05",
            "quantity": 100,
            "unit_price": "199.00",
            "channel": "tmall",
            "external_ref": ref,
        },
    )
    month = Period.parse(period)
    draft = s.statement_generate(agreement=agreement, period=month, by=staff)
    return s.statement_issue(
        statement=draft.statement, by=staff, issued_on=month.last_day + timedelta(days=8)
    )


@dataclass
class World:
    agency: Organization
    brand: Organization
    agreement: Agreement
    staff: User
    finance: User
    viewer: User
    august: Statement
    september: Statement

    @property
    def statements(self):
        return Statement.objects.filter(agreement__brand=self.brand)


def brand_world(tag: str = "") -> World:
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        penalty_rate_per_day=D("0.003"),
    )
    brand = agreement.brand
    f.product(brand, sku="TEA-1", factory_price=D("80.00"), min_retail_price=D("1"))
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    august = issued_month(agreement, staff, "2026-08", f"A{tag}")
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    september = issued_month(agreement, staff, "2026-09", f"S{tag}")
    s.statement_dispute(
        statement=september, by=staff, comment="数量不符", disputed_on=september.issued_on
    )
    august.refresh_from_db()
    september.refresh_from_db()
    return World(
        agency=agreement.agency,
        brand=brand,
        agreement=agreement,
        staff=staff,
        finance=f.user(brand, User.Role.BRAND_FINANCE),
        viewer=f.user(brand, User.Role.BRAND_VIEWER),
        august=august,
        september=september,
    )


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def world(db, today) -> World:
    return brand_world()


@pytest.fixture
def other(db, today) -> World:
    """Another agency's brand, with the same kind of data."""
    return brand_world("-other")
