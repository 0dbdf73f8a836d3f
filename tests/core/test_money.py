"""Tests for core.money: rounding, shares, commission, installments, penalties, capitals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    AMOUNT_NOT_FINITE,
    FLOAT_NOT_MONEY,
    INSTALLMENT_PERCENT_NEGATIVE,
    INSTALLMENTS_NOT_100,
    NOT_AN_AMOUNT,
    PAYMENT_AMOUNT_NOT_POSITIVE,
    PENALTY_RATE_NEGATIVE,
    PRINCIPAL_NEGATIVE,
    PRORATE_DAYS_OUT_OF_RANGE,
    SHARE_RATIO_OUT_OF_RANGE,
    CommissionLine,
    Payment,
    ProfitSplit,
    amount_in_chinese_capitals,
    commission_total,
    days_overdue,
    installment_amounts,
    line_profit,
    outstanding_at_start_of,
    penalty_as_of,
    prorate,
    quantize_money,
    split_profit,
    termination_right_held,
    to_money,
)

D = Decimal

# DOMAIN.md worked example: agency share 2,793.00 due 2026-09-20 at 0.3% per day.
EXAMPLE_PRINCIPAL = D("2793.00")
EXAMPLE_DUE = date(2026, 9, 20)
EXAMPLE_RATE = D("0.003")
EXAMPLE_PAYMENTS = (
    Payment(paid_on=date(2026, 9, 25), amount=D("1000.00")),
    Payment(paid_on=date(2026, 10, 12), amount=D("1793.00")),
)

cents = st.integers(min_value=0, max_value=10**10).map(lambda n: D(n) / 100)
positive_cents = st.integers(min_value=1, max_value=10**10).map(lambda n: D(n) / 100)
rates = st.sampled_from([D("0"), D("0.003"), D("0.005"), D("0.0005"), D("0.01")])
days_offsets = st.integers(min_value=-40, max_value=120)


# --- rounding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("2.345"), D("2.35")),
        (D("2.344999"), D("2.34")),
        (D("2.335"), D("2.34")),
        (D("2.325"), D("2.33")),  # banker's rounding would give 2.32
        (D("0.005"), D("0.01")),
        (D("-2.345"), D("-2.35")),
        (D("133.338"), D("133.34")),
        (D("7"), D("7.00")),
        (7, D("7.00")),
        (D("1E+3"), D("1000.00")),
    ],
)
def test_quantize_money_rounds_half_up_to_cents(value: Decimal | int, expected: Decimal) -> None:
    result = quantize_money(value)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_quantize_money_refuses_float() -> None:
    with pytest.raises(TypeError) as excinfo:
        quantize_money(2.345)  # type: ignore[arg-type]
    assert str(excinfo.value) == FLOAT_NOT_MONEY.format(value=2.345)


def test_quantize_money_refuses_non_finite() -> None:
    with pytest.raises(ValueError) as excinfo:
        quantize_money(D("NaN"))
    assert str(excinfo.value) == AMOUNT_NOT_FINITE.format(value=D("NaN"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2793", D("2793.00")),
        (" 133.338 ", D("133.34")),
        (10000, D("10000.00")),
        (D("0.5"), D("0.50")),
    ],
)
def test_to_money_parses_and_quantizes(value: Decimal | int | str, expected: Decimal) -> None:
    assert to_money(value) == expected


def test_to_money_refuses_garbage_and_float() -> None:
    with pytest.raises(ValueError) as excinfo:
        to_money("12,5")
    assert str(excinfo.value) == NOT_AN_AMOUNT.format(value="12,5")
    with pytest.raises(TypeError):
        to_money(1.5)  # type: ignore[arg-type]


# --- revenue share ------------------------------------------------------------------------


def test_worked_example_line_profit_and_split() -> None:
    profit = line_profit(
        sale_amount=D("100") * D("199.00"),
        factory_cost=D("100") * D("80.00"),
        tax=D("1990.00"),
        logistics=D("600.00"),
    )
    assert profit == D("9310.00")
    assert split_profit(profit=profit, agency_ratio=D("0.3")) == ProfitSplit(
        profit=D("9310.00"), agency_share=D("2793.00"), brand_share=D("6517.00")
    )


def test_line_profit_of_a_return_is_negative_and_unrounded() -> None:
    assert line_profit(
        sale_amount=D("-199.00"), factory_cost=D("-80.00"), tax=D("-19.905"), logistics=D("-6")
    ) == D("-93.095")


@pytest.mark.parametrize(
    ("profit", "ratio", "agency", "brand"),
    [
        (D("9310.00"), D("0.3"), D("2793.00"), D("6517.00")),
        (D("0.05"), D("0.3"), D("0.02"), D("0.03")),  # 0.015 rounds half-up to 0.02
        (D("100.01"), D("0.3"), D("30.00"), D("70.01")),  # 30.003
        (D("100.05"), D("0.3"), D("30.02"), D("70.03")),  # 30.015
        (D("100.00"), D("0"), D("0.00"), D("100.00")),
        (D("100.00"), D("1"), D("100.00"), D("0.00")),
        (D("0.00"), D("0.3"), D("0.00"), D("0.00")),
        (D("-500.00"), D("0.3"), D("0.00"), D("0.00")),
    ],
)
def test_split_profit_table(
    profit: Decimal, ratio: Decimal, agency: Decimal, brand: Decimal
) -> None:
    split = split_profit(profit=profit, agency_ratio=ratio)
    assert (split.agency_share, split.brand_share) == (agency, brand)
    assert split.profit == profit


@pytest.mark.parametrize("ratio", [D("-0.01"), D("1.01"), D("30")])
def test_split_profit_refuses_ratio_outside_0_1(ratio: Decimal) -> None:
    with pytest.raises(ValueError) as excinfo:
        split_profit(profit=D("100.00"), agency_ratio=ratio)
    assert str(excinfo.value) == SHARE_RATIO_OUT_OF_RANGE.format(ratio=ratio)


@given(
    profit=st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: D(n) / 100),
    ratio=st.integers(min_value=0, max_value=10**4).map(lambda n: D(n) / 10**4),
)
def test_split_profit_shares_add_up_and_are_never_negative(profit: Decimal, ratio: Decimal) -> None:
    split = split_profit(profit=profit, agency_ratio=ratio)
    assert split.agency_share >= 0
    assert split.brand_share >= 0
    assert split.agency_share.as_tuple().exponent == -2
    if profit > 0:
        assert split.agency_share + split.brand_share == profit
        assert abs(split.agency_share - profit * ratio) <= D("0.005")
    else:
        assert split.agency_share == split.brand_share == 0


# --- commission ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], D("0.00")),
        (
            [
                CommissionLine(
                    quantity=D("10"), distributor_price=D("12.50"), factory_price=D("10.00")
                )
            ],
            D("25.00"),
        ),
        # Each line is 0.333 × 1 = 0.333; rounded once on the sum (0.999 → 1.00), not per
        # line (which would give 0.99).
        (
            [
                CommissionLine(
                    quantity=D("1"), distributor_price=D("1.333"), factory_price=D("1.000")
                )
            ]
            * 3,
            D("1.00"),
        ),
        # A return (negative quantity) nets against the month; the total may be negative.
        (
            [
                CommissionLine(
                    quantity=D("5"), distributor_price=D("30.00"), factory_price=D("20.00")
                ),
                CommissionLine(
                    quantity=D("-8"), distributor_price=D("30.00"), factory_price=D("20.00")
                ),
            ],
            D("-30.00"),
        ),
        (
            [CommissionLine(quantity=D("3"), distributor_price=D("0.005"), factory_price=D("0"))],
            D("0.02"),
        ),
    ],
)
def test_commission_total_table(lines: list[CommissionLine], expected: Decimal) -> None:
    assert commission_total(lines) == expected


@given(
    st.lists(
        st.builds(
            CommissionLine,
            quantity=st.integers(min_value=-50, max_value=500).map(D),
            distributor_price=st.integers(min_value=0, max_value=10**6).map(lambda n: D(n) / 1000),
            factory_price=st.integers(min_value=0, max_value=10**6).map(lambda n: D(n) / 1000),
        ),
        max_size=20,
    )
)
def test_commission_total_is_the_exact_sum_rounded_once(lines: list[CommissionLine]) -> None:
    exact = sum(
        ((line.distributor_price - line.factory_price) * line.quantity for line in lines), D(0)
    )
    assert commission_total(lines) == quantize_money(exact)
    assert commission_total(iter(lines)) == commission_total(lines)


# --- installments and prorating -----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "percents", "expected"),
    [
        (D("50000.00"), [D("50"), D("50")], [D("25000.00"), D("25000.00")]),
        (D("100.00"), [D("33.33"), D("33.33"), D("33.34")], [D("33.33"), D("33.33"), D("33.34")]),
        (D("100.00"), [D("33.335"), D("33.335"), D("33.33")], [D("33.34"), D("33.34"), D("33.32")]),
        (D("0.05"), [D("50"), D("50")], [D("0.03"), D("0.02")]),  # 0.025 → 0.03, last is the rest
        (D("12345.67"), [D("100")], [D("12345.67")]),
        (D("1000.00"), [D("30"), D("0"), D("70")], [D("300.00"), D("0.00"), D("700.00")]),
    ],
)
def test_installment_amounts_table(
    total: Decimal, percents: list[Decimal], expected: list[Decimal]
) -> None:
    amounts = installment_amounts(total=total, percents=percents)
    assert amounts == expected
    assert sum(amounts) == total


@pytest.mark.parametrize(
    ("percents", "shown"),
    [
        ([D("50"), D("40")], "90"),
        ([D("50.00"), D("50.01")], "100.01"),
        ([], "0"),
        ([D("60"), D("60")], "120"),
    ],
)
def test_installment_amounts_refuse_percents_not_adding_to_100(
    percents: list[Decimal], shown: str
) -> None:
    with pytest.raises(ValueError) as excinfo:
        installment_amounts(total=D("1000.00"), percents=percents)
    assert str(excinfo.value) == INSTALLMENTS_NOT_100.format(total=shown)
    assert str(excinfo.value) == f"Installments must add up to 100% (got {shown}%)."


def test_installment_amounts_refuse_negative_percent() -> None:
    with pytest.raises(ValueError) as excinfo:
        installment_amounts(total=D("1000.00"), percents=[D("120"), D("-20")])
    assert str(excinfo.value) == INSTALLMENT_PERCENT_NEGATIVE.format(percent="-20")


@given(
    total=cents,
    weights=st.lists(st.integers(min_value=0, max_value=10**4), min_size=1, max_size=6).filter(any),
)
def test_installments_add_up_to_the_total(total: Decimal, weights: list[int]) -> None:
    # Percentages with two decimals that add up to exactly 100.
    basis = [w * 10000 // sum(weights) for w in weights]
    basis[-1] += 10000 - sum(basis)
    percents = [D(b) / 100 for b in basis]
    amounts = installment_amounts(total=total, percents=percents)
    assert sum(amounts) == total
    for amount, percent in zip(amounts[:-1], percents[:-1], strict=True):
        assert amount == quantize_money(total * percent / 100)
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)


@pytest.mark.parametrize(
    ("amount", "days", "days_in_period", "expected"),
    [
        (D("30000.00"), 31, 31, D("30000.00")),
        (D("30000.00"), 0, 31, D("0.00")),
        (D("30000.00"), 17, 31, D("16451.61")),  # 16451.6129...
        (D("10000.00"), 15, 30, D("5000.00")),
        (D("1.00"), 1, 8, D("0.13")),  # 0.125 half-up
        (D("100"), 1, 3, D("33.33")),
        (D("100"), 2, 3, D("66.67")),
        (D("5000.00"), 14, 28, D("2500.00")),
    ],
)
def test_prorate_table(amount: Decimal, days: int, days_in_period: int, expected: Decimal) -> None:
    assert prorate(amount=amount, days=days, days_in_period=days_in_period) == expected


@pytest.mark.parametrize(("days", "days_in_period"), [(-1, 30), (31, 30), (0, 0)])
def test_prorate_refuses_days_out_of_range(days: int, days_in_period: int) -> None:
    with pytest.raises(ValueError) as excinfo:
        prorate(amount=D("100.00"), days=days, days_in_period=days_in_period)
    assert str(excinfo.value) == PRORATE_DAYS_OUT_OF_RANGE.format(
        days=days, days_in_period=days_in_period
    )


# --- payments, penalties, overdue ---------------------------------------------------------


def test_payment_refuses_zero_or_negative_amount() -> None:
    with pytest.raises(ValueError) as excinfo:
        Payment(paid_on=EXAMPLE_DUE, amount=D("0.00"))
    assert str(excinfo.value) == PAYMENT_AMOUNT_NOT_POSITIVE.format(amount=D("0.00"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 20), D("2793.00")),
        (date(2026, 9, 25), D("2793.00")),  # paid on 09-25: still owed that day
        (date(2026, 9, 26), D("1793.00")),
        (date(2026, 10, 12), D("1793.00")),
        (date(2026, 10, 13), D("0.00")),
    ],
)
def test_outstanding_at_start_of_counts_payments_from_the_next_day(
    day: date, expected: Decimal
) -> None:
    assert (
        outstanding_at_start_of(principal=EXAMPLE_PRINCIPAL, payments=EXAMPLE_PAYMENTS, day=day)
        == expected
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 9, 1), D("0.00")),  # before the due date
        (date(2026, 9, 20), D("0.00")),  # on the due date
        (date(2026, 9, 21), D("8.38")),  # 2793 × 0.003 × 1 = 8.379
        (date(2026, 9, 25), D("41.90")),  # 2793 × 0.003 × 5 = 41.895
        (date(2026, 9, 26), D("47.27")),  # 41.895 + 1793 × 0.003 = 47.274
        (date(2026, 10, 1), D("74.17")),  # 15.00 + 1793 × 0.003 × 11 = 74.169
        (date(2026, 10, 11), D("127.96")),  # 15.00 + 1793 × 0.003 × 21 = 127.959
        (date(2026, 10, 12), D("133.34")),  # 15.00 + 118.338 = 133.338
        (date(2026, 10, 13), D("133.34")),
        (date(2027, 6, 30), D("133.34")),  # unchanged once paid in full
    ],
)
def test_penalty_worked_example(as_of: date, expected: Decimal) -> None:
    assert (
        penalty_as_of(
            principal=EXAMPLE_PRINCIPAL,
            due_on=EXAMPLE_DUE,
            rate_per_day=EXAMPLE_RATE,
            payments=EXAMPLE_PAYMENTS,
            as_of=as_of,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("payments", "as_of", "expected"),
    [
        # Paid in full before the due date: no penalty, ever.
        ([Payment(paid_on=date(2026, 9, 10), amount=D("2793.00"))], date(2026, 12, 31), D("0.00")),
        # Paid in full on the due date: no penalty.
        ([Payment(paid_on=date(2026, 9, 20), amount=D("2793.00"))], date(2026, 12, 31), D("0.00")),
        # Paid a day late: one day on the whole principal.
        ([Payment(paid_on=date(2026, 9, 21), amount=D("2793.00"))], date(2026, 12, 31), D("8.38")),
        # Part paid on the due date, the rest never: 1793 × 0.003 × 10 days.
        ([Payment(paid_on=date(2026, 9, 20), amount=D("1000.00"))], date(2026, 9, 30), D("53.79")),
        # A payment after as_of is ignored.
        ([Payment(paid_on=date(2026, 10, 12), amount=D("2793.00"))], date(2026, 9, 30), D("83.79")),
        # No payment at all: 2793 × 0.003 × 10.
        ([], date(2026, 9, 30), D("83.79")),
        # Overpayment: the extra reduces nothing below zero.
        ([Payment(paid_on=date(2026, 9, 22), amount=D("5000.00"))], date(2026, 10, 30), D("16.76")),
    ],
)
def test_penalty_table(payments: list[Payment], as_of: date, expected: Decimal) -> None:
    assert (
        penalty_as_of(
            principal=EXAMPLE_PRINCIPAL,
            due_on=EXAMPLE_DUE,
            rate_per_day=EXAMPLE_RATE,
            payments=payments,
            as_of=as_of,
        )
        == expected
    )


def test_penalty_is_rounded_once_not_per_day() -> None:
    # 1.00 × 0.001 = 0.001 a day: per-day rounding would give 0.00 for ten days.
    assert penalty_as_of(
        principal=D("1.00"),
        due_on=EXAMPLE_DUE,
        rate_per_day=D("0.001"),
        payments=[],
        as_of=EXAMPLE_DUE + timedelta(days=10),
    ) == D("0.01")


def test_penalty_refuses_negative_principal_and_rate() -> None:
    with pytest.raises(ValueError) as excinfo:
        penalty_as_of(
            principal=D("-1"),
            due_on=EXAMPLE_DUE,
            rate_per_day=EXAMPLE_RATE,
            payments=[],
            as_of=EXAMPLE_DUE,
        )
    assert str(excinfo.value) == PRINCIPAL_NEGATIVE.format(principal=D("-1"))
    with pytest.raises(ValueError) as excinfo:
        penalty_as_of(
            principal=D("1"),
            due_on=EXAMPLE_DUE,
            rate_per_day=D("-0.003"),
            payments=[],
            as_of=EXAMPLE_DUE,
        )
    assert str(excinfo.value) == PENALTY_RATE_NEGATIVE.format(rate=D("-0.003"))


def _penalty_day_by_day(
    *, principal: Decimal, due_on: date, rate_per_day: Decimal, payments: list[Payment], as_of: date
) -> Decimal:
    """DOMAIN.md's definition, literally: one term per calendar day, rounded once."""
    total = D(0)
    day = due_on + timedelta(days=1)
    while day <= as_of:
        owed = outstanding_at_start_of(principal=principal, payments=payments, day=day)
        total += max(owed, D(0)) * rate_per_day
        day += timedelta(days=1)
    return quantize_money(total)


payment_lists = st.lists(
    st.builds(
        Payment,
        paid_on=days_offsets.map(lambda offset: EXAMPLE_DUE + timedelta(days=offset)),
        amount=positive_cents,
    ),
    max_size=6,
)


@given(principal=cents, rate=rates, payments=payment_lists, offset=days_offsets)
def test_penalty_closed_form_equals_day_by_day_sum(
    principal: Decimal, rate: Decimal, payments: list[Payment], offset: int
) -> None:
    as_of = EXAMPLE_DUE + timedelta(days=offset)
    arguments = {
        "principal": principal,
        "due_on": EXAMPLE_DUE,
        "rate_per_day": rate,
        "as_of": as_of,
    }
    assert penalty_as_of(payments=payments, **arguments) == _penalty_day_by_day(  # type: ignore[arg-type]
        payments=payments,
        **arguments,  # type: ignore[arg-type]
    )


@given(
    principal=cents,
    rate=rates,
    payments=payment_lists,
    offset=days_offsets,
    later=st.integers(0, 60),
)
def test_penalty_never_negative_and_grows_with_days(
    principal: Decimal, rate: Decimal, payments: list[Payment], offset: int, later: int
) -> None:
    as_of = EXAMPLE_DUE + timedelta(days=offset)

    def penalty(day: date) -> Decimal:
        return penalty_as_of(
            principal=principal, due_on=EXAMPLE_DUE, rate_per_day=rate, payments=payments, as_of=day
        )

    assert penalty(as_of) >= 0
    assert penalty(as_of + timedelta(days=later)) >= penalty(as_of)


@given(principal=positive_cents, rate=rates, paid_offset=days_offsets, later=st.integers(0, 400))
def test_penalty_is_frozen_once_paid_in_full(
    principal: Decimal, rate: Decimal, paid_offset: int, later: int
) -> None:
    paid_on = EXAMPLE_DUE + timedelta(days=paid_offset)
    payments = [Payment(paid_on=paid_on, amount=principal)]

    def penalty(day: date) -> Decimal:
        return penalty_as_of(
            principal=principal, due_on=EXAMPLE_DUE, rate_per_day=rate, payments=payments, as_of=day
        )

    at_payment = penalty(paid_on)
    assert penalty(paid_on + timedelta(days=later)) == at_payment
    assert at_payment == quantize_money(principal * rate * max(0, paid_offset))


@pytest.mark.parametrize(
    ("as_of", "expected_days", "expected_right"),
    [
        (date(2026, 9, 19), 0, False),
        (date(2026, 9, 20), 0, False),
        (date(2026, 9, 21), 1, False),
        (date(2026, 10, 5), 15, False),  # 15 days overdue is not "more than 15"
        (date(2026, 10, 6), 16, True),
        (date(2026, 10, 12), 22, True),  # paid on 10-12: still owed at the start of that day
        (date(2026, 10, 13), 0, False),  # lapsed with the payment
        (date(2026, 11, 30), 0, False),
    ],
)
def test_days_overdue_and_termination_right_worked_example(
    as_of: date, expected_days: int, expected_right: bool
) -> None:
    arguments = {
        "principal": EXAMPLE_PRINCIPAL,
        "due_on": EXAMPLE_DUE,
        "payments": EXAMPLE_PAYMENTS,
        "as_of": as_of,
    }
    assert days_overdue(**arguments) == expected_days  # type: ignore[arg-type]
    assert termination_right_held(**arguments) is expected_right  # type: ignore[arg-type]


def test_termination_right_threshold_is_configurable() -> None:
    arguments = {
        "principal": EXAMPLE_PRINCIPAL,
        "due_on": EXAMPLE_DUE,
        "payments": [],
        "overdue_days": 5,
    }
    assert termination_right_held(as_of=date(2026, 9, 25), **arguments) is False  # type: ignore[arg-type]
    assert termination_right_held(as_of=date(2026, 9, 26), **arguments) is True  # type: ignore[arg-type]


# --- Chinese capitals (大写) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("2793.00"), "贰仟柒佰玖拾叁元整"),
        (D("133.34"), "壹佰叁拾叁元叁角肆分"),
        (D("133.338"), "壹佰叁拾叁元叁角肆分"),  # rounded half-up first
        (D("10000.00"), "壹万元整"),
        (D("100000.05"), "壹拾万元零伍分"),
        (D("1010.50"), "壹仟零壹拾元伍角"),
        (D("0"), "零元整"),
        (D("100200300.10"), "壹亿零贰拾万零叁佰元壹角"),
        (D("0.05"), "伍分"),
        (D("0.50"), "伍角"),
        (D("0.34"), "叁角肆分"),
        (D("-133.34"), "负壹佰叁拾叁元叁角肆分"),
        (D("10"), "壹拾元整"),
        (D("15"), "壹拾伍元整"),
        (D("1409.50"), "壹仟肆佰零玖元伍角"),  # 人民银行 example
        (D("6007.14"), "陆仟零柒元壹角肆分"),  # 人民银行 example: one 零 for a run of zeros
        (D("16409.02"), "壹万陆仟肆佰零玖元零贰分"),  # 人民银行 example
        (D("325.04"), "叁佰贰拾伍元零肆分"),  # 人民银行 example
        (D("1680.32"), "壹仟陆佰捌拾元叁角贰分"),
        (D("107000.53"), "壹拾万柒仟元伍角叁分"),
        (D("10000.01"), "壹万元零壹分"),
        (D("10001.00"), "壹万零壹元整"),
        (D("10100.00"), "壹万零壹佰元整"),
        (D("1000001.00"), "壹佰万零壹元整"),
        (D("100000000.00"), "壹亿元整"),
        (D("100000001.00"), "壹亿零壹元整"),
        (D("120000000.00"), "壹亿贰仟万元整"),
        (D("50000.00"), "伍万元整"),
        (D("9310.00"), "玖仟叁佰壹拾元整"),
        (D("999999999999.99"), "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (D("1000000000000.00"), "壹万亿元整"),
        (D("1000000010000.00"), "壹万亿零壹万元整"),
    ],
)
def test_amount_in_chinese_capitals_table(amount: Decimal, expected: str) -> None:
    assert amount_in_chinese_capitals(amount) == expected


_CAPITAL_DIGITS = {ch: n for n, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CAPITAL_PLACES = {"拾": 10, "佰": 100, "仟": 1000}


def _cents_from_capitals(text: str) -> int:
    """Read capitals back into cents (for amounts below 10^12 yuan)."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负")
    yuan_text, _, fraction_text = text.rpartition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for ch in yuan_text:
        if ch in _CAPITAL_DIGITS:
            digit = _CAPITAL_DIGITS[ch]
        elif ch in _CAPITAL_PLACES:
            section += digit * _CAPITAL_PLACES[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    yuan = total + section + digit
    fraction = 0
    for ch, unit in zip(fraction_text, fraction_text[1:] + " ", strict=True):
        if ch in _CAPITAL_DIGITS and unit in ("角", "分"):
            fraction += _CAPITAL_DIGITS[ch] * (10 if unit == "角" else 1)
    return sign * (yuan * 100 + fraction)


# Amounts with many zeros, where the 零 rules matter.
sparse_cents = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14).map(
    lambda digits: int("".join(digits))
)


@given(st.one_of(st.integers(min_value=0, max_value=10**14 - 1), sparse_cents))
def test_capitals_never_raise_never_double_zero_and_read_back(cents_amount: int) -> None:
    amount = D(cents_amount) / 100
    text = amount_in_chinese_capitals(amount)
    assert "零零" not in text
    assert not text.endswith("零")
    assert _cents_from_capitals(text) == cents_amount
    assert amount_in_chinese_capitals(-amount) == (f"负{text}" if cents_amount else "零元整")
