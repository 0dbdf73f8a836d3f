"""Breach notices and cure periods: the pure rules (no Django).

A written breach notice gives the other side ``cure_days`` calendar days to cure the
breach (revenue share 第六章 A: 经通知纠正后15日仍未纠正的，守约方有权解除本协议):

- ``cure_by`` = ``sent_on`` + ``cure_days`` calendar days, whatever weekday or holiday it
  falls on (the contract counts days, not working days, and the deadline is not moved).
- Cured on or before ``cure_by``: no right arises.
- Not cured by then: the side that sent the notice holds a right to terminate the
  agreement from the day after ``cure_by``. The right holds until the day before the
  breach is cured (a cure makes it lapse) and never beyond the agreement's last day: an
  agreement that ended (terminated by that side while the right held, so the right was
  used, or simply expired) leaves nothing to terminate, and a cure recorded afterwards
  takes nothing back.

Each rule answers "what holds on day d" from dated facts only, so the daily job finds the
same first day whether it runs every day or once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)
DEFAULT_CURE_DAYS = 15


def cure_by(*, sent_on: date, cure_days: int) -> date:
    """The last day to cure: ``sent_on`` + ``cure_days`` calendar days (not moved to a
    working day)."""
    if cure_days < 0:
        raise ValueError("cure_days must not be negative")
    return sent_on + timedelta(days=cure_days)


def cured_in_time(*, cure_by: date, cured_on: date | None) -> bool:
    """Whether the breach was cured on or before the cure deadline."""
    return cured_on is not None and cured_on <= cure_by


@dataclass(frozen=True)
class RightWindow:
    """The days the sender's termination right holds: ``first`` to ``last`` inclusive
    (``last`` None: it still holds)."""

    first: date
    last: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


def termination_right_window(
    *, cure_by: date, cured_on: date | None, ends_on: date | None = None
) -> RightWindow | None:
    """The days the notice's sender may terminate, or None when no right ever arises.

    From the day after ``cure_by`` until the day before ``cured_on`` (if cured), and no
    later than ``ends_on`` (the agreement's last day: its end, or the day it was
    terminated).
    """
    first = cure_by + ONE_DAY
    stops = [day for day in (cured_on - ONE_DAY if cured_on else None, ends_on) if day is not None]
    last = min(stops) if stops else None
    if last is not None and last < first:
        return None
    return RightWindow(first, last)


def right_used(*, window: RightWindow | None, terminated_on: date | None) -> bool:
    """Whether the agreement was terminated while the right held (the right was used)."""
    return window is not None and terminated_on is not None and window.holds_on(terminated_on)
