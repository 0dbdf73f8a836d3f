from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from common.models import Event
from contracts.services import product_price_set
from core.exceptions import RuleViolation
from core.periods import Period
from kpis import messages as msg
from kpis.models import FeeWaiver, KpiRecord, Promotion, SaleLine
from kpis.services import (
    ExternalRefConflict,
    kpi_evaluate,
    kpi_prefill,
    kpi_record_save,
    kpi_waive,
    sale_line_record,
    sale_lines_record,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def rs():
    agreement = f.agreement("revenue_share", activate=True)
    product = f.product(
        agreement.brand,
        sku="TEA-1",
        factory_price=Decimal("80.00"),
        distributor_price=Decimal("120.00"),
        min_retail_price=Decimal("199.00"),
    )
    return agreement, product


def _row(**kw):
    row = {
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 100,
        "unit_price": "199.00",
        "tax": "1990.00",
        "logistics": "600.00",
        "channel": "tmall",
        "external_ref": "T-1",
    }
    row.update(kw)
    return row


def test_sale_snapshots_prices_valid_on_its_date(rs):
    agreement, product = rs
    product_price_set(
        product=product,
        valid_from=date(2026, 9, 1),
        factory_price=Decimal("90.00"),
        distributor_price=Decimal("130.00"),
        min_retail_price=Decimal("209.00"),
        by=None,
    )
    august = sale_line_record(agreement=agreement, data=_row(), by=None).line
    september = sale_line_record(
        agreement=agreement,
        data=_row(sold_on="2026-09-02", unit_price="209.00", external_ref="T-2"),
        by=None,
    ).line
    assert (august.factory_price, august.distributor_price, august.min_retail_price) == (
        Decimal("80.00"),
        Decimal("120.00"),
        Decimal("199.00"),
    )
    assert (september.factory_price, september.min_retail_price) == (
        Decimal("90.00"),
        Decimal("209.00"),
    )
    # A back-dated sale after the change still takes the old prices.
    late = sale_line_record(
        agreement=agreement, data=_row(sold_on="2026-08-20", external_ref="T-3"), by=None
    ).line
    assert late.factory_price == Decimal("80.00")
    # Given prices win over the price list.
    given = sale_line_record(
        agreement=agreement, data=_row(factory_price="75.50", external_ref="T-4"), by=None
    ).line
    assert given.factory_price == Decimal("75.50")
    assert august.amount == Decimal("19900.00")


def test_price_violation_flagged_unless_approved_promotion(rs):
    agreement, _ = rs
    below = sale_line_record(
        agreement=agreement, data=_row(unit_price="150.00", external_ref="V-1"), by=None
    ).line
    at_min = sale_line_record(
        agreement=agreement, data=_row(unit_price="199.00", external_ref="V-2"), by=None
    ).line
    Promotion.objects.create(
        agreement=agreement,
        code="618",
        name="618 大促",
        starts_on=date(2026, 8, 1),
        ends_on=date(2026, 8, 31),
        approved_by_brand_on=date(2026, 7, 20),
    )
    promo = sale_line_record(
        agreement=agreement,
        data=_row(unit_price="150.00", promotion="618", external_ref="V-3"),
        by=None,
    ).line
    wholesale = sale_line_record(
        agreement=agreement,
        data=_row(unit_price="120.00", channel="经销商", external_ref="V-5"),
        by=None,
    ).line
    assert (below.price_violation, at_min.price_violation, promo.price_violation) == (
        True,
        False,
        False,
    )
    assert wholesale.price_violation is False  # distributors buy at the distributor price
    with pytest.raises(RuleViolation) as caught:
        sale_line_record(
            agreement=agreement,
            data=_row(sold_on="2026-09-01", promotion="618", external_ref="V-4"),
            by=None,
        )
    assert caught.value.errors["promotion"] == [msg.PROMOTION_DATES.format(code="618")]


def test_same_external_ref_returns_stored_line_and_different_content_conflicts(rs):
    agreement, _ = rs
    first = sale_line_record(agreement=agreement, data=_row(), by=None)
    again = sale_line_record(agreement=agreement, data=_row(), by=None)
    assert first.created and not again.created
    assert again.line.pk == first.line.pk
    assert SaleLine.objects.count() == 1
    with pytest.raises(ExternalRefConflict) as caught:
        sale_line_record(agreement=agreement, data=_row(quantity=99), by=None)
    assert str(caught.value) == msg.EXTERNAL_REF_CONFLICT.format(ref="T-1")
    assert SaleLine.objects.count() == 1


def test_external_ref_is_unique_per_agreement_not_globally(rs):
    agreement, _ = rs
    other = f.agreement("revenue_share", brand_org=agreement.brand, activate=True)
    sale_line_record(agreement=agreement, data=_row(), by=None)
    assert sale_line_record(agreement=other, data=_row(), by=None).created


def test_bulk_is_all_or_nothing_with_indexed_errors(rs):
    agreement, _ = rs
    rows = [
        _row(external_ref="B-1"),
        _row(external_ref="B-2", quantity="abc"),
        _row(external_ref="B-3", product="NOPE"),
        _row(external_ref="B-1"),
    ]
    with pytest.raises(RuleViolation) as caught:
        sale_lines_record(agreement=agreement, rows=rows, by=None)
    errors = caught.value.errors["errors"]
    assert errors == [
        {"index": 1, "quantity": [msg.NOT_AN_INTEGER]},
        {"index": 2, "product": [msg.UNKNOWN_PRODUCT.format(sku="NOPE")]},
        {"index": 3, "external_ref": [msg.EXTERNAL_REF_TWICE.format(ref="B-1", first=0)]},
    ]
    assert SaleLine.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"sold_on": "2026-13-01"}, "sold_on", msg.NOT_A_DATE),
        (
            {"sold_on": "2026-05-31"},
            "sold_on",
            msg.OUTSIDE_AGREEMENT.format(day="2026-05-31", start="2026-06-01", end="2027-05-31"),
        ),
        ({"sold_on": "2099-01-01"}, "sold_on", msg.FUTURE_DATE),
        ({"quantity": 0}, "quantity", msg.QUANTITY_ZERO),
        ({"quantity": "1.5"}, "quantity", msg.NOT_AN_INTEGER),
        ({"unit_price": "-1"}, "unit_price", msg.NEGATIVE_PRICE),
        ({"unit_price": "1.234"}, "unit_price", msg.NOT_AN_AMOUNT),
        ({"unit_price": ""}, "unit_price", msg.REQUIRED),
        ({"channel": "淘宝"}, "channel", msg.UNKNOWN_CHANNEL.format(value="淘宝")),
        ({"quantity": -2, "tax": "10.00"}, "tax", msg.SIGN_MISMATCH),
    ],
)
def test_bad_rows_refused_with_field_message(rs, override, field, message):
    agreement, _ = rs
    with pytest.raises(RuleViolation) as caught:
        sale_line_record(agreement=agreement, data=_row(**override), by=None)
    assert caught.value.errors[field] == [message]


def test_return_line_with_negative_quantity_tax_logistics(rs):
    agreement, _ = rs
    line = sale_line_record(
        agreement=agreement,
        data=_row(
            quantity=-3, tax="-59.70", logistics="-18.00", channel="京东", external_ref="R-1"
        ),
        by=None,
    ).line
    assert (line.quantity, line.amount, line.channel) == (-3, Decimal("-597.00"), "jd")


def test_consulting_agreement_has_no_sales():
    agreement = f.agreement("consulting_fixed_fee", activate=True)
    f.product(agreement.brand, sku="TEA-1")
    with pytest.raises(RuleViolation) as caught:
        sale_line_record(agreement=agreement, data=_row(), by=None)
    assert caught.value.errors["agreement"] == [msg.NO_SALES_FOR_KIND]


# --- KPIs ---------------------------------------------------------------------------------


@pytest.fixture
def b2b():
    agreement = f.agreement(
        "b2b_commission",
        activate=True,
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        terms={
            "monthly_service_fee": Decimal("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": Decimal("100000.00"),
        },
    )
    f.product(agreement.brand, sku="TEA-1", units_per_carton=20)
    return agreement


def _kpi(agreement, period="2026-08", **values):
    base = {
        "distributors_recruited": 5,
        "cartons_shipped": Decimal("200"),
        "sales_amount": Decimal("100000.00"),
        "unique_visitors": 500,
        "daily_inquiries": Decimal("10"),
        "conversion_rate": Decimal("0.015"),
        "baidu_first_page": True,
        "google_first_page": True,
    }
    base.update(values)
    return kpi_record_save(agreement=agreement, period=period, values=base, by=None)


def test_prefill_from_sale_lines(b2b):
    sale_lines_record(
        agreement=b2b,
        by=None,
        rows=[
            _row(
                quantity=100,
                unit_price="120.00",
                tax="0",
                logistics="0",
                distributor="福州经销商A",
                external_ref="P-1",
                sold_on="2026-07-10",
            ),
            _row(
                quantity=300,
                unit_price="120.00",
                tax="0",
                logistics="0",
                distributor="福州经销商A",
                external_ref="P-2",
            ),
            _row(
                quantity=100,
                unit_price="120.00",
                tax="0",
                logistics="0",
                distributor="厦门经销商B",
                external_ref="P-3",
            ),
            _row(
                quantity=-20,
                unit_price="120.00",
                tax="0",
                logistics="0",
                distributor="厦门经销商B",
                external_ref="P-4",
            ),
        ],
    )
    prefill = kpi_prefill(agreement=b2b, period=Period(2026, 8))
    assert prefill == {
        "cartons_shipped": Decimal("19.00"),
        "sales_amount": Decimal("45600.00"),
        "distributors_recruited": 1,
    }


@pytest.mark.parametrize(
    ("values", "missed"),
    [
        ({}, ()),  # reaching each minimum exactly meets it
        ({"distributors_recruited": 4}, ("distributors",)),
        ({"cartons_shipped": Decimal("199.99")}, ("cartons",)),
        ({"sales_amount": Decimal("99999.99")}, ("sales_amount",)),
        (
            {
                "distributors_recruited": 0,
                "cartons_shipped": Decimal("0"),
                "sales_amount": Decimal("0"),
            },
            ("distributors", "cartons", "sales_amount"),
        ),
    ],
)
def test_evaluation_of_each_minimum(b2b, values, missed):
    record = _kpi(b2b, **values)
    evaluation = kpi_evaluate(agreement=b2b, period=Period(2026, 8), record=record)
    assert evaluation.missed == missed
    assert evaluation.minimums_met is (missed == ())


def test_no_kpi_record_misses_every_minimum(b2b):
    evaluation = kpi_evaluate(agreement=b2b, period=Period(2026, 8))
    assert evaluation.missed == ("distributors", "cartons", "sales_amount")


@pytest.mark.parametrize(
    ("period", "applies"),
    [
        ("2026-06", False),
        ("2026-07", False),
        ("2026-08", False),
        ("2026-09", True),
        ("2026-10", True),
    ],
)
def test_web_targets_from_the_fourth_month(b2b, period, applies):
    record = _kpi(b2b, period=period)
    evaluation = kpi_evaluate(agreement=b2b, period=Period.parse(period), record=record)
    assert evaluation.web_targets_apply is applies
    if applies:
        assert all(evaluation.web_targets.values())


@pytest.mark.parametrize(
    ("values", "failed"),
    [
        ({"baidu_first_page": False}, "baidu_first_page"),
        ({"google_first_page": False}, "google_first_page"),
        ({"unique_visitors": 499}, "unique_visitors"),
        ({"daily_inquiries": Decimal("9.99")}, "daily_inquiries"),
        ({"conversion_rate": Decimal("0.0149")}, "conversion_rate"),
    ],
)
def test_each_web_target(b2b, values, failed):
    record = _kpi(b2b, period="2026-09", **values)
    evaluation = kpi_evaluate(agreement=b2b, period=Period(2026, 9), record=record)
    assert [name for name, ok in evaluation.web_targets.items() if not ok] == [failed]
    assert evaluation.minimums_met  # web targets move no money


def test_kpi_record_is_unique_per_month_and_corrections_are_logged(b2b):
    _kpi(b2b)
    _kpi(b2b, distributors_recruited=6)
    assert KpiRecord.objects.get(agreement=b2b, period="2026-08").distributors_recruited == 6
    assert list(Event.objects.filter(object_type="kpirecord").values_list("action", flat=True)) == [
        "kpi.corrected",
        "kpi.created",
    ]
    with pytest.raises(RuleViolation) as caught:
        kpi_record_save(agreement=b2b, period="2026/08", values={}, by=None)
    assert caught.value.errors["period"] == [msg.PERIOD_INVALID]
    with pytest.raises(RuleViolation) as caught:
        _kpi(b2b, conversion_rate=Decimal("1.5"))
    assert "conversion_rate" in caught.value.errors


def test_waiver_by_brand_finance_or_staff_with_consent(b2b):
    record = _kpi(b2b, distributors_recruited=2)
    viewer = f.user(b2b.brand, User.Role.BRAND_VIEWER)
    finance = f.user(b2b.brand, User.Role.BRAND_FINANCE)
    other_finance = f.user(f.brand(b2b.agency), User.Role.BRAND_FINANCE)
    staff = f.user(b2b.agency, User.Role.AGENCY_STAFF)
    for user in (viewer, other_finance):
        with pytest.raises(RuleViolation) as caught:
            kpi_waive(record=record, reason="ok", by=user)
        assert caught.value.errors["non_field_errors"] == [msg.WAIVER_NOT_ALLOWED]
    with pytest.raises(RuleViolation) as caught:
        kpi_waive(record=record, reason="ok", by=staff)
    assert caught.value.errors["consent_ref"] == [msg.CONSENT_REF_REQUIRED]
    with pytest.raises(RuleViolation) as caught:
        kpi_waive(record=record, reason=" ", by=finance)
    assert caught.value.errors["reason"] == [msg.REASON_REQUIRED]
    kpi_waive(record=record, reason="国庆备货，指标顺延", by=finance)
    kpi_waive(record=record, reason="书面同意", consent_ref="函-2026-09", by=staff)
    assert FeeWaiver.objects.filter(kpi_record=record).count() == 2
    event = Event.objects.filter(action="kpi.fee_withholding_waived").order_by("pk").first()
    assert (event.actor, event.message) == (finance, "国庆备货，指标顺延")


def test_nothing_to_waive_when_minimums_met(b2b):
    record = _kpi(b2b)
    finance = f.user(b2b.brand, User.Role.BRAND_FINANCE)
    with pytest.raises(RuleViolation) as caught:
        kpi_waive(record=record, reason="x", by=finance)
    assert caught.value.errors["non_field_errors"] == [msg.NOTHING_WITHHELD]


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"unit_price": "1e30"}, "unit_price", msg.NOT_AN_AMOUNT),
        ({"unit_price": "1000000000000.00"}, "unit_price", msg.NOT_AN_AMOUNT),
        ({"tax": "NaN"}, "tax", msg.NOT_AN_AMOUNT),
        ({"quantity": "3000000000"}, "quantity", msg.NOT_AN_INTEGER),
        ({"quantity": "Infinity"}, "quantity", msg.NOT_AN_INTEGER),
        ({"quantity": "1e999999999"}, "quantity", msg.NOT_AN_INTEGER),
        ({"unit_price": "1e999999999"}, "unit_price", msg.NOT_AN_AMOUNT),
    ],
)
def test_values_the_database_cannot_hold_are_refused(rs, override, field, message):
    agreement, _ = rs
    with pytest.raises(RuleViolation) as caught:
        sale_line_record(agreement=agreement, data=_row(**override), by=None)
    assert caught.value.errors[field] == [message]
