"""The daily cycle's pure rules: when flags hold and which penalty notices are due."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import Payment, days_overdue, termination_right_held
from settlements import daily_rules as r

D = Decimal


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        ([], None),
        ([Payment(date(2026, 9, 25), D("1000.00"))], None),
        (
            [Payment(date(2026, 10, 12), D("1793.00")), Payment(date(2026, 9, 25), D("1000.00"))],
            date(2026, 10, 12),
        ),
        ([Payment(date(2026, 9, 1), D("2793.00"))], date(2026, 9, 1)),
    ],
)
def test_paid_in_full_on(payments, expected):
    assert r.paid_in_full_on(principal=D("2793.00"), payments=payments) == expected


@pytest.mark.parametrize(
    ("deadline", "issued_on", "expected"),
    [
        (date(2026, 9, 10), None, r.Window(date(2026, 9, 11))),
        (date(2026, 9, 10), date(2026, 9, 10), None),  # issued on the deadline: never late
        (date(2026, 9, 10), date(2026, 9, 11), None),  # issued the first late day: cleared that day
        (date(2026, 9, 10), date(2026, 9, 14), r.Window(date(2026, 9, 11), date(2026, 9, 13))),
    ],
)
def test_statement_late_window(deadline, issued_on, expected):
    assert r.statement_late_window(issue_deadline=deadline, issued_on=issued_on) == expected


@pytest.mark.parametrize(
    ("issued_on", "expected"),
    [
        (None, r.Window(date(2026, 9, 22))),
        (date(2026, 9, 21), None),  # issued on the 7th day after the demand: in time
        (date(2026, 9, 22), r.Window(date(2026, 9, 22))),  # later issuing keeps the right
    ],
)
def test_brand_termination_window(issued_on, expected):
    got = r.brand_termination_window(demand_on=date(2026, 9, 14), issued_on=issued_on, days=7)
    assert got == expected


def test_payment_windows_of_the_worked_example():
    # Due 09-20; 1,000.00 on 09-25 and the rest on 10-12: overdue 09-21..10-12, and the
    # termination right (over 15 days) from 10-06 until it is paid.
    payments = [Payment(date(2026, 9, 25), D("1000.00")), Payment(date(2026, 10, 12), D("1793.00"))]
    due = date(2026, 9, 20)
    overdue = r.payment_overdue_window(principal=D("2793.00"), due_on=due, payments=payments)
    assert overdue == r.Window(date(2026, 9, 21), date(2026, 10, 12))
    right = r.termination_right_window(
        principal=D("2793.00"), due_on=due, payments=payments, overdue_days=15
    )
    assert right == r.Window(date(2026, 10, 6), date(2026, 10, 12))
    paid_on_time = [Payment(due, D("2793.00"))]
    assert (
        r.payment_overdue_window(principal=D("2793.00"), due_on=due, payments=paid_on_time) is None
    )


@pytest.mark.parametrize(
    ("replied_on", "ended_on", "expected"),
    [
        (None, None, r.Window(date(2026, 9, 18))),
        (date(2026, 9, 17), None, None),  # answered in time
        (date(2026, 9, 18), None, None),  # answered the first late day: cleared that day
        (date(2026, 9, 25), None, r.Window(date(2026, 9, 18), date(2026, 9, 24))),
        (None, date(2026, 9, 20), r.Window(date(2026, 9, 18), date(2026, 9, 19))),
    ],
)
def test_dispute_unanswered_window(replied_on, ended_on, expected):
    got = r.dispute_unanswered_window(
        reply_by=date(2026, 9, 17), replied_on=replied_on, ended_on=ended_on
    )
    assert got == expected


def test_penalty_notice_dates_monthly_then_paid_in_full():
    payments = [Payment(date(2026, 9, 25), D("1000.00")), Payment(date(2026, 11, 12), D("1793.00"))]
    dates = r.penalty_notice_dates(
        principal=D("2793.00"),
        due_on=date(2026, 9, 20),
        payments=payments,
        until=date(2026, 12, 31),
        issued_on=date(2026, 9, 8),
    )
    assert dates == [
        r.NoticeDate(date(2026, 9, 30), date(2026, 10, 1), r.NOTICE_MONTHLY),
        r.NoticeDate(date(2026, 10, 31), date(2026, 11, 1), r.NOTICE_MONTHLY),
        r.NoticeDate(date(2026, 11, 12), date(2026, 11, 12), r.NOTICE_PAID_IN_FULL),
    ]


def test_penalty_notices_of_a_bill_entered_late_are_dated_on_its_issue_day():
    # A setup fee due 05-23, entered (issued) on 08-15 and unpaid.
    dates = r.penalty_notice_dates(
        principal=D("10000.00"),
        due_on=date(2026, 5, 23),
        payments=[],
        until=date(2026, 9, 1),
        issued_on=date(2026, 8, 15),
    )
    assert [(n.as_of, n.issued_on) for n in dates] == [
        (date(2026, 5, 31), date(2026, 8, 15)),
        (date(2026, 6, 30), date(2026, 8, 15)),
        (date(2026, 7, 31), date(2026, 8, 15)),
        (date(2026, 8, 31), date(2026, 9, 1)),
    ]


def test_no_notice_for_a_bill_paid_by_its_due_date_or_due_on_a_month_end():
    due = date(2026, 9, 30)
    on_time = [Payment(due, D("100.00"))]
    assert (
        r.penalty_notice_dates(
            principal=D("100.00"), due_on=due, payments=on_time, until=date(2027, 1, 1)
        )
        == []
    )
    unpaid = r.penalty_notice_dates(
        principal=D("100.00"), due_on=due, payments=[], until=date(2026, 10, 31)
    )
    assert unpaid == []  # 10-01's notice would bill to 09-30, the due date itself


days = st.integers(min_value=0, max_value=120)
amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: D(cents) / 100)


@given(
    principal=amounts,
    due_offset=days,
    payments=st.lists(st.tuples(days, amounts), max_size=4),
    probe=days,
)
def test_windows_agree_with_the_as_of_rules(principal, due_offset, payments, probe):
    """A flag's window holds on exactly the days the as-of rule says it holds."""
    start = date(2026, 1, 1)
    due = start + timedelta(days=due_offset)
    facts = [Payment(start + timedelta(days=d), a) for d, a in payments]
    day = start + timedelta(days=probe)
    overdue = r.payment_overdue_window(principal=principal, due_on=due, payments=facts)
    held = days_overdue(principal=principal, due_on=due, payments=facts, as_of=day) > 0
    assert (overdue is not None and overdue.holds_on(day)) == held
    right = r.termination_right_window(
        principal=principal, due_on=due, payments=facts, overdue_days=15
    )
    held = termination_right_held(
        principal=principal, due_on=due, payments=facts, as_of=day, overdue_days=15
    )
    assert (right is not None and right.holds_on(day)) == held


@given(
    principal=amounts,
    due_offset=days,
    payments=st.lists(st.tuples(days, amounts), max_size=4),
    until=days,
    later=days,
)
def test_notice_dates_up_to_a_day_are_a_prefix_of_those_up_to_a_later_day(
    principal, due_offset, payments, until, later
):
    """What is due up to D never changes when asked again later: once = every day."""
    start = date(2026, 1, 1)
    facts = [Payment(start + timedelta(days=d), a) for d, a in payments if d <= until]
    kwargs = {
        "principal": principal,
        "due_on": start + timedelta(days=due_offset),
        "payments": facts,
    }
    first = r.penalty_notice_dates(until=start + timedelta(days=until), **kwargs)
    second = r.penalty_notice_dates(until=start + timedelta(days=until + later), **kwargs)
    assert second[: len(first)] == first
    assert all(n.as_of <= start + timedelta(days=until) for n in first)
