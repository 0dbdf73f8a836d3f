"""A brand (or another agency) can never reach someone else's objects through the API.

For every resource registered on the router, an object belonging to brand A1 is requested
with every method and every detail action (the PDF download included) by brand B1's
finance token, brand A2's finance token and agency B's staff token. Each answer must be
404 and identical to the answer for an id that does not exist, so nothing leaks.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken
from banking.services import bank_transaction_create
from common.models import Event
from config.api_urls import router
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from obligations.breach import breach_notice_send
from obligations.models import Obligation
from receivables.services import balance_confirmation_issue
from settlements import services
from settlements.models import Expense, Payment, Statement, StatementRun

pytestmark = pytest.mark.django_db

OUTSIDERS = ["finance_b1", "finance_a2", "staff_b"]
MISSING_ID = 987654321
# Shared reference data, not any brand's: every user may read the calendar. Daily runs
# cover the whole installation: brand users never see them, and staff see only their own
# agency's part of each summary (tests/api/test_daily_runs.py checks that wall).
NOT_BRAND_DATA = {"holidays", "daily-runs"}


def _objects_of_brand_a1(world):
    """One object of each resource belonging to brand A1 (and agency A)."""
    brand = world["brand_a1"]
    agreement = world["agreements"][brand.pk]
    staff = world["users"]["staff_a"]
    line = sale_line_record(
        agreement=agreement,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": "M-1",
        },
    ).line
    kpi = kpi_record_save(agreement=agreement, period="2026-08", values={}, by=staff)
    statement = services.statement_generate(
        agreement=agreement, period=Period(2026, 8), by=staff
    ).statement
    statement = services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    payment = services.payment_record(
        statement=statement, amount=Decimal("100.00"), paid_on=date(2026, 9, 9), by=staff
    ).payment
    expense = services.expense_record(
        agreement=agreement,
        period=Period(2026, 8),
        amount=Decimal("50"),
        description="推广",
        receipt_ref="R1",
        approved_by_brand_on=date(2026, 8, 1),
        by=staff,
    )
    invoice = services.invoice_record(
        statement=statement,
        kind="vat_normal_paper",
        number="00000001",
        issued_on=date(2026, 9, 9),
        amount=Decimal("100.00"),
        tax_amount=Decimal("5.66"),
        file=SimpleUploadedFile("fp.pdf", b"%PDF-1.4 invoice"),
        by=staff,
    )
    run = services.statement_run_start(
        period="2026-08", by=staff, agreement=agreement, dispatch=False
    )
    token = ApiToken.objects.filter(user=world["users"]["finance_a1"]).first()
    credit = bank_transaction_create(
        agency=agreement.agency,
        data={"booked_on": date(2026, 9, 25), "amount": Decimal("10.00"), "bank_ref": "M-BANK-1"},
        by=staff,
    ).transaction
    return {
        "organizations": brand,
        "users": world["users"]["finance_a1"],
        "tokens": token,
        "products": brand.products.first(),
        "agreements": agreement,
        "sales": line,
        "kpis": kpi,
        "statements": statement,
        "payments": payment,
        "expenses": expense,
        "invoices": invoice,
        "statement-runs": run,
        "events": Event.objects.filter(agreement=agreement).first(),
        "obligations": Obligation.objects.filter(agreement=agreement).first(),
        "breach-notices": breach_notice_send(
            agreement=agreement,
            by="agency",
            sent_on=date(2026, 9, 1),
            description="未按约定提交月度推广计划",
            user=staff,
        ),
        "bank-transactions": credit,
        # receivables/ has no detail route: an id under it answers 404 like any path.
        "receivables": statement,
        "balance-confirmations": balance_confirmation_issue(
            brand=brand, as_of=date(2026, 10, 1), by=staff
        ),
    }


def _requests(prefix, viewset, pk):
    base = f"/api/v1/{prefix}/{pk}/"
    yield "get", base
    for method in ("put", "patch", "delete"):
        yield method, base
    for action in viewset.get_extra_actions():
        if not action.detail:
            continue
        path = f"{base}{action.url_path}/"
        for method in action.mapping:
            yield method, path


def _call(client, method, path):
    response = (
        getattr(client, method)(path, {}, format="json") if method != "get" else client.get(path)
    )
    body = response.content if response["Content-Type"].startswith("application/json") else b""
    return response.status_code, body


def test_every_resource_is_registered_with_a_foreign_object(world, clients):
    objects = _objects_of_brand_a1(world)
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert prefixes - NOT_BRAND_DATA <= set(objects), prefixes - set(objects)
    assert all(obj is not None for obj in objects.values())


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_for_every_method_and_action(
    world, clients, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        objects = _objects_of_brand_a1(world)
    clients["finance_a1"]  # makes a token of brand A1 exist for the tokens row
    objects["tokens"] = ApiToken.objects.filter(user=world["users"]["finance_a1"]).first()
    client = clients[outsider]
    checked = 0
    for prefix, viewset, _basename in router.registry:
        if prefix in NOT_BRAND_DATA:
            continue
        obj = objects[prefix]
        for (method, path), (_m, missing_path) in zip(
            _requests(prefix, viewset, obj.pk), _requests(prefix, viewset, MISSING_ID), strict=True
        ):
            status, body = _call(client, method, path)
            missing_status, missing_body = _call(client, method, missing_path)
            assert status in (404, 405), f"{outsider} {method.upper()} {path} → {status}"
            assert (status, body) == (missing_status, missing_body), (
                f"{method.upper()} {path} leaks"
            )
            checked += 1
        # And the lists never show it.
        listing = client.get(f"/api/v1/{prefix}/")
        if listing.status_code == 200 and prefix == "receivables":
            ids = {row["statement"] for row in listing.json()["items"]}
            assert obj.pk not in ids, f"{outsider} sees statement {obj.pk} in receivables"
        elif listing.status_code == 200:
            ids = {row.get("id") for row in listing.json()["results"]}
            assert obj.pk not in ids, f"{outsider} sees {prefix} {obj.pk} in the list"
    assert checked > 40
    # Nothing was changed by all those attempts.
    assert Statement.objects.get(pk=objects["statements"].pk).status == "issued"
    assert Payment.objects.filter(pk=objects["payments"].pk).exists()
    assert Expense.objects.filter(pk=objects["expenses"].pk).exists()
    assert StatementRun.objects.filter(pk=objects["statement-runs"].pk).exists()
