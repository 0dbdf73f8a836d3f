"""A world for the breach-notice tests: one agency with a brand and a revenue-share
agreement (cure_days 15), its staff, the brand's finance and viewer users, and another
brand of the same agency with its own agreement and finance user."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from accounts.models import User
from tests import factories as f

TODAY = date(2026, 9, 30)


@dataclass
class World:
    agreement: Any
    other: Any
    staff: Any
    finance: Any
    viewer: Any
    other_finance: Any


@pytest.fixture
def today(monkeypatch):
    """Pin the clock; ``today.set(day)`` moves it."""

    class Clock:
        day = TODAY

        def set(self, day):
            self.day = day

    clock = Clock()
    monkeypatch.setattr("common.clock.today", lambda: clock.day)
    return clock


@pytest.fixture
def world(db, today) -> World:
    agency = f.agency("杭州代运营有限公司")
    agency.address = "杭州市西湖区文三路 1 号"
    agency.save()
    brand = f.brand(agency, "上海茶饮品牌有限公司")
    brand.address = "上海市徐汇区漕溪北路 2 号"
    brand.contact_email = "legal@brand.example"
    brand.save()
    agreement = f.agreement("revenue_share", brand_org=brand, activate=True, number="HT-BN-0001")
    other_brand = f.brand(agency, "Other Brand")
    other = f.agreement("revenue_share", brand_org=other_brand, activate=True)
    return World(
        agreement=agreement,
        other=other,
        staff=f.user(agency, User.Role.AGENCY_STAFF, email="staff@agency.example"),
        finance=f.user(brand, User.Role.BRAND_FINANCE, email="finance@brand.example"),
        viewer=f.user(brand, User.Role.BRAND_VIEWER, email="viewer@brand.example"),
        other_finance=f.user(other_brand, User.Role.BRAND_FINANCE),
    )
