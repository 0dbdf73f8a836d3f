"""Tests for core.periods: months, month arithmetic, renewals and operation months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.periods import (
    ENDS_BEFORE_STARTS,
    PERIOD_INVALID,
    PERIOD_OUT_OF_RANGE,
    TERM_MONTHS_NOT_POSITIVE,
    Period,
    PeriodOutOfRange,
    add_months,
    months_since_start,
    operation_month_number,
    overlap_days,
    renewal_objection_deadline,
    renewed_ends_on,
)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("text", "period"),
    [("2026-08", Period(2026, 8)), ("2026-12", Period(2026, 12)), ("2000-01", Period(2000, 1))],
)
def test_parse_and_str_round_trip(text: str, period: Period) -> None:
    assert Period.parse(text) == period
    assert str(period) == text


def test_parse_refuses_a_year_outside_2000_to_2100_that_str_still_writes() -> None:
    assert str(Period(999, 1)) == "0999-01"
    with pytest.raises(PeriodOutOfRange):
        Period.parse("0999-01")


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026/08",
        "",
        "2026-8",
        "26-08",
        "2026-08-01",
        " 2026-08",
        "2026-08\n",
        "２０２６-０８",
    ],
)
def test_parse_refuses_bad_input(text: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        Period.parse(text)
    assert str(excinfo.value) == PERIOD_INVALID.format(text=text)


def test_constructor_refuses_month_out_of_range() -> None:
    with pytest.raises(ValueError) as excinfo:
        Period(2026, 13)
    assert str(excinfo.value) == PERIOD_OUT_OF_RANGE.format(year=2026, month=13)


@pytest.mark.parametrize(
    ("period", "first", "last", "days"),
    [
        (Period(2026, 8), date(2026, 8, 1), date(2026, 8, 31), 31),
        (Period(2026, 2), date(2026, 2, 1), date(2026, 2, 28), 28),
        (Period(2028, 2), date(2028, 2, 1), date(2028, 2, 29), 29),
        (Period(2026, 4), date(2026, 4, 1), date(2026, 4, 30), 30),
    ],
)
def test_first_last_and_days(period: Period, first: date, last: date, days: int) -> None:
    assert (period.first_day, period.last_day, period.days) == (first, last, days)


@pytest.mark.parametrize(
    ("period", "previous", "following"),
    [
        (Period(2026, 8), Period(2026, 7), Period(2026, 9)),
        (Period(2026, 1), Period(2025, 12), Period(2026, 2)),
        (Period(2026, 12), Period(2026, 11), Period(2027, 1)),
    ],
)
def test_next_and_previous(period: Period, previous: Period, following: Period) -> None:
    assert period.previous() == previous
    assert period.next() == following


def test_periods_sort_in_time_order() -> None:
    assert sorted([Period(2026, 10), Period(2025, 12), Period(2026, 2)]) == [
        Period(2025, 12),
        Period(2026, 2),
        Period(2026, 10),
    ]


@given(dates)
def test_of_and_contains(day: date) -> None:
    period = Period.of(day)
    assert period.contains(day)
    assert period.first_day <= day <= period.last_day
    assert not period.next().contains(day)
    assert not period.previous().contains(day)
    assert (period.last_day - period.first_day).days + 1 == period.days
    assert period.next().previous() == period
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 8, 15), 0, date(2026, 8, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(dates, st.integers(min_value=-240, max_value=240))
def test_add_months_lands_in_the_right_month(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == min(day.day, Period.of(result).days)


@pytest.mark.parametrize(
    ("ends_on", "term_months", "expected"),
    [
        (date(2027, 2, 28), 12, date(2028, 2, 29)),  # 2026-03-01..2027-02-28 renewed
        (date(2027, 8, 31), 12, date(2028, 8, 31)),
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
        (date(2027, 3, 14), 12, date(2028, 3, 14)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
    ],
)
def test_renewed_ends_on(ends_on: date, term_months: int, expected: date) -> None:
    assert renewed_ends_on(ends_on=ends_on, term_months=term_months) == expected


def test_renewed_ends_on_refuses_empty_term() -> None:
    with pytest.raises(ValueError) as excinfo:
        renewed_ends_on(ends_on=date(2027, 2, 28), term_months=0)
    assert str(excinfo.value) == TERM_MONTHS_NOT_POSITIVE.format(term_months=0)


@pytest.mark.parametrize(
    ("ends_on", "notice_months", "deadline"),
    [
        (date(2027, 2, 28), 1, date(2027, 1, 28)),
        (date(2027, 3, 31), 1, date(2027, 2, 28)),
        (date(2026, 12, 31), 3, date(2026, 9, 30)),
        (date(2027, 2, 28), 0, date(2027, 2, 28)),
    ],
)
def test_renewal_objection_deadline(ends_on: date, notice_months: int, deadline: date) -> None:
    assert renewal_objection_deadline(ends_on=ends_on, notice_months=notice_months) == deadline


@pytest.mark.parametrize(
    ("period", "starts_on", "ends_on", "expected"),
    [
        (Period(2026, 8), date(2026, 3, 1), date(2027, 2, 28), 31),
        (Period(2026, 3), date(2026, 3, 15), date(2027, 3, 14), 17),
        (Period(2027, 3), date(2026, 3, 15), date(2027, 3, 14), 14),
        (Period(2026, 2), date(2026, 3, 1), date(2027, 2, 28), 0),
        (Period(2027, 3), date(2026, 3, 1), date(2027, 2, 28), 0),
        (Period(2026, 8), date(2026, 8, 10), date(2026, 8, 10), 1),
        (Period(2026, 8), date(2026, 8, 31), date(2026, 9, 30), 1),
        (Period(2026, 8), date(2026, 7, 1), date(2026, 8, 1), 1),
    ],
)
def test_overlap_days(period: Period, starts_on: date, ends_on: date, expected: int) -> None:
    assert overlap_days(period=period, starts_on=starts_on, ends_on=ends_on) == expected


def test_overlap_days_refuses_end_before_start() -> None:
    with pytest.raises(ValueError) as excinfo:
        overlap_days(period=Period(2026, 8), starts_on=date(2026, 8, 10), ends_on=date(2026, 8, 9))
    assert str(excinfo.value) == ENDS_BEFORE_STARTS.format(
        ends_on=date(2026, 8, 9), starts_on=date(2026, 8, 10)
    )


@given(dates, st.integers(min_value=0, max_value=400))
def test_overlap_days_over_consecutive_periods_add_up_to_the_span(
    starts_on: date, length: int
) -> None:
    ends_on = starts_on + timedelta(days=length)
    total = 0
    period = Period.of(starts_on)
    while period.first_day <= ends_on:
        total += overlap_days(period=period, starts_on=starts_on, ends_on=ends_on)
        period = period.next()
    assert total == length + 1


@pytest.mark.parametrize(
    ("period", "starts_on", "number"),
    [
        (Period(2026, 3), date(2026, 3, 1), 1),
        (Period(2026, 5), date(2026, 3, 1), 3),  # web targets do not apply yet
        (Period(2026, 6), date(2026, 3, 1), 4),  # the 4th month: web targets apply
        (Period(2026, 6), date(2026, 3, 15), 4),  # counted by calendar month
        (Period(2027, 1), date(2026, 12, 31), 2),
        (Period(2026, 2), date(2026, 3, 1), 0),  # before the start
    ],
)
def test_operation_month_number(period: Period, starts_on: date, number: int) -> None:
    assert operation_month_number(period=period, starts_on=starts_on) == number
    assert months_since_start(period=period, starts_on=starts_on) == number - 1
