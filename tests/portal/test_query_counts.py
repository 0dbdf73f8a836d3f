"""Pages whose cost does not grow with the data: the same number of queries for a brand
(or an agency) with one agreement as with twelve, each with months of statements, sales,
KPI records and payments."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from contracts.models import Agreement
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from settlements import services
from tests import factories as f
from tests.portal.conftest import TODAY, logged_in

D = Decimal
MONTHS = (Period(2026, 7), Period(2026, 8), Period(2026, 9))


def _sale(agreement: Agreement, ref: str, sold_on: str) -> None:
    row = {
        "product": "TEA-1",
        "sold_on": sold_on,
        "quantity": 10,
        "unit_price": "199.00",
        "tax": "199.00",
        "logistics": "60.00",
        "channel": "tmall",
        "external_ref": ref,
    }
    sale_line_record(agreement=agreement, data=row, by=None)


def _agreement(n: int, brand, staff) -> Agreement:
    if n % 2:
        agreement = f.agreement(
            Agreement.Kind.B2B_COMMISSION,
            brand_org=brand,
            activate=True,
            by=staff,
            starts_on=date(2026, 5, 1),
            ends_on=date(2027, 4, 30),
            signed_on=date(2026, 4, 20),
            terms={"monthly_service_fee": D("8000.00"), "min_distributors": 5},
        )
        for month in (6, 7, 8, 9):
            kpi_record_save(
                agreement=agreement,
                period=f"2026-{month:02d}",
                values={"distributors_recruited": 6, "cartons_shipped": D("220")},
                by=staff,
            )
    else:
        agreement = f.agreement("revenue_share", brand_org=brand, activate=True, by=staff)
        for period in MONTHS:
            _sale(agreement, f"{agreement.pk}-{period}", f"{period}-10")
    for index, period in enumerate(MONTHS):
        statement = services.statement_generate(agreement=agreement, period=period, by=staff)
        issued_on = period.next().first_day.replace(day=8)
        issued = services.statement_issue(
            statement=statement.statement, issued_on=issued_on, by=staff
        )
        if index == 0 and issued.total_due > 0:
            services.payment_record(
                statement=issued, amount=D("1.00"), paid_on=date(2026, 9, 25), by=staff
            )
    return agreement


def _world(agreements: int):
    agency = f.agency(f"代运营{agreements}")
    brand = f.brand(agency, f"品牌{agreements}")
    f.product(
        brand,
        sku="TEA-1",
        factory_price=D("80.00"),
        distributor_price=D("120.00"),
        min_retail_price=D("199.00"),
        units_per_carton=20,
    )
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    finance = f.user(brand, User.Role.BRAND_FINANCE, email=f"finance{agreements}@brand.example")
    made = [_agreement(n, brand, staff) for n in range(agreements)]
    return staff, finance, made


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


PORTAL_PAGES = [
    "/portal/",
    "/portal/statements/",
    "/portal/receivables/",
    "/portal/invoices/",
    "/portal/sales/",
    "/portal/kpis/",
]
ADMIN_PAGES = ["/admin/", "/admin/settlements/statement/"]


@pytest.mark.django_db
def test_portal_pages_cost_the_same_for_one_agreement_and_twelve(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    counts = {}
    for size in (1, 12):
        _staff, finance, _ = _world(size)
        client = logged_in(finance)
        for url in PORTAL_PAGES:
            _queries(client, url)  # warm caches (the calendar, content types)
            counts[(url, size)] = _queries(client, url)
    for url in PORTAL_PAGES:
        assert abs(counts[(url, 12)] - counts[(url, 1)]) <= 5, (url, counts)


@pytest.mark.django_db
def test_the_workbench_and_statement_list_cost_the_same_for_one_agreement_and_twelve(
    monkeypatch,
):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    counts = {}
    for size in (1, 12):
        staff, _finance, _ = _world(size)
        staff.is_staff = True
        staff.save()
        client = Client()
        client.force_login(staff)
        for url in ADMIN_PAGES:
            _queries(client, url)
            counts[(url, size)] = _queries(client, url)
    for url in ADMIN_PAGES:
        assert abs(counts[(url, 12)] - counts[(url, 1)]) <= 5, (url, counts)
