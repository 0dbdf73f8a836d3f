"""Chinese statutory working days (工作日) and deadlines counted in them.

Pure Python (no Django). Weekends and public holidays are off, make-up working weekends
(调休) are on, as the ``chinese_calendar`` package knows them. Overrides from the
admin-editable holiday table always win. For a year the package does not know and the
overrides do not touch, working days fall back to Monday–Friday and the year is recorded
so that a statement can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import chinese_calendar

FALLBACK_NOTE = (
    "Working days for {years} were computed Monday–Friday: no holiday data for that year."
)
FALLBACK_NOTE_ZH = "{years}年无节假日数据，工作日按周一至周五计算。"
NEGATIVE_DAY_COUNT = "A number of days cannot be negative (got {days})."
NO_WORKING_DAY = "No working day within {days} days from {start}."

# A year always holds working days; a longer search means the overrides are broken.
_SEARCH_LIMIT_DAYS = 366


def fallback_note(years: Iterable[int]) -> str:
    """The "zh / en" note for statements whose dates used the Monday–Friday fallback.

    Empty when ``years`` is empty.
    """
    ordered = sorted(set(years))
    if not ordered:
        return ""
    zh = FALLBACK_NOTE_ZH.format(years="、".join(str(year) for year in ordered))
    en = FALLBACK_NOTE.format(years=", ".join(str(year) for year in ordered))
    return f"{zh} / {en}"


class WorkCalendar:
    """Working days from ``chinese_calendar``, corrected by overrides.

    ``overrides`` maps a date to whether it is a working day; they always win. A year the
    package does not know is computed as weekends off plus the overrides when the overrides
    contain any date of that year; otherwise as Monday–Friday, and the year is added to
    ``fallback_years`` (accumulated over the calendar's life).
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        """Build a calendar; ``overrides`` come from the holiday table."""
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._override_years: frozenset[int] = frozenset(day.year for day in self._overrides)
        self._cache: dict[date, bool] = {}
        self.fallback_years: set[int] = set()

    @property
    def used_fallback(self) -> bool:
        """Whether any date looked up so far used the Monday–Friday fallback."""
        return bool(self.fallback_years)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        working = self._look_up(day)
        self._cache[day] = working
        return working

    def _look_up(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._override_years:
                self.fallback_years.add(day.year)
            return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next one.

        Used to move a deadline that falls on a non-working day.
        """
        candidate = day
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError(NO_WORKING_DAY.format(days=_SEARCH_LIMIT_DAYS, start=day))

    def add_working_days(self, day: date, days: int) -> date:
        """The ``days``-th working day strictly after ``day`` ("N working days after X").

        ``day`` itself need not be a working day. With ``days == 0`` this is
        ``next_working_day(day)``.
        """
        if days < 0:
            raise ValueError(NEGATIVE_DAY_COUNT.format(days=days))
        if days == 0:
            return self.next_working_day(day)
        candidate = day
        for _ in range(days):
            candidate = self.next_working_day(candidate + timedelta(days=1))
        return candidate

    def add_calendar_days_to_working_day(self, day: date, days: int) -> date:
        """``days`` calendar days after ``day``, moved to the next working day if needed.

        For "N days after X" deadlines, e.g. the setup fee: signing + 3 calendar days.
        """
        if days < 0:
            raise ValueError(NEGATIVE_DAY_COUNT.format(days=days))
        return self.next_working_day(day + timedelta(days=days))
