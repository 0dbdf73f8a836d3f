"""The recurring schedules' pure rules: periods, month ends, leap years, renewals and
early termination, with worked examples and properties."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obligations.schedules import (
    MONTHLY,
    QUARTERLY,
    Occurrence,
    nominal_due_on,
    occurrences,
    period_bounds,
    period_key,
    schedule_sync,
    years_after,
)

D = date


def test_pure_module_imports_no_framework():
    source = (Path(__file__).resolve().parents[2] / "obligations" / "schedules.py").read_text()
    names = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [None])
    ]
    assert not [n for n in names if n and n.split(".")[0] in ("django", "rest_framework")]


@pytest.mark.parametrize(
    ("schedule", "day", "key"),
    [
        (MONTHLY, D(2026, 9, 15), "2026-09"),
        (MONTHLY, D(2026, 1, 1), "2026-01"),
        (QUARTERLY, D(2026, 9, 15), "2026-Q3"),
        (QUARTERLY, D(2026, 1, 1), "2026-Q1"),
        (QUARTERLY, D(2026, 12, 31), "2026-Q4"),
        (QUARTERLY, D(2026, 4, 1), "2026-Q2"),
    ],
)
def test_period_keys(schedule, day, key):
    assert period_key(schedule, day) == key


@pytest.mark.parametrize(
    ("schedule", "due_day", "day", "due"),
    [
        (MONTHLY, None, D(2026, 2, 10), D(2026, 2, 28)),
        (MONTHLY, 31, D(2026, 2, 10), D(2026, 2, 28)),  # month end
        (MONTHLY, 31, D(2028, 2, 10), D(2028, 2, 29)),  # leap year
        (MONTHLY, 30, D(2026, 4, 1), D(2026, 4, 30)),
        (MONTHLY, 31, D(2026, 4, 1), D(2026, 4, 30)),
        (MONTHLY, 5, D(2026, 9, 20), D(2026, 9, 5)),
        (QUARTERLY, None, D(2026, 8, 1), D(2026, 9, 30)),
        (QUARTERLY, 15, D(2026, 1, 3), D(2026, 3, 15)),  # the quarter's last month
        (QUARTERLY, 31, D(2028, 1, 3), D(2028, 3, 31)),
    ],
)
def test_nominal_due_dates(schedule, due_day, day, due):
    assert nominal_due_on(schedule, due_day, day) == due


def test_a_year_monthly_from_mid_month_has_a_partial_first_and_last_month():
    found = occurrences(
        schedule=MONTHLY, due_day=None, starts_on=D(2026, 3, 15), ends_on=D(2027, 3, 14)
    )
    assert len(found) == 13
    assert found[0] == Occurrence("2026-03", D(2026, 3, 31))
    # The last month runs to the 14th: its obligation falls due on the agreement's last day.
    assert found[-1] == Occurrence("2027-03", D(2027, 3, 14))


def test_due_day_before_the_start_moves_to_the_first_months_end():
    found = occurrences(
        schedule=MONTHLY, due_day=5, starts_on=D(2026, 9, 20), ends_on=D(2026, 11, 30)
    )
    assert found == [
        Occurrence("2026-09", D(2026, 9, 30)),
        Occurrence("2026-10", D(2026, 10, 5)),
        Occurrence("2026-11", D(2026, 11, 5)),
    ]


def test_due_day_31_through_a_leap_february():
    found = occurrences(
        schedule=MONTHLY, due_day=31, starts_on=D(2028, 1, 1), ends_on=D(2028, 4, 30)
    )
    assert [o.due_on for o in found] == [
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
        D(2028, 4, 30),
    ]


def test_quarterly_over_a_year_and_a_half():
    found = occurrences(
        schedule=QUARTERLY, due_day=None, starts_on=D(2026, 2, 1), ends_on=D(2027, 7, 31)
    )
    assert [o.period for o in found] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
        "2027-Q3",
    ]
    assert found[-1].due_on == D(2027, 7, 31)  # the agreement ends in the quarter's first month


def test_renewal_adds_only_the_missing_periods():
    before = occurrences(
        schedule=MONTHLY, due_day=None, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31)
    )
    after = occurrences(
        schedule=MONTHLY, due_day=None, starts_on=D(2026, 1, 1), ends_on=D(2027, 12, 31)
    )
    plan = schedule_sync(stored={o.period: o.due_on for o in before}, wanted=after)
    assert [o.period for o in plan.create] == [f"2027-{m:02d}" for m in range(1, 13)]
    assert plan.move == () and plan.remove == ()


def test_renewal_from_mid_month_moves_the_clamped_due_date():
    before = occurrences(
        schedule=MONTHLY, due_day=None, starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 14)
    )
    after = occurrences(
        schedule=MONTHLY, due_day=None, starts_on=D(2026, 1, 1), ends_on=D(2027, 6, 14)
    )
    plan = schedule_sync(stored={o.period: o.due_on for o in before}, wanted=after)
    assert plan.move == (Occurrence("2026-06", D(2026, 6, 30)),)


def test_early_termination_removes_the_periods_after_it():
    before = occurrences(
        schedule=MONTHLY, due_day=10, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31)
    )
    cut = occurrences(schedule=MONTHLY, due_day=10, starts_on=D(2026, 1, 1), ends_on=D(2026, 8, 5))
    plan = schedule_sync(stored={o.period: o.due_on for o in before}, wanted=cut)
    assert plan.remove == ("2026-09", "2026-10", "2026-11", "2026-12")
    # August's obligation is still owed, by the agreement's last day.
    assert plan.move == (Occurrence("2026-08", D(2026, 8, 5)),)


def test_one_day_agreement_still_owes_one():
    assert occurrences(
        schedule=QUARTERLY, due_day=None, starts_on=D(2026, 5, 5), ends_on=D(2026, 5, 5)
    ) == [Occurrence("2026-Q2", D(2026, 5, 5))]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        occurrences(schedule="weekly", due_day=None, starts_on=D(2026, 1, 1), ends_on=D(2026, 2, 1))
    with pytest.raises(ValueError):
        occurrences(schedule=MONTHLY, due_day=32, starts_on=D(2026, 1, 1), ends_on=D(2026, 2, 1))
    with pytest.raises(ValueError):
        occurrences(schedule=MONTHLY, due_day=None, starts_on=D(2026, 2, 1), ends_on=D(2026, 1, 1))


def test_years_after_a_leap_day():
    assert years_after(D(2028, 2, 29), 3) == D(2031, 2, 28)
    assert years_after(D(2026, 12, 31), 3) == D(2029, 12, 31)


days = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
schedules_ = st.sampled_from([MONTHLY, QUARTERLY])
due_days = st.none() | st.integers(min_value=1, max_value=31)


def _apply(stored: dict, plan) -> dict:
    result = {k: v for k, v in stored.items() if k not in plan.remove}
    result.update({o.period: o.due_on for o in plan.create + plan.move})
    return result


@given(schedules_, due_days, days, st.integers(0, 2000))
def test_never_two_in_one_period_and_every_due_date_inside(schedule, due_day, start, length):
    end = start + timedelta(days=length)
    found = occurrences(schedule=schedule, due_day=due_day, starts_on=start, ends_on=end)
    periods = [o.period for o in found]
    assert len(periods) == len(set(periods))
    assert periods == sorted(periods)
    for item in found:
        first, last = period_bounds(schedule, item.due_on)
        assert period_key(schedule, item.due_on) == item.period
        assert start <= item.due_on <= end and first <= item.due_on <= last
    # Every day of the agreement lies in a period that owes one.
    assert {period_key(schedule, start), period_key(schedule, end)} <= set(periods)


@given(schedules_, due_days, days, st.integers(0, 800), st.integers(0, 800), st.integers(0, 800))
def test_extending_a_to_b_then_b_to_c_equals_a_to_c(schedule, due_day, start, a, b, c):
    ends = sorted([start + timedelta(days=n) for n in (a, b, c)])

    def wanted(end):
        return occurrences(schedule=schedule, due_day=due_day, starts_on=start, ends_on=end)

    stored = {o.period: o.due_on for o in wanted(ends[0])}
    step = _apply(stored, schedule_sync(stored=stored, wanted=wanted(ends[1])))
    step = _apply(step, schedule_sync(stored=step, wanted=wanted(ends[2])))
    direct = _apply(stored, schedule_sync(stored=stored, wanted=wanted(ends[2])))
    assert step == direct == {o.period: o.due_on for o in wanted(ends[2])}
    # And cutting back (a termination) is the same as never having extended.
    back = _apply(direct, schedule_sync(stored=direct, wanted=wanted(ends[0])))
    assert back == stored
