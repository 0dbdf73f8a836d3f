"""The working-day calendar as the business uses it: statutory days plus staff overrides."""

from common.models import Holiday
from core.workdays import WorkCalendar


def work_calendar() -> WorkCalendar:
    """A fresh calendar with every Holiday override loaded.

    Make a new one per computation: its ``fallback_years`` then tells exactly which of
    that computation's dates needed the Monday–Friday fallback.
    """
    overrides = dict(Holiday.objects.values_list("date", "is_working_day"))
    return WorkCalendar(overrides=overrides)
