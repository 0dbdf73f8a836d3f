"""Calendar-month periods and month arithmetic for agreements.

Pure Python (no Django). A period is one calendar month, written ``YYYY-MM``. Agreement
dates are inclusive: ``ends_on`` is the agreement's last day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_INVALID = "A period is written YYYY-MM with a month from 01 to 12 (got {text!r})."
PERIOD_OUT_OF_RANGE = (
    "A period needs a year from 1 to 9999 and a month from 1 to 12 (got {year}-{month})."
)
ENDS_BEFORE_STARTS = "The end date {ends_on} is before the start date {starts_on}."
TERM_MONTHS_NOT_POSITIVE = "A renewal term must be at least one month (got {term_months})."
NOTICE_MONTHS_NEGATIVE = "A notice period cannot be negative (got {notice_months})."

PERIOD_OUTSIDE_RANGE = "A period from {first} to {last} is expected (got {text!r})."

_PERIOD_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")

# The months and days input may name: a typo such as 9999-12 or 0001-01-01 is refused
# instead of being settled, billed or counted.
FIRST_YEAR, LAST_YEAR = 2000, 2100
EARLIEST_DAY, LATEST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


class PeriodOutOfRange(ValueError):
    """A well-formed period outside FIRST_YEAR..LAST_YEAR."""


@dataclass(frozen=True, order=True)
class Period:
    """One calendar month; periods sort in time order."""

    year: int
    month: int

    def __post_init__(self) -> None:
        """Refuse a month outside 1..12 or a year ``date`` cannot hold."""
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise ValueError(PERIOD_OUT_OF_RANGE.format(year=self.year, month=self.month))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a period written ``YYYY-MM``, e.g. ``"2026-08"``, from 2000-01 to 2100-12."""
        match = _PERIOD_PATTERN.fullmatch(text)
        if match is None:
            raise ValueError(PERIOD_INVALID.format(text=text))
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= year and 1 <= month <= 12):
            raise ValueError(PERIOD_INVALID.format(text=text))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodOutOfRange(
                PERIOD_OUTSIDE_RANGE.format(
                    first=cls(FIRST_YEAR, 1), last=cls(LAST_YEAR, 12), text=text
                )
            )
        return cls(year=year, month=month)

    @classmethod
    def of(cls, day: date) -> Period:
        """The period containing ``day``."""
        return cls(year=day.year, month=day.month)

    def __str__(self) -> str:
        """Write the period as ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month."""
        return date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        """The number of days in the month."""
        return calendar.monthrange(self.year, self.month)[1]

    def next(self) -> Period:
        """The following month."""
        return Period.of(self.last_day + timedelta(days=1))

    def previous(self) -> Period:
        """The preceding month."""
        return Period.of(self.first_day - timedelta(days=1))

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in this month."""
        return (day.year, day.month) == (self.year, self.month)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later (earlier if negative), clamped to the month end.

    2026-01-31 + 1 month is 2026-02-28.
    """
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewed_ends_on(*, ends_on: date, term_months: int) -> date:
    """The new last day after renewing for ``term_months`` months.

    The renewal starts the day after ``ends_on`` and lasts whole months, so an agreement
    running 2026-03-01..2027-02-28 renewed for 12 months ends on 2028-02-29.
    """
    if term_months < 1:
        raise ValueError(TERM_MONTHS_NOT_POSITIVE.format(term_months=term_months))
    return add_months(ends_on + timedelta(days=1), term_months) - timedelta(days=1)


def renewal_objection_deadline(*, ends_on: date, notice_months: int) -> date:
    """The last day a written objection to auto-renewal is in time: ends_on − notice months.

    An objection dated on the deadline itself is in time; one dated later is not.
    """
    if notice_months < 0:
        raise ValueError(NOTICE_MONTHS_NEGATIVE.format(notice_months=notice_months))
    return add_months(ends_on, -notice_months)


def overlap_days(*, period: Period, starts_on: date, ends_on: date) -> int:
    """Days of ``period`` inside ``starts_on..ends_on`` (both inclusive); 0 if none."""
    if ends_on < starts_on:
        raise ValueError(ENDS_BEFORE_STARTS.format(ends_on=ends_on, starts_on=starts_on))
    first = max(period.first_day, starts_on)
    last = min(period.last_day, ends_on)
    return max(0, (last - first).days + 1)


def operation_month_number(*, period: Period, starts_on: date) -> int:
    """Which month of operation ``period`` is: the period containing ``starts_on`` is 1.

    The next period is 2, and so on; periods before the start give 0 or less. DOMAIN's web
    targets apply "from the 4th month of operation", i.e. when this is 4 or more. Months are
    counted by calendar month, so an agreement starting on 2026-03-15 reaches its 4th month
    in period 2026-06 (not on 2026-06-15).
    """
    start = Period.of(starts_on)
    return (period.year - start.year) * 12 + (period.month - start.month) + 1


def months_since_start(*, period: Period, starts_on: date) -> int:
    """Whole calendar months from the period containing ``starts_on`` to ``period``.

    The start period is 0, so this is ``operation_month_number − 1``: "periods starting 3
    months or more after starts_on" are those where this is 3 or more.
    """
    return operation_month_number(period=period, starts_on=starts_on) - 1
