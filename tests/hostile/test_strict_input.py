"""Amounts, days and months are read strictly: what Python would also read ("1_000",
full-width digits, "1e2", the year 1 or 9999) is a typo to refuse, not a value to bill."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from common.api.fields import MoneyField, RateField, day_in_range
from core.messages import AMOUNT_FORMAT, DATE_RANGE, PERIOD_RANGE
from core.periods import Period, PeriodOutOfRange
from kpis import messages as kpis_msg
from kpis.models import KpiRecord, SaleLine
from settlements.models import Payment

PAYMENTS, SALES, PRODUCTS, KPIS = (
    "/api/v1/payments/",
    "/api/v1/sales/",
    "/api/v1/products/",
    "/api/v1/kpis/",
)
DAY_RANGE = DATE_RANGE.format(first="2000-01-01", last="2100-12-31")


@pytest.mark.parametrize("text", ["1_000", "１２３.００", "1e2", "1E2", "Infinity", "NaN", "1.2.3"])
def test_money_and_rate_fields_refuse_what_decimal_would_read(text):
    for field in (MoneyField(), RateField()):
        with pytest.raises(serializers.ValidationError) as refused:
            field.run_validation(text)
        assert refused.value.detail == [AMOUNT_FORMAT]


@pytest.mark.parametrize(("text", "value"), [("12", "12"), ("-1.5", "-1.5"), (" 0.30 ", "0.30")])
def test_money_field_still_reads_plain_decimals(text, value):
    assert MoneyField().run_validation(text) == Decimal(value)
    assert MoneyField().run_validation(12) == Decimal("12")


@pytest.mark.parametrize("amount", ["1_000", "１２３.００"])
def test_a_payment_amount_in_odd_digits_is_400(world, clients, issued, amount):
    body = {"statement": issued.pk, "amount": amount, "paid_on": "2026-09-25"}
    response = clients["staff_a"].post(PAYMENTS, body, format="json")
    assert (response.status_code, response.json()) == (400, {"amount": [AMOUNT_FORMAT]})
    assert not Payment.objects.exists()


@pytest.mark.parametrize("paid_on", ["0001-01-01", "1999-12-31"])
def test_a_payment_dated_before_2000_is_400(world, clients, issued, paid_on):
    body = {"statement": issued.pk, "amount": "1.00", "paid_on": paid_on}
    response = clients["staff_a"].post(PAYMENTS, body, format="json")
    assert (response.status_code, response.json()) == (400, {"paid_on": [DAY_RANGE]})


def test_declared_date_fields_check_the_range_too(world, clients):
    response = clients["superuser"].post(
        "/api/v1/daily-runs/", {"until": "0001-01-01"}, format="json"
    )
    assert (response.status_code, response.json()) == (400, {"until": [DAY_RANGE]})


def test_day_in_range_bounds():
    from datetime import date

    day_in_range(date(2000, 1, 1))
    day_in_range(date(2100, 12, 31))
    with pytest.raises(serializers.ValidationError):
        day_in_range(date(2101, 1, 1))


def test_a_price_written_1e2_is_400(world, clients):
    body = {
        "brand": world["brand_a1"].pk,
        "sku": "TEA-2",
        "name": "茶",
        "factory_price": "1e2",
        "distributor_price": "120.00",
        "min_retail_price": "199.00",
    }
    response = clients["staff_a"].post(PRODUCTS, body, format="json")
    assert (response.status_code, response.json()) == (400, {"factory_price": [AMOUNT_FORMAT]})


@pytest.mark.parametrize("text", ["1_000", "１２３.００", "1e2"])
def test_a_sale_price_or_quantity_in_odd_digits_is_400(world, clients, text):
    agreement = world["agreements"][world["brand_a1"].pk]
    sale = {
        "agreement": agreement.pk,
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 1,
        "unit_price": text,
        "channel": "tmall",
    }
    price = clients["staff_a"].post(SALES, sale, format="json")
    assert (price.status_code, price.json()) == (400, {"unit_price": [kpis_msg.NOT_AN_AMOUNT]})
    quantity = clients["staff_a"].post(
        SALES, {**sale, "unit_price": "199.00", "quantity": text}, format="json"
    )
    assert (quantity.status_code, quantity.json()) == (
        400,
        {"quantity": [kpis_msg.NOT_AN_INTEGER]},
    )
    assert not SaleLine.objects.exists()


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "1999-12", "2101-01"])
def test_periods_outside_2000_to_2100_are_refused(text):
    with pytest.raises(PeriodOutOfRange):
        Period.parse(text)


def test_edges_of_the_period_range_parse():
    assert Period.parse("2000-01") == Period(2000, 1)
    assert Period.parse("2100-12") == Period(2100, 12)


def test_a_kpi_record_for_9999_12_is_400(world, clients):
    agreement = world["agreements"][world["brand_a1"].pk]
    body = {"agreement": agreement.pk, "period": "9999-12", "distributors_recruited": 1}
    response = clients["staff_a"].post(KPIS, body, format="json")
    message = PERIOD_RANGE.format(first="2000-01", last="2100-12")
    assert (response.status_code, response.json()) == (400, {"period": [message]})
    assert not KpiRecord.objects.exists()
