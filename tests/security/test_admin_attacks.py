"""Issue 11, finding 1, replayed as it was found: agency B's staff post agency A's ids
into the admin's forms. Each must be refused with a form error (or 403/404), never a
500, and change nothing of A's."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from common.models import Event
from contracts.models import Agreement
from kpis.models import KpiRecord, Promotion
from settlements import messages as smsg
from settlements.models import Expense, PenaltyWaiver, StatementRun
from tests import factories as f
from tests.security.walls import page_data, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_client(client, world):
    client.force_login(world.b.staff)
    return client


def _errors(response):
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


def test_kpi_record_on_another_agencys_agreement_is_refused(b_client, world):
    a = world.a.agreement
    events = Event.objects.count()
    response = b_client.post(
        reverse("admin:kpis_kpirecord_add"),
        {"agreement": a.pk, "period": "2026-09", "cartons_shipped": "999", "sales_amount": "1"},
    )
    assert "agreement" in _errors(response)
    assert not KpiRecord.objects.filter(agreement=a, period="2026-09").exists()
    assert Event.objects.count() == events


def test_kpi_record_outside_the_agreement_shows_the_services_refusal(b_client, world):
    url = reverse("admin:kpis_kpirecord_add")
    response = b_client.post(
        url,
        {
            **page_data(b_client.get(url)),
            "agreement": world.b.agreement.pk,
            "period": "2030-01",
            "distributors_recruited": "0",
            "cartons_shipped": "0",
            "sales_amount": "1",
            "unique_visitors": "0",
            "daily_inquiries": "0",
            "conversion_rate": "0",
        },
    )
    assert "period" in _errors(response)
    assert not KpiRecord.objects.filter(period="2030-01").exists()


def test_promotion_on_another_agencys_agreement_is_refused(b_client, world):
    response = b_client.post(
        reverse("admin:kpis_promotion_add"),
        {
            "agreement": world.a.agreement.pk,
            "code": "STOLEN",
            "name": "x",
            "starts_on": "2026-10-01",
            "ends_on": "2026-10-31",
            "approved_by_brand_on": "2026-09-30",
        },
    )
    assert "agreement" in _errors(response)
    assert not Promotion.objects.filter(code="STOLEN").exists()


def test_own_expense_cannot_be_moved_onto_another_agencys_agreement(b_client, world):
    expense = world.b.objects["expense"]
    before = snapshot(expense)
    response = b_client.post(
        reverse("admin:settlements_expense_change", args=[expense.pk]),
        {
            "agreement": world.a.agreement.pk,
            "period": "2026-09",
            "amount": "88888.00",
            "description": "x",
            "receipt_ref": "x",
            "approved_by_brand_on": "2026-09-10",
        },
    )
    assert response.status_code == 403  # a recorded expense reads only
    assert snapshot(expense) == before
    assert not Expense.objects.filter(agreement=world.a.agreement, amount=Decimal("88888.00"))


@pytest.mark.parametrize("who", ["a", "b"])
def test_adding_an_expense_answers_a_form_error_not_a_500(b_client, world, who):
    """On A's agreement the choice is refused; on B's consulting agreement the service
    refuses (expenses pass through revenue-share statements only), shown on the form."""
    if who == "a":
        agreement = world.a.agreement
    else:
        agreement = f.agreement(Agreement.Kind.CONSULTING_FIXED_FEE, brand_org=world.b.brand)
    count = Expense.objects.count()
    response = b_client.post(
        reverse("admin:settlements_expense_add"),
        {
            "agreement": agreement.pk,
            "period": "2026-10",
            "amount": "88888.00",
            "description": "推广费",
            "receipt_ref": "R-1",
            "approved_by_brand_on": "2026-10-10",
        },
    )
    errors = _errors(response)
    assert "agreement" in errors
    if who == "b":
        assert smsg.EXPENSE_KIND in errors["agreement"]
    assert Expense.objects.count() == count


def test_a_waiver_is_read_only_once_made(b_client, world):
    waiver = world.b.objects["waiver"]
    before, events = snapshot(waiver), Event.objects.count()
    url = reverse("admin:settlements_penaltywaiver_change", args=[waiver.pk])
    assert b_client.get(url).status_code == 200  # it can be read
    for statement in (world.b.objects["statement"], world.a.objects["statement"]):
        response = b_client.post(
            url, {"statement": statement.pk, "amount": "999999.00", "reason": "改"}
        )
        assert response.status_code == 403
    assert snapshot(waiver) == before
    assert Event.objects.count() == events


def test_a_waiver_goes_through_the_service_range_check_and_event(b_client, world):
    statement = world.b.objects["statement"]
    url = reverse("admin:settlements_penaltywaiver_add")
    count, events = PenaltyWaiver.objects.count(), Event.objects.count()
    too_much = b_client.post(
        url, {"statement": statement.pk, "amount": "999999.00", "reason": "客户关系"}
    )
    errors = _errors(too_much)
    assert errors["amount"] and "999999" not in str(errors["amount"])
    assert (PenaltyWaiver.objects.count(), Event.objects.count()) == (count, events)
    done = b_client.post(url, {"statement": statement.pk, "amount": "10.00", "reason": "客户关系"})
    assert done.status_code == 302
    assert PenaltyWaiver.objects.filter(statement=statement, amount=Decimal("10.00")).exists()
    assert Event.objects.filter(action="penalty.waived", object_id=statement.pk).exists()


def test_a_waiver_on_another_agencys_statement_answers_a_form_error_not_a_500(b_client, world):
    count = PenaltyWaiver.objects.count()
    response = b_client.post(
        reverse("admin:settlements_penaltywaiver_add"),
        {"statement": world.a.objects["statement"].pk, "amount": "1.00", "reason": "x"},
    )
    assert "statement" in _errors(response)
    assert PenaltyWaiver.objects.count() == count


def test_agreement_add_refuses_another_brands_products_and_another_agencys_brand(b_client, world):
    base = {
        "number": "HT-STOLEN-1",
        "kind": "revenue_share",
        "title": "x",
        "signed_on": "2026-10-01",
        "starts_on": "2026-10-01",
        "ends_on": "2027-09-30",
        "penalty_rate_per_day": "0.003",
        "renewal_term_months": "12",
        "renewal_notice_months": "1",
        "confidentiality_years": "2",
        "agency": world.b.agency.pk,
    }
    url = reverse("admin:contracts_agreement_add")
    products = b_client.post(
        url, {**base, "brand": world.b.brand.pk, "products": [world.a.objects["product"].pk]}
    )
    assert "products" in _errors(products)
    brand = b_client.post(url, {**base, "brand": world.a.brand.pk})
    assert "brand" in _errors(brand)
    assert not Agreement.objects.filter(number="HT-STOLEN-1").exists()


# --- month-end runs: by agreement scope or the starter's agency --------------------------


def test_statement_runs_in_the_admin(client, world):
    a_run, b_run, schedule = world.a.objects["run"], world.b.objects["run"], world.schedule_run
    client.force_login(world.b.staff)
    listed = client.get(reverse("admin:settlements_statementrun_changelist"))
    assert {run.pk for run in listed.context["cl"].queryset} == {b_run.pk}
    for run in (a_run, schedule):
        page = client.get(reverse("admin:settlements_statementrun_change", args=[run.pk]))
        assert page.status_code == 302 and page["Location"] == reverse("admin:index")
    one = f.agreement("revenue_share", brand_org=world.b.brand)
    by_schedule_for_b = StatementRun.objects.create(period="2026-10", agreement=one)
    listed = client.get(reverse("admin:settlements_statementrun_changelist"))
    assert {run.pk for run in listed.context["cl"].queryset} == {b_run.pk, by_schedule_for_b.pk}
    client.force_login(f.superuser())
    listed = client.get(reverse("admin:settlements_statementrun_changelist"))
    assert {a_run.pk, b_run.pk, schedule.pk} <= {run.pk for run in listed.context["cl"].queryset}


def test_statement_runs_in_the_api(world):
    api = APIClient()
    api.force_authenticate(world.b.staff)
    listed = api.get("/api/v1/statement-runs/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["id"] for row in rows} == {world.b.objects["run"].pk}
    for run in (world.a.objects["run"], world.schedule_run):
        assert api.get(f"/api/v1/statement-runs/{run.pk}/").status_code == 404
    api.force_authenticate(world.b.brand_user)
    assert api.get(f"/api/v1/statement-runs/{world.b.objects['run'].pk}/").status_code == 404
    api.force_authenticate(f.superuser())
    assert api.get(f"/api/v1/statement-runs/{world.schedule_run.pk}/").status_code == 200
