"""The payment due date under ``invoice_before_payment`` (calculations.payment_due_after_invoice),
on the Chinese calendar of 2026: worked examples, then properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.workdays import WorkCalendar
from settlements.calculations import InvoiceFact, invoiced_in_full_on, payment_due_after_invoice

D = Decimal
CALENDAR = WorkCalendar()
TOTAL = D("2793.00")


def due(contract_due_on, invoices, *, on=True, days=5, total=TOTAL):
    return payment_due_after_invoice(
        contract_due_on=contract_due_on,
        total=total,
        invoices=[InvoiceFact(day, D(amount)) for day, amount in invoices],
        invoice_before_payment=on,
        invoice_payment_working_days=days,
        calendar=CALENDAR,
    )


@pytest.mark.parametrize(
    ("contract_due_on", "invoices", "expected", "why"),
    [
        # The term off: the contract's date whatever the invoices.
        (date(2026, 9, 21), [], "off", "without the term nothing changes"),
        # Invoiced in full on Tue 9-8: 5 working days → Tue 9-15, before the contract's 9-21.
        (date(2026, 9, 21), [(date(2026, 9, 8), "2793.00")], date(2026, 9, 21), "contract later"),
        # Invoiced on Mon 9-21: 9-22, 23, 24, (25 中秋 off, 26-27 weekend) 28, 29 → Tue 9-29.
        (date(2026, 9, 21), [(date(2026, 9, 21), "2793.00")], date(2026, 9, 29), "holiday skipped"),
        # Invoiced on Wed 9-30: the National Day week is off, Sat 10-10 is a make-up working
        # day: 10-8, 10-9, 10-10, 10-12, 10-13 → Tue 10-13.
        (date(2026, 9, 21), [(date(2026, 9, 30), "2793.00")], date(2026, 10, 13), "national day"),
        # An invoice dated on a day off (Sun 9-27): 9-28, 9-29, 9-30, 10-8, 10-9 → Fri 10-9.
        (date(2026, 9, 21), [(date(2026, 9, 27), "2793.00")], date(2026, 10, 9), "from a Sunday"),
        # Two invoices: the second completes the total; its date counts.
        (
            date(2026, 9, 21),
            [(date(2026, 9, 8), "2000.00"), (date(2026, 9, 22), "793.00")],
            date(2026, 9, 30),
            "the completing invoice",
        ),
        # Not yet in full: no due date at all.
        (date(2026, 9, 21), [(date(2026, 9, 8), "2792.99")], None, "one fen short"),
        (date(2026, 9, 21), [], None, "no invoice"),
        # Disputed (no contract due date): none either way.
        (None, [(date(2026, 9, 8), "2793.00")], None, "disputed"),
    ],
)
def test_worked_examples(contract_due_on, invoices, expected, why):
    if expected == "off":
        assert due(contract_due_on, invoices, on=False) == contract_due_on, why
        assert due(contract_due_on, [], on=False) == contract_due_on, why
        return
    assert due(contract_due_on, invoices) == expected, why


def test_the_working_days_are_the_terms():
    assert due(date(2026, 9, 1), [(date(2026, 9, 21), TOTAL)], days=0) == date(2026, 9, 21)
    assert due(date(2026, 9, 1), [(date(2026, 9, 21), TOTAL)], days=1) == date(2026, 9, 22)
    assert due(date(2026, 9, 1), [(date(2026, 9, 21), TOTAL)], days=3) == date(2026, 9, 24)
    assert due(date(2026, 9, 1), [(date(2026, 9, 21), TOTAL)], days=4) == date(2026, 9, 28)


def test_order_of_recording_does_not_matter():
    late, early = (date(2026, 9, 22), "793.00"), (date(2026, 9, 8), "2000.00")
    assert due(date(2026, 9, 21), [late, early]) == due(date(2026, 9, 21), [early, late])


def test_nothing_to_invoice_keeps_the_contract_date():
    assert due(date(2026, 9, 21), [], total=D("0.00")) == date(2026, 9, 21)
    assert invoiced_in_full_on(total=D("0.00"), invoices=[]) is None


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
amounts = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


@given(
    contract_due_on=days,
    invoices=st.lists(st.tuples(days, amounts), max_size=5),
    total=amounts,
    working_days=st.integers(min_value=0, max_value=10),
)
def test_properties(contract_due_on, invoices, total, working_days):
    facts = [InvoiceFact(day, amount) for day, amount in invoices]
    result = payment_due_after_invoice(
        contract_due_on=contract_due_on,
        total=total,
        invoices=facts,
        invoice_before_payment=True,
        invoice_payment_working_days=working_days,
        calendar=CALENDAR,
    )
    invoiced = sum((f.amount for f in facts), D("0"))
    if invoiced < total:
        assert result is None  # nothing is due until the invoices cover the total
        return
    assert result is not None
    full_on = invoiced_in_full_on(total=total, invoices=facts)
    assert full_on is not None
    # Never before the contract's date, never before the working days after the invoice,
    # always on a working day, and no later than needed.
    assert result >= contract_due_on
    assert result >= CALENDAR.add_working_days(full_on, working_days)
    assert CALENDAR.is_working_day(result)
    earliest = max(contract_due_on, CALENDAR.add_working_days(full_on, working_days))
    assert all(
        not CALENDAR.is_working_day(earliest + timedelta(days=k))
        for k in range((result - earliest).days)
    )
    # Without the term, the contract's date.
    assert (
        payment_due_after_invoice(
            contract_due_on=contract_due_on,
            total=total,
            invoices=facts,
            invoice_before_payment=False,
            invoice_payment_working_days=working_days,
            calendar=CALENDAR,
        )
        == contract_due_on
    )
