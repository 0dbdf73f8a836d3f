"""Breach-notice reads: notices in a user's scope, cure clocks, and the sender's
termination right as of a day (``obligations.cure``). Nothing here writes.

Settlements' flags (``settlements.selectors.flag_windows``) read
``breach_right_windows``, so the right is shown, logged and e-mailed like the other
termination rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.selectors import scope_for_user
from contracts.models import Agreement
from obligations import cure
from obligations.models import BreachNotice


def breach_notices_visible(user: Any) -> Any:
    """The notices of the agreements ``user`` may see."""
    return scope_for_user(
        queryset=BreachNotice.objects.select_related("agreement__brand", "agreement__agency"),
        user=user,
        brand_path="agreement__brand",
    )


def right_window(notice: BreachNotice) -> cure.RightWindow | None:
    """The days the notice's sender may terminate (None: no right arises, or not yet
    cured late and the agreement ended first)."""
    return cure.termination_right_window(
        cure_by=notice.cure_by,
        cured_on=notice.cured_on,
        ends_on=notice.agreement.effective_ends_on,
    )


def breach_right_windows(*, agreements: Any = None) -> list[tuple[BreachNotice, cure.RightWindow]]:
    """Every notice whose sender holds (or held) a termination right, with its days."""
    notices = BreachNotice.objects.select_related("agreement__brand").exclude(
        agreement__status=Agreement.Status.DRAFT
    )
    if agreements is not None:
        notices = notices.filter(agreement__in=agreements)
    found = []
    for notice in notices.order_by("cure_by", "pk"):
        window = right_window(notice)
        if window is not None:
            found.append((notice, window))
    return found


@dataclass(frozen=True)
class TerminationRight:
    """The sender's right as of a day: who holds it, from when, until when (None: while
    the breach stays uncured), and whether it holds that day."""

    held_by: str
    first: date
    last: date | None
    holds_today: bool


def termination_right(notice: BreachNotice, *, today: date) -> TerminationRight | None:
    """The right the notice gave its sender, once it has arisen (None before the day
    after ``cure_by``, and when the breach was cured in time)."""
    window = right_window(notice)
    if window is None or window.first > today:
        return None
    return TerminationRight(
        held_by=notice.by,
        first=window.first,
        last=window.last,
        holds_today=window.holds_on(today),
    )


def cure_clocks_running(*, agreements: Any) -> Any:
    """Notices not cured yet, soonest deadline first."""
    return (
        BreachNotice.objects.filter(agreement__in=agreements, cured_on__isnull=True)
        .exclude(agreement__status=Agreement.Status.DRAFT)
        .select_related("agreement__brand")
        .order_by("cure_by", "pk")
    )


def days_left(notice: BreachNotice, *, today: date) -> int:
    """Days from ``today`` to the cure deadline (negative once it has passed)."""
    return (notice.cure_by - today).days
