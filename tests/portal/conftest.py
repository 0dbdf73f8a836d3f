"""Portal fixtures: two brands of one agency, their users, agreements and statements.

``today`` pins the business date (``common.clock.today``) to 2026-11-24 so the
dashboard's windows, overdue days and penalties are the same whenever the tests run.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Organization, User
from contracts.models import Agreement
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from settlements import services
from settlements.models import Statement
from tests import factories as f

TODAY = date(2026, 11, 24)
PASSWORD = "pw-Test-1234"
D = Decimal


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    return TODAY


@dataclass
class World:
    agency: Organization
    tea: Organization
    silk: Organization
    staff: User
    finance: User
    viewer: User
    silk_finance: User
    rs: Agreement
    b2b: Agreement
    silk_rs: Agreement
    issued: Statement  # tea, revenue share, 2026-08: waiting for the brand's receipt
    confirmed: Statement  # tea, revenue share, 2026-07: confirmed, partly paid, overdue
    draft: Statement  # tea, revenue share, 2026-10: never shown to the brand
    silk_statement: Statement  # the other brand's issued statement


def _sale(agreement: Agreement, ref: str, sold_on: str, quantity: int = 100, **kw) -> None:
    row = {
        "product": "TEA-1",
        "sold_on": sold_on,
        "quantity": quantity,
        "unit_price": "199.00",
        "tax": str(D("19.90") * quantity),
        "logistics": str(D("6.00") * quantity),
        "channel": "tmall",
        "external_ref": ref,
    }
    row.update(kw)
    sale_line_record(agreement=agreement, data=row, by=None)


def _issue(agreement: Agreement, period: Period, issued_on: date, staff: User) -> Statement:
    statement = services.statement_generate(agreement=agreement, period=period, by=staff).statement
    return services.statement_issue(statement=statement, issued_on=issued_on, by=staff)


def build_world() -> World:
    agency = f.agency("杭州云帆电商")
    tea = f.brand(agency, "山野茶业")
    silk = f.brand(agency, "江南丝绸")
    tea.contact_email = "caiwu@tea.example"
    tea.save()
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    finance = f.user(tea, User.Role.BRAND_FINANCE, email="finance@tea.example")
    viewer = f.user(tea, User.Role.BRAND_VIEWER, email="viewer@tea.example")
    silk_finance = f.user(silk, User.Role.BRAND_FINANCE, email="finance@silk.example")
    for brand in (tea, silk):
        f.product(
            brand,
            sku="TEA-1",
            factory_price=D("80.00"),
            distributor_price=D("120.00"),
            min_retail_price=D("199.00"),
            units_per_carton=20,
        )
    rs = f.agreement("revenue_share", brand_org=tea, activate=True, by=staff, title="网络销售协议")
    silk_rs = f.agreement("revenue_share", brand_org=silk, activate=True, by=staff)
    b2b = f.agreement(
        Agreement.Kind.B2B_COMMISSION,
        brand_org=tea,
        activate=True,
        by=staff,
        title="经销商招募协议",
        starts_on=date(2026, 5, 1),
        ends_on=date(2027, 4, 30),
        signed_on=date(2026, 4, 20),
        terms={
            "monthly_service_fee": D("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": D("100000.00"),
        },
    )
    _sale(rs, "JUL-1", "2026-07-10", 50)
    _sale(rs, "AUG-1", "2026-08-05", 100)
    _sale(rs, "OCT-1", "2026-10-05", 10)
    _sale(silk_rs, "SILK-AUG-1", "2026-08-06", 30)
    confirmed = _issue(rs, Period(2026, 7), date(2026, 8, 7), staff)
    confirmed = services.statement_confirm(
        statement=confirmed, confirmed_on=date(2026, 8, 10), by=finance
    )
    services.payment_record(
        statement=confirmed, amount=D("1000.00"), paid_on=date(2026, 8, 25), by=staff
    )
    issued = _issue(rs, Period(2026, 8), date(2026, 9, 8), staff)
    draft = services.statement_generate(agreement=rs, period=Period(2026, 10), by=staff).statement
    silk_statement = _issue(silk_rs, Period(2026, 8), date(2026, 9, 8), staff)
    for month, distributors in ((6, 6), (7, 6), (8, 3), (9, 6), (10, 6)):
        kpi_record_save(
            agreement=b2b,
            period=f"2026-{month:02d}",
            values={
                "distributors_recruited": distributors,
                "cartons_shipped": D("220") if distributors > 3 else D("90"),
                "sales_amount": D("150000.00") if distributors > 3 else D("60000.00"),
                "unique_visitors": 480 + month * 10,
                "daily_inquiries": D("10.5"),
                "conversion_rate": D("0.0160"),
                "baidu_first_page": True,
                "google_first_page": month >= 9,
            },
            by=staff,
        )
    return World(
        agency=agency,
        tea=tea,
        silk=silk,
        staff=staff,
        finance=finance,
        viewer=viewer,
        silk_finance=silk_finance,
        rs=rs,
        b2b=b2b,
        silk_rs=silk_rs,
        issued=issued,
        confirmed=confirmed,
        draft=draft,
        silk_statement=silk_statement,
    )


@pytest.fixture
def world(db, today) -> World:
    return build_world()


def logged_in(user: User, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def finance_client(world) -> Client:
    return logged_in(world.finance)


@pytest.fixture
def viewer_client(world) -> Client:
    return logged_in(world.viewer)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """If pytest-playwright's own ``page`` fixture is ever used here, it launches Debian's
    chromium too: headless, never a downloaded browser."""
    from tests.portal.test_browser import CHROMIUM, CHROMIUM_ARGS

    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }
