"""The working-day calendar as the business uses it: statutory days plus staff overrides."""

from datetime import date

from common.models import Holiday
from core.workdays import WorkCalendar


def work_calendar() -> WorkCalendar:
    """A fresh calendar with every Holiday override loaded.

    Make a new one per computation: its ``fallback_years`` then tells exactly which of
    that computation's dates needed the Monday–Friday fallback.
    """
    return WorkCalendar(overrides=holiday_overrides())


def holiday_overrides() -> dict[date, bool]:
    """The holiday table: each overridden date and whether it is a working day (read once
    for a batch, then one ``WorkCalendar(overrides=...)`` per computation)."""
    return dict(Holiday.objects.values_list("date", "is_working_day"))
