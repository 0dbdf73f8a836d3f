"""core.money.penalty_spans: the penalty's sum written as spans of days a bill can show.

The worked example is docs/rules.md's: 2,793.00 due 2026-09-20 at 0.3% a day, 1,000.00
paid 2026-09-25 and the rest 2026-10-12, penalty 133.34.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    PENALTY_RATE_NEGATIVE,
    PRINCIPAL_NEGATIVE,
    Payment,
    PenaltySpan,
    outstanding_at_start_of,
    penalty_as_of,
    penalty_spans,
    quantize_money,
)
from tests.core.test_money import (
    EXAMPLE_DUE,
    EXAMPLE_PAYMENTS,
    EXAMPLE_PRINCIPAL,
    EXAMPLE_RATE,
    cents,
    days_offsets,
    payment_lists,
)

D = Decimal
DUE, PRINCIPAL, RATE = EXAMPLE_DUE, EXAMPLE_PRINCIPAL, EXAMPLE_RATE
PAID = list(EXAMPLE_PAYMENTS)


def spans(payments: list[Payment], as_of: date, principal: Decimal = PRINCIPAL) -> list:
    return penalty_spans(
        principal=principal, due_on=DUE, rate_per_day=RATE, payments=payments, as_of=as_of
    )


def test_worked_example_spans() -> None:
    result = spans(PAID, date(2026, 10, 31))

    assert result == [
        PenaltySpan(date(2026, 9, 21), date(2026, 9, 25), 5, D("2793.00"), RATE, D("41.895")),
        PenaltySpan(date(2026, 9, 26), date(2026, 10, 12), 17, D("1793.00"), RATE, D("91.443")),
    ]
    assert sum(span.amount for span in result) == D("133.338")
    assert quantize_money(sum(span.amount for span in result)) == D("133.34")


@pytest.mark.parametrize(
    ("payments", "as_of", "expected"),
    [
        # Before or on the due date: no span.
        (PAID, DUE, []),
        ([], date(2026, 9, 1), []),
        # Nothing paid yet: one span on the whole principal.
        ([], date(2026, 9, 30), [(date(2026, 9, 21), date(2026, 9, 30), 10, D("2793.00"))]),
        # A payment after as_of is ignored; one on as_of still leaves the day owed.
        (PAID, date(2026, 9, 25), [(date(2026, 9, 21), date(2026, 9, 25), 5, D("2793.00"))]),
        # Part paid on the due date: no day carries it.
        (
            [Payment(paid_on=DUE, amount=D("1000.00"))],
            date(2026, 9, 30),
            [(date(2026, 9, 21), date(2026, 9, 30), 10, D("1793.00"))],
        ),
        # Paid in full before the due date: nothing, ever.
        ([Payment(paid_on=date(2026, 9, 10), amount=PRINCIPAL)], date(2026, 12, 31), []),
        # Two payments on one day make one change; overpayment leaves nothing owed.
        (
            [
                Payment(paid_on=date(2026, 9, 22), amount=D("100.00")),
                Payment(paid_on=date(2026, 9, 22), amount=D("5000.00")),
            ],
            date(2026, 10, 30),
            [(date(2026, 9, 21), date(2026, 9, 22), 2, D("2793.00"))],
        ),
    ],
)
def test_spans_table(payments: list[Payment], as_of: date, expected: list) -> None:
    assert [(s.start, s.end, s.days, s.principal) for s in spans(payments, as_of)] == expected


def test_a_zero_rate_keeps_the_spans_at_zero() -> None:
    result = penalty_spans(
        principal=PRINCIPAL, due_on=DUE, rate_per_day=D("0"), payments=[], as_of=date(2026, 9, 30)
    )

    assert [(s.days, s.amount) for s in result] == [(10, D("0"))]


def test_refuses_negative_principal_and_rate() -> None:
    with pytest.raises(ValueError) as excinfo:
        spans([], date(2026, 9, 30), principal=D("-1"))
    assert str(excinfo.value) == PRINCIPAL_NEGATIVE.format(principal=D("-1"))
    with pytest.raises(ValueError) as excinfo:
        penalty_spans(
            principal=PRINCIPAL, due_on=DUE, rate_per_day=D("-0.003"), payments=[], as_of=DUE
        )
    assert str(excinfo.value) == PENALTY_RATE_NEGATIVE.format(rate=D("-0.003"))


# --- properties ----------------------------------------------------------------------------

# A rate with more places than the contracts' too: the spans stay exact.
rates = st.sampled_from([D("0"), D("0.003"), D("0.005"), D("0.0005"), D("0.01"), D("0.00123")])


@given(principal=cents, rate=rates, payments=payment_lists, offset=days_offsets)
def test_spans_add_up_to_the_penalty(
    principal: Decimal, rate: Decimal, payments: list[Payment], offset: int
) -> None:
    as_of = DUE + timedelta(days=offset)
    arguments = {"principal": principal, "due_on": DUE, "rate_per_day": rate, "as_of": as_of}

    result = penalty_spans(payments=payments, **arguments)  # type: ignore[arg-type]

    assert quantize_money(sum((s.amount for s in result), D(0))) == penalty_as_of(
        payments=payments,
        **arguments,  # type: ignore[arg-type]
    )


@given(principal=cents, rate=rates, payments=payment_lists, offset=days_offsets)
def test_spans_are_the_owed_days_in_order(
    principal: Decimal, rate: Decimal, payments: list[Payment], offset: int
) -> None:
    as_of = DUE + timedelta(days=offset)

    result = penalty_spans(
        principal=principal, due_on=DUE, rate_per_day=rate, payments=payments, as_of=as_of
    )

    # Every day of a span owes the span's principal; the days no span covers owe nothing.
    covered = set()
    for span in result:
        assert span.days == (span.end - span.start).days + 1 >= 1
        assert span.amount == span.principal * rate * span.days
        for n in range(span.days):
            day = span.start + timedelta(days=n)
            covered.add(day)
            owed = outstanding_at_start_of(principal=principal, payments=payments, day=day)
            assert owed == span.principal > 0
    day = DUE + timedelta(days=1)
    while day <= as_of:
        if day not in covered:
            assert outstanding_at_start_of(principal=principal, payments=payments, day=day) <= 0
        day += timedelta(days=1)
    assert all(a.end < b.start for a, b in zip(result, result[1:], strict=False))
