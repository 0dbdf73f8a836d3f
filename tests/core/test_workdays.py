"""Tests for core.workdays: Chinese statutory working days, overrides and the fallback.

The 2026 dates were checked against chinese_calendar 1.11 (国务院办公厅 2026 holiday notice).
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.workdays import (
    FALLBACK_NOTE,
    FALLBACK_NOTE_ZH,
    NEGATIVE_DAY_COUNT,
    WorkCalendar,
    fallback_note,
)


def _first_year_without_data(start: int) -> int:
    year = start
    while True:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return year
        year += 1


# 2027 today; moves on by itself when chinese_calendar learns 2027.
UNKNOWN_YEAR = _first_year_without_data(2027)


def _first_monday(year: int) -> date:
    """The first Monday of March of ``year``, a month with no public holiday."""
    day = date(year, 3, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 18), True),  # Friday
        (date(2026, 9, 19), False),  # Saturday
        (date(2026, 9, 20), True),  # Sunday, make-up working day (调休)
        (date(2026, 9, 25), False),  # Mid-autumn Festival, a Friday
        (date(2026, 9, 28), True),
        (date(2026, 10, 1), False),  # National Day 10-01..10-07
        (date(2026, 10, 3), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, make-up working day
        (date(2026, 10, 11), False),  # Sunday
        (date(2026, 2, 14), True),  # Saturday, make-up working day before Spring Festival
        (date(2026, 2, 15), False),  # Spring Festival 02-15..02-23
        (date(2026, 2, 17), False),
        (date(2026, 2, 23), False),  # a Monday, still the holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day after Spring Festival
        (date(2026, 3, 1), False),  # Sunday
    ],
)
def test_is_working_day_2026(day: date, working: bool) -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(day) is working
    assert not calendar.used_fallback


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 3), date(2026, 10, 8)),  # a deadline in the National Day holiday
        (date(2026, 9, 25), date(2026, 9, 28)),  # Mid-autumn Festival and the weekend
        (date(2026, 9, 20), date(2026, 9, 20)),  # make-up Sunday is already a working day
        (date(2026, 10, 11), date(2026, 10, 12)),
        (date(2026, 2, 15), date(2026, 2, 24)),
        (date(2026, 9, 16), date(2026, 9, 16)),
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert WorkCalendar().next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (date(2026, 9, 11), 3, date(2026, 9, 16)),  # receipt confirmed + 3 working days
        (date(2026, 9, 8), 5, date(2026, 9, 15)),  # issued + 5 working days (receipt due)
        (date(2026, 9, 12), 1, date(2026, 9, 14)),  # from a Saturday: strictly after
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # the make-up Sunday counts
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # across National Day
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # the make-up Saturday counts
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        (date(2026, 10, 3), 0, date(2026, 10, 8)),  # zero days: moved to a working day
        (date(2026, 9, 16), 0, date(2026, 9, 16)),
    ],
)
def test_add_working_days(day: date, days: int, expected: date) -> None:
    assert WorkCalendar().add_working_days(day, days) == expected


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (date(2026, 9, 15), 3, date(2026, 9, 18)),  # setup fee: signing + 3 calendar days
        (date(2026, 9, 16), 3, date(2026, 9, 20)),  # lands on the make-up Sunday
        (date(2026, 9, 22), 3, date(2026, 9, 28)),  # lands on Mid-autumn, moves to Monday
        (date(2026, 9, 30), 3, date(2026, 10, 8)),  # lands in National Day
        (date(2026, 10, 9), 0, date(2026, 10, 9)),
    ],
)
def test_add_calendar_days_to_working_day(day: date, days: int, expected: date) -> None:
    assert WorkCalendar().add_calendar_days_to_working_day(day, days) == expected


def test_negative_day_counts_are_refused() -> None:
    with pytest.raises(ValueError) as excinfo:
        WorkCalendar().add_working_days(date(2026, 9, 11), -1)
    assert str(excinfo.value) == NEGATIVE_DAY_COUNT.format(days=-1)
    with pytest.raises(ValueError) as excinfo:
        WorkCalendar().add_calendar_days_to_working_day(date(2026, 9, 11), -3)
    assert str(excinfo.value) == NEGATIVE_DAY_COUNT.format(days=-3)


def test_override_turns_a_statutory_working_day_into_a_holiday() -> None:
    calendar = WorkCalendar({date(2026, 9, 16): False})
    assert calendar.is_working_day(date(2026, 9, 16)) is False
    assert calendar.add_working_days(date(2026, 9, 11), 3) == date(2026, 9, 17)
    assert calendar.next_working_day(date(2026, 9, 16)) == date(2026, 9, 17)
    assert not calendar.used_fallback


def test_override_turns_a_statutory_holiday_into_a_working_day() -> None:
    calendar = WorkCalendar({date(2026, 10, 3): True})
    assert calendar.next_working_day(date(2026, 10, 2)) == date(2026, 10, 3)
    assert calendar.is_working_day(date(2026, 10, 4)) is False


def test_unknown_year_without_overrides_falls_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar()
    monday = _first_monday(UNKNOWN_YEAR)
    week = [calendar.is_working_day(monday + timedelta(days=offset)) for offset in range(7)]
    assert week == [True, True, True, True, True, False, False]
    assert calendar.fallback_years == {UNKNOWN_YEAR}
    assert calendar.used_fallback
    assert calendar.add_working_days(monday + timedelta(days=4), 1) == monday + timedelta(days=7)


def test_fallback_years_accumulate_across_calls() -> None:
    calendar = WorkCalendar()
    calendar.is_working_day(date(2026, 9, 20))
    assert calendar.fallback_years == set()
    calendar.is_working_day(_first_monday(UNKNOWN_YEAR))
    calendar.is_working_day(_first_monday(UNKNOWN_YEAR + 1))
    calendar.is_working_day(_first_monday(UNKNOWN_YEAR))  # cached, still recorded
    assert calendar.fallback_years == {UNKNOWN_YEAR, UNKNOWN_YEAR + 1}


def test_unknown_year_with_an_override_does_not_fall_back() -> None:
    monday = _first_monday(UNKNOWN_YEAR)
    saturday = monday + timedelta(days=5)
    calendar = WorkCalendar({monday: False, saturday: True})
    week = [calendar.is_working_day(monday + timedelta(days=offset)) for offset in range(7)]
    assert week == [False, True, True, True, True, True, False]
    # A date of that year that is not overridden: weekends off, no fallback recorded.
    assert calendar.is_working_day(date(UNKNOWN_YEAR, 12, 1)) is (
        date(UNKNOWN_YEAR, 12, 1).weekday() < 5
    )
    assert calendar.fallback_years == set()
    assert not calendar.used_fallback


def test_overrides_are_copied_at_construction() -> None:
    overrides = {date(2026, 9, 16): False}
    calendar = WorkCalendar(overrides)
    overrides[date(2026, 9, 16)] = True
    assert calendar.is_working_day(date(2026, 9, 16)) is False


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([], ""),
        (
            [2027],
            "2027年无节假日数据，工作日按周一至周五计算。 / "
            "Working days for 2027 were computed Monday–Friday: no holiday data for that year.",
        ),
        (
            [2028, 2027, 2028],
            FALLBACK_NOTE_ZH.format(years="2027、2028")
            + " / "
            + FALLBACK_NOTE.format(years="2027, 2028"),
        ),
    ],
)
def test_fallback_note(years: list[int], expected: str) -> None:
    assert fallback_note(years) == expected


@given(
    day=st.dates(min_value=date(2004, 1, 1), max_value=date(UNKNOWN_YEAR, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
)
def test_add_working_days_properties(day: date, days: int) -> None:
    calendar = WorkCalendar()
    result = calendar.add_working_days(day, days)
    assert result > day
    assert calendar.is_working_day(result)
    between = (day + timedelta(days=offset) for offset in range(1, (result - day).days))
    assert sum(calendar.is_working_day(d) for d in between) == days - 1
    assert calendar.add_working_days(day, days - 1) <= result  # n = 0 may be the same day
    assert calendar.add_working_days(day, days + 1) > result


@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(UNKNOWN_YEAR, 12, 31)))
def test_next_working_day_properties(day: date) -> None:
    calendar = WorkCalendar()
    result = calendar.next_working_day(day)
    assert result >= day
    assert calendar.is_working_day(result)
    assert not any(
        calendar.is_working_day(day + timedelta(days=n)) for n in range((result - day).days)
    )
    assert calendar.is_working_day(day) is (result == day)
