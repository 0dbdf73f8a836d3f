"""Agreements refuse what cannot be true, in the services (so the admin and the API alike):
another brand's products, a termination before records already made, blank money terms
activated without confirmation."""

from datetime import date
from decimal import Decimal as D

import pytest

from contracts import validation as msg
from contracts.models import Agreement
from contracts.selectors import BillPreview, activation_summary
from contracts.services import (
    agreement_activate,
    agreement_terminate,
    agreement_update,
)
from core.exceptions import RuleViolation
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from settlements.models import Statement
from settlements.services import statement_generate
from tests import factories as f

pytestmark = pytest.mark.django_db

FEE = {"monthly_service_fee": D("8000.00")}


def _refused(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(RuleViolation) as caught:
        call(**kwargs)
    return caught.value.errors


# --- products of another brand ------------------------------------------------------------


def test_products_of_another_brand_are_refused_on_create_and_update():
    brand = f.brand()
    other = f.brand(brand.agency)
    own, foreign = f.product(brand, sku="OWN-1"), f.product(other, sku="FOREIGN-1")
    fields = {"number": "HT-P-1", "brand_org": brand}
    assert _refused(f.agreement, products=[own, foreign], **fields) == {
        "products": [msg.PRODUCT_OTHER_BRAND.format(sku="FOREIGN-1")]
    }
    assert not Agreement.objects.exists()
    agreement = f.agreement(products=[own], **fields)
    assert _refused(
        agreement_update, agreement=agreement, by=None, fields={}, products=[foreign]
    ) == {"products": [msg.PRODUCT_OTHER_BRAND.format(sku="FOREIGN-1")]}
    # Moving the agreement to another brand while it keeps this brand's product is the
    # same untruth, seen from the other side.
    assert _refused(agreement_update, agreement=agreement, by=None, fields={"brand": other}) == {
        "products": [msg.PRODUCT_OTHER_BRAND.format(sku="OWN-1")]
    }
    agreement.refresh_from_db()
    assert (agreement.brand, list(agreement.products.all())) == (brand, [own])
    agreement_update(agreement=agreement, by=None, fields={"brand": other}, products=[foreign])
    assert list(agreement.products.all()) == [foreign]


# --- termination before records already made --------------------------------------------


@pytest.fixture
def b2b():
    agreement = f.agreement("b2b_commission", activate=True, terms=FEE)
    f.product(agreement.brand, sku="TEA-1")
    return agreement


def _sale(agreement, day, ref):
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": "TEA-1",
            "sold_on": day,
            "quantity": 10,
            "unit_price": "120.00",
            "channel": "经销商",
            "distributor": "A",
            "external_ref": ref,
        },
    )


def _terminate(agreement, on):
    return agreement_terminate(agreement=agreement, on=on, reason="双方协商", by=None)


def test_termination_before_kpi_records_sales_or_statements_is_refused(b2b):
    kpi_record_save(agreement=b2b, period="2026-10", values={}, by=None)
    kpi_record_save(agreement=b2b, period="2026-11", values={}, by=None)
    for n, day in enumerate(["2026-10-03", "2026-10-09", "2026-11-02"]):
        _sale(b2b, day, f"S-{n}")
    statement_generate(agreement=b2b, period=Period(2026, 10))
    errors = _refused(_terminate, agreement=b2b, on=date(2026, 9, 30))
    assert errors == {
        "on": [
            msg.TERMINATION_BEFORE_RECORDS.format(
                on="2026-09-30",
                found_zh="2 条指标记录（2026-10、2026-11）、3 条销售记录（自 2026-10-03 起）"
                "、1 张月度对账单（2026-10）",
                found_en="2 KPI records (2026-10, 2026-11), 3 sale lines from 2026-10-03, "
                "1 monthly statement (2026-10)",
            )
        ]
    }
    # The month holding the termination date may keep its records.
    errors = _refused(_terminate, agreement=b2b, on=date(2026, 10, 31))
    assert errors == {
        "on": [
            msg.TERMINATION_BEFORE_RECORDS.format(
                on="2026-10-31",
                found_zh="1 条指标记录（2026-11）、1 条销售记录（自 2026-11-02 起）",
                found_en="1 KPI record (2026-11), 1 sale line from 2026-11-02",
            )
        ]
    }
    b2b.refresh_from_db()
    assert (b2b.status, b2b.terminated_on) == (Agreement.Status.ACTIVE, None)
    _terminate(b2b, date(2026, 11, 2))
    b2b.refresh_from_db()
    assert (b2b.status, b2b.terminated_on) == (Agreement.Status.TERMINATED, date(2026, 11, 2))


def test_a_void_statement_does_not_hold_a_termination_back(b2b):
    statement = statement_generate(agreement=b2b, period=Period(2026, 10)).statement
    Statement.objects.filter(pk=statement.pk).update(status=Statement.Status.VOID)
    _terminate(b2b, date(2026, 9, 30))
    b2b.refresh_from_db()
    assert b2b.terminated_on == date(2026, 9, 30)


# --- blank money terms ----------------------------------------------------------------------


def test_blank_b2b_terms_are_activated_only_when_confirmed():
    draft = f.agreement("b2b_commission")
    assert _refused(agreement_activate, agreement=draft, by=None) == {
        "confirm": [
            msg.BLANK_TERMS_UNCONFIRMED.format(
                blank_zh="月服务费 ¥0.00、最低指标均为 0",
                blank_en="monthly service fee ¥0.00, every minimum 0 (distributors, cartons, "
                "sales amount)",
                billed_zh="暂无一次性账单；每月：经销商销售佣金（无服务费）",
                billed_en="nothing now; every month: commission on distributor sales only, "
                "no service fee",
            )
        ]
    }
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.DRAFT
    agreement_activate(agreement=draft, by=None, confirm_blank_terms=True)
    draft.refresh_from_db()
    assert draft.status == Agreement.Status.ACTIVE


@pytest.mark.parametrize(
    ("kind", "terms", "blank"),
    [
        ("b2b_commission", FEE, False),
        ("b2b_commission", {"min_cartons": 100}, False),
        ("revenue_share", {}, False),
        ("revenue_share", {"setup_fee": D("0")}, False),
        ("revenue_share", {"setup_fee": D("0"), "agency_ratio": D("0")}, True),
    ],
)
def test_which_terms_are_blank(kind, terms, blank):
    draft = f.agreement(kind, terms=terms)
    assert bool(activation_summary(draft).blank) is blank
    if blank:
        assert set(_refused(agreement_activate, agreement=draft, by=None)) == {"confirm"}
    else:
        agreement_activate(agreement=draft, by=None)


def test_a_consulting_fee_of_zero_stays_refused_even_confirmed():
    draft = f.agreement("consulting_fixed_fee", terms={"total_fee": D("0")})
    assert _refused(agreement_activate, agreement=draft, by=None, confirm_blank_terms=True) == {
        "terms.total_fee": [msg.TOTAL_FEE_REQUIRED]
    }


def test_the_summary_names_the_one_off_bills_and_the_monthly_bill():
    revenue_share = activation_summary(f.agreement("revenue_share"))
    # Signed 2026-05-20: due 3 calendar days later, Saturday 05-23, moved to Monday.
    assert revenue_share.bills == (
        BillPreview(
            ("网络销售平台开办费", "Sales platform setup fee"),
            D("10000.00"),
            date(2026, 5, 25),
            True,
        ),
    )
    assert revenue_share.monthly == ("月利润的 30%", "30% of the month's profit")
    consulting = activation_summary(f.agreement("consulting_fixed_fee"))
    assert [(b.amount, b.due_on, b.at_activation) for b in consulting.bills] == [
        (D("25000.00"), date(2026, 5, 25), True),  # 3 working days after signing
        (D("25000.00"), date(2027, 6, 3), False),  # 3 working days after the end
    ]
    assert consulting.bills_now == consulting.bills[:1]
    b2b = activation_summary(f.agreement("b2b_commission", terms=FEE))
    assert (b2b.blank, b2b.bills) == ((), ())
    assert b2b.monthly[1] == (
        "service fee ¥8,000.00 (withheld in a month a minimum is missed) "
        "+ commission on distributor sales"
    )
