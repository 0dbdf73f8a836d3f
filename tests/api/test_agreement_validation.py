"""Over HTTP, agreements refuse what cannot be true with a 400 and the service's message:
another brand's products, a termination before records already made, blank money terms
activated without ``confirm``; and reads of data that is already that way answer, not 500."""

from datetime import date
from decimal import Decimal

from contracts import validation as msg
from contracts.models import Agreement
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from settlements.models import Statement
from settlements.services import statement_generate
from tests import factories as f
from tests.api.test_contracts_api import _agreement_payload

AGREEMENTS = "/api/v1/agreements/"
KPIS = "/api/v1/kpis/"
STATEMENTS = "/api/v1/statements/"


def _post(client, url, data=None):
    return client.post(url, data if data is not None else {}, format="json")


def _b2b(world):
    return f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        activate=True,
        terms={"monthly_service_fee": Decimal("8000.00")},
    )


def _terminate_in_the_table(agreement, on):
    """A termination as it could be saved before the rule existed."""
    Agreement.objects.filter(pk=agreement.pk).update(
        status=Agreement.Status.TERMINATED, terminated_on=on
    )


def test_products_of_another_brand_are_400_on_post_and_patch(world, clients):
    staff = clients["staff_a"]
    own = world["brand_a1"].products.get()
    foreign = world["brand_a2"].products.get()
    refused = {"products": [msg.PRODUCT_OTHER_BRAND.format(sku="TEA-1")]}
    response = _post(staff, AGREEMENTS, _agreement_payload(world, products=[own.pk, foreign.pk]))
    assert (response.status_code, response.json()) == (400, refused)
    created = _post(staff, AGREEMENTS, _agreement_payload(world, products=[own.pk]))
    assert created.status_code == 201, created.json()
    url = f"{AGREEMENTS}{created.json()['id']}/"
    response = staff.patch(url, {"products": [foreign.pk]}, format="json")
    assert (response.status_code, response.json()) == (400, refused)
    # Another brand, keeping this brand's product: refused the same way.
    response = staff.patch(url, {"brand": world["brand_a2"].pk}, format="json")
    assert (response.status_code, response.json()) == (400, refused)
    body = staff.get(url).json()
    assert (body["brand"], body["products"]) == (world["brand_a1"].pk, [own.pk])


def test_termination_before_existing_records_is_400(world, clients):
    agreement = _b2b(world)
    kpi_record_save(agreement=agreement, period="2026-10", values={}, by=None)
    sale_line_record(
        agreement=agreement,
        by=None,
        data={"product": "TEA-1", "sold_on": "2026-10-03", "quantity": 1, "unit_price": "120"},
    )
    response = _post(
        clients["staff_a"],
        f"{AGREEMENTS}{agreement.pk}/terminate/",
        {"on": "2026-09-30", "reason": "品牌方战略调整"},
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "on": [
                msg.TERMINATION_BEFORE_RECORDS.format(
                    on="2026-09-30",
                    found_zh="1 条指标记录（2026-10）、1 条销售记录（自 2026-10-03 起）",
                    found_en="1 KPI record (2026-10), 1 sale line from 2026-10-03",
                )
            ]
        },
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE


def test_activating_blank_terms_needs_confirm(world, clients):
    staff = clients["staff_a"]
    draft = f.agreement("b2b_commission", brand_org=world["brand_a1"])
    url = f"{AGREEMENTS}{draft.pk}/activate/"
    response = _post(staff, url)
    assert response.status_code == 400
    assert list(response.json()) == ["confirm"]
    [message] = response.json()["confirm"]
    assert message.startswith("以下金额条款为空：月服务费 ¥0.00、最低指标均为 0。")
    assert "These money terms are blank: monthly service fee ¥0.00" in message
    assert message.endswith('Send {"confirm": true} to activate anyway.')
    assert set(_post(staff, url, {"confirm": "perhaps"}).json()) == {"confirm"}
    assert _post(staff, url, {"confirm": False}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT
    response = _post(staff, url, {"confirm": True})
    assert (response.status_code, response.json()["status"]) == (200, "active")


def test_activating_terms_that_are_not_blank_needs_no_confirm(world, clients):
    draft = f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    response = _post(clients["staff_a"], f"{AGREEMENTS}{draft.pk}/activate/")
    assert (response.status_code, response.json()["status"]) == (200, "active")


def test_kpi_list_shows_a_month_after_termination_without_evaluation(world, clients):
    agreement = _b2b(world)
    kpi_record_save(agreement=agreement, period="2026-10", values={}, by=None)
    kpi_record_save(agreement=agreement, period="2026-09", values={}, by=None)
    _terminate_in_the_table(agreement, date(2026, 9, 30))
    response = clients["staff_a"].get(KPIS, {"agreement": agreement.pk})
    assert response.status_code == 200
    rows = {row["period"]: row for row in response.json()["results"]}
    assert (rows["2026-10"]["evaluation"], rows["2026-10"]["evaluation_unavailable"]) == (
        None,
        msg.PERIOD_OUTSIDE_AGREEMENT.format(
            period="2026-10", starts_on="2026-06-01", ends_on="2026-09-30"
        ),
    )
    assert rows["2026-09"]["evaluation"]["minimums_met"] is True
    assert rows["2026-09"]["evaluation_unavailable"] is None


def test_correcting_a_statement_of_a_month_after_termination_is_400(world, clients):
    agreement = _b2b(world)
    statement = statement_generate(agreement=agreement, period=Period(2026, 10)).statement
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.VOID)
    _terminate_in_the_table(agreement, date(2026, 9, 30))
    response = _post(clients["staff_a"], f"{STATEMENTS}{statement.pk}/correct/")
    assert (response.status_code, response.json()) == (
        400,
        {
            "period": [
                msg.PERIOD_OUTSIDE_AGREEMENT.format(
                    period="2026-10", starts_on="2026-06-01", ends_on="2026-09-30"
                )
            ]
        },
    )
    assert not Statement.objects.filter(previous_version=statement).exists()
