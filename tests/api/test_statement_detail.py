"""GET /api/v1/statements/{id}/detail/: the XLSX of what a monthly statement settles,
scoped exactly like the statement."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import User
from common.xlsx import XLSX_CONTENT_TYPE
from core.periods import Period
from settlements import services
from settlements.api.detail import NOT_MONTHLY
from settlements.models import Statement
from tests import factories as f
from tests.settlements.test_detail import sale

pytestmark = pytest.mark.django_db

STATEMENTS = "/api/v1/statements/"


@pytest.fixture
def august(world):
    """Brand A1's August revenue-share statement (the worked example), issued."""
    agreement = world["agreements"][world["brand_a1"].pk]
    staff = f.user(world["agency_a"], User.Role.AGENCY_STAFF)
    sale(agreement, "WE-1")
    draft = services.statement_generate(agreement=agreement, period=Period(2026, 8), by=staff)
    return services.statement_issue(statement=draft.statement, issued_on=date(2026, 9, 8), by=staff)


def _sheet(response, name):
    book = load_workbook(io.BytesIO(response.content))
    return list(book[name].iter_rows(values_only=True))


def test_detail_is_an_xlsx_named_after_the_statement(clients, august):
    response = clients["finance_a1"].get(f"{STATEMENTS}{august.pk}/detail/")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="{august.number}-detail.xlsx"'
    )
    rows = _sheet(response, "销售明细")
    assert rows[0][:3] == ("日期", "SKU", "产品")
    assert rows[1][1:10] == ("TEA-1", "测试产品", 100, 199, 19900, 8000, 1990, 600, 9310)
    assert rows[-1][:1] == ("合计",)


def test_detail_follows_the_request_language_and_accept_header(clients, august):
    response = clients["viewer_a1"].get(
        f"{STATEMENTS}{august.pk}/detail/",
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_ACCEPT=XLSX_CONTENT_TYPE,
    )

    assert response.status_code == 200
    assert _sheet(response, "Sale lines")[0][:3] == ("Date", "SKU", "Product")


@pytest.mark.parametrize("role", ["finance_a2", "finance_b1", "staff_b"])
def test_another_scope_gets_404_like_the_statement(clients, august, role):
    client = clients[role]

    assert client.get(f"{STATEMENTS}{august.pk}/").status_code == 404
    response = client.get(f"{STATEMENTS}{august.pk}/detail/", HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_staff_superuser_and_a_missing_id(clients, august):
    for role in ("staff_a", "superuser"):
        assert clients[role].get(f"{STATEMENTS}{august.pk}/detail/").status_code == 200
    assert clients["staff_a"].get(f"{STATEMENTS}999999/detail/").status_code == 404


def test_a_bill_of_another_kind_has_no_detail(world, clients):
    bill = Statement.objects.get(
        agreement=world["agreements"][world["brand_a1"].pk], kind=Statement.Kind.SETUP_FEE
    )

    response = clients["finance_a1"].get(f"{STATEMENTS}{bill.pk}/detail/")

    assert (response.status_code, response.json()) == (404, {"detail": NOT_MONTHLY})


def test_anonymous_is_refused(august):
    from rest_framework.test import APIClient

    assert APIClient().get(f"{STATEMENTS}{august.pk}/detail/").status_code == 401


def test_api_root_lists_statements_once(clients):
    root = clients["staff_a"].get("/api/v1/").json()

    assert root["statements"].endswith("/api/v1/statements/")


def test_detail_is_in_the_schema_as_binary(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/statements/{id}/detail/"]["get"]

    assert operation["responses"]["200"]["content"] == {
        XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
    }
    assert "404" in operation["responses"]


def test_a_draft_shows_what_it_would_settle(world, clients):
    agreement = world["agreements"][world["brand_a1"].pk]
    sale(agreement, "JUL-1", sold_on="2026-07-05", quantity=3, channel="jd")
    draft = services.statement_generate(agreement=agreement, period=Period(2026, 7)).statement

    response = clients["staff_a"].get(f"{STATEMENTS}{draft.pk}/detail/")

    rows = _sheet(response, "销售明细")
    assert [row[3] for row in rows[1:]] == [3, 3]  # the line and the total
    assert rows[1][11] == "京东"
    assert Decimal(str(rows[1][5])) == Decimal("597")
