"""Recurring obligations: which months or quarters owe one, and when each falls due.

Pure Python (no Django). A schedule is monthly or quarterly. Rules (docs/obligations.md):

- An occurrence exists for every calendar month (quarter) the agreement runs on any day
  of, so a partial first or last period owes one too. Its key is the period: ``2026-09``
  for a month, ``2026-Q3`` for a quarter; a schedule never has two in one period.
- It falls due on the period's ``due_day`` (of the month; of the quarter's last month),
  moved to the period's last day when the month is shorter (31 → 28 or 29 February), or
  on the period's last day when no day is given.
- A due date before the agreement's first day moves to the first period's last day; a
  due date after its last day (a partial last period, an early termination) moves to
  that last day. So every due date lies inside both its period and the agreement.
- The occurrences depend only on the start, the end and the schedule: extending the end
  (a renewal) adds the missing periods; cutting it (a termination) removes the periods
  that start after the new end. ``schedule_sync`` says what to create, move and remove.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

MONTHLY = "monthly"
QUARTERLY = "quarterly"
SCHEDULES = (MONTHLY, QUARTERLY)

UNKNOWN_SCHEDULE = "A schedule is 'monthly' or 'quarterly' (got {schedule!r})."
BAD_DUE_DAY = "A due day is a day of the month from 1 to 31 (got {due_day})."
ENDS_BEFORE_STARTS = "The end date {ends_on} is before the start date {starts_on}."


@dataclass(frozen=True, order=True)
class Occurrence:
    """One period of a schedule and the day its obligation falls due."""

    period: str
    due_on: date


@dataclass(frozen=True)
class SyncPlan:
    """What brings stored occurrences (period → due date) to a schedule's occurrences."""

    create: tuple[Occurrence, ...]
    move: tuple[Occurrence, ...]  # stored, due on another day now
    remove: tuple[str, ...]  # periods no longer owed


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_key(schedule: str, day: date) -> str:
    """The key of the period holding ``day``: ``2026-09`` or ``2026-Q3``."""
    if schedule == MONTHLY:
        return f"{day.year:04d}-{day.month:02d}"
    if schedule == QUARTERLY:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    raise ValueError(UNKNOWN_SCHEDULE.format(schedule=schedule))


def period_bounds(schedule: str, day: date) -> tuple[date, date]:
    """The first and last day of the period holding ``day``."""
    if schedule == MONTHLY:
        return date(day.year, day.month, 1), _month_end(day.year, day.month)
    if schedule == QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        return date(day.year, first_month, 1), _month_end(day.year, first_month + 2)
    raise ValueError(UNKNOWN_SCHEDULE.format(schedule=schedule))


def nominal_due_on(schedule: str, due_day: int | None, day: date) -> date:
    """The due date of the period holding ``day``, before the agreement's dates apply."""
    if due_day is not None and not 1 <= due_day <= 31:
        raise ValueError(BAD_DUE_DAY.format(due_day=due_day))
    _first, last = period_bounds(schedule, day)
    if due_day is None:
        return last
    return date(last.year, last.month, min(due_day, last.day))


def occurrences(
    *, schedule: str, due_day: int | None, starts_on: date, ends_on: date
) -> list[Occurrence]:
    """Every occurrence from ``starts_on`` to ``ends_on`` (both inclusive), in order."""
    if ends_on < starts_on:
        raise ValueError(ENDS_BEFORE_STARTS.format(ends_on=ends_on, starts_on=starts_on))
    found: list[Occurrence] = []
    first, last = period_bounds(schedule, starts_on)
    while first <= ends_on:
        due = nominal_due_on(schedule, due_day, first)
        if due < starts_on:
            due = last
        found.append(Occurrence(period=period_key(schedule, first), due_on=min(due, ends_on)))
        first, last = period_bounds(schedule, date.fromordinal(last.toordinal() + 1))
    return found


def schedule_sync(*, stored: Mapping[str, date], wanted: Iterable[Occurrence]) -> SyncPlan:
    """What to create, move and remove so ``stored`` (period → due date) becomes ``wanted``.

    The caller decides which stored occurrences may move or go (only open ones: what was
    done, approved or waived stays as it was).
    """
    wanted_by_period = {item.period: item for item in wanted}
    create = tuple(item for key, item in wanted_by_period.items() if key not in stored)
    move = tuple(
        item
        for key, item in wanted_by_period.items()
        if key in stored and stored[key] != item.due_on
    )
    remove = tuple(sorted(key for key in stored if key not in wanted_by_period))
    return SyncPlan(create=tuple(sorted(create)), move=tuple(sorted(move)), remove=remove)


def years_after(day: date, years: int) -> date:
    """The same day ``years`` years later; 29 February becomes 28 February."""
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))
