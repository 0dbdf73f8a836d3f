"""The daily cycle's rules as of a date: when each flag holds and which penalty notices
are due. Pure Python (no Django).

Every rule here answers "what is true on day d" from dated facts only (due dates,
payments, issue and reply dates), never "what changed since the last run". So the daily
job can apply them once up to a day D, or on every day up to D, and leave the same
records: a flag is first seen on the first day it holds (not on the day a job happened
to run), and a penalty notice is dated on the 1st it belongs to or on the day the bill
was paid in full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import Payment
from core.periods import Period

ONE_DAY = timedelta(days=1)

# The agency answers a dispute within this many working days (an agreement's terms may
# say otherwise); after that the dispute is flagged "unanswered" for its staff.
DISPUTE_REPLY_WORKING_DAYS = 5

# Why a penalty notice is issued: the monthly notice while the bill is open, or the
# final one when it is paid in full.
NOTICE_MONTHLY = "monthly"
NOTICE_PAID_IN_FULL = "paid_in_full"


@dataclass(frozen=True)
class Window:
    """The days a flag holds: from ``first`` to ``last`` inclusive (None: still holds)."""

    first: date
    last: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


def _window(first: date, last: date | None) -> Window | None:
    """A window, or None when it is empty (the condition never held)."""
    if last is not None and last < first:
        return None
    return Window(first, last)


def paid_in_full_on(*, principal: Decimal, payments: Iterable[Payment]) -> date | None:
    """The day the payments reach the principal, or None while some of it is unpaid.

    A principal of zero or less is paid from the start: None is returned too, as there
    is no day on which it was ever owed.
    """
    if principal <= 0:
        return None
    paid = Decimal(0)
    for payment in sorted(payments, key=lambda p: p.paid_on):
        paid += payment.amount
        if paid >= principal:
            return payment.paid_on
    return None


def statement_late_window(*, issue_deadline: date, issued_on: date | None) -> Window | None:
    """ "Statement late": from the day after the issue deadline until the day before it is
    issued (issuing it on a day clears the flag that day)."""
    return _window(issue_deadline + ONE_DAY, issued_on - ONE_DAY if issued_on else None)


def brand_termination_window(
    *, demand_on: date, issued_on: date | None, days: int
) -> Window | None:
    """The brand's termination right after a demand (催缴): from ``demand_on + days + 1``
    when the statement was not issued by ``demand_on + days``; issuing later does not take
    it away."""
    last_day_in_time = demand_on + timedelta(days=days)
    if issued_on is not None and issued_on <= last_day_in_time:
        return None
    return Window(last_day_in_time + ONE_DAY)


def payment_overdue_window(
    *, principal: Decimal, due_on: date, payments: Iterable[Payment]
) -> Window | None:
    """ "Payment overdue": from the day after the due date while principal is owed at the
    start of the day, so up to and including the day it is paid in full."""
    if principal <= 0:
        return None
    return _window(due_on + ONE_DAY, paid_in_full_on(principal=principal, payments=payments))


def termination_right_window(
    *, principal: Decimal, due_on: date, payments: Iterable[Payment], overdue_days: int
) -> Window | None:
    """The agency's termination right: from ``due_on + overdue_days + 1`` while principal is
    owed at the start of the day; it lapses the day after the principal is paid."""
    if principal <= 0:
        return None
    return _window(
        due_on + timedelta(days=overdue_days + 1),
        paid_in_full_on(principal=principal, payments=payments),
    )


def dispute_unanswered_window(
    *, reply_by: date, replied_on: date | None, ended_on: date | None
) -> Window | None:
    """ "Dispute unanswered" (for the agency's staff): from the day after the reply
    deadline until the day before the agency replies or the dispute ends (withdrawn or
    voided), whichever comes first."""
    stops = [day for day in (replied_on, ended_on) if day is not None]
    return _window(reply_by + ONE_DAY, min(stops) - ONE_DAY if stops else None)


@dataclass(frozen=True)
class NoticeDate:
    """A penalty notice that is due: the penalty is billed up to ``as_of``."""

    as_of: date
    issued_on: date
    reason: str


def penalty_notice_dates(
    *,
    principal: Decimal,
    due_on: date,
    payments: Iterable[Payment],
    until: date,
    issued_on: date | None = None,
) -> list[NoticeDate]:
    """The penalty notices a bill calls for up to ``until``, in date order.

    - One each month while it is open: on the 1st, billing the penalty to the last day of
      the month before, for every month end after the due date on which principal was
      still owed.
    - One when it is paid in full after its due date, billing the penalty up to the day
      of the last payment, dated that day.

    A notice is never dated before the bill itself was issued (``issued_on``): a bill
    entered late gets its notices on its own issue day.
    """
    payments = list(payments)
    if principal <= 0:
        return []
    paid_in_full = paid_in_full_on(principal=principal, payments=payments)
    floor = issued_on or due_on
    dates: list[NoticeDate] = []
    first_of_month = Period.of(due_on).next().first_day
    while first_of_month <= until:
        month_end = first_of_month - ONE_DAY
        if month_end > due_on and (paid_in_full is None or paid_in_full > month_end):
            dates.append(NoticeDate(month_end, max(first_of_month, floor), NOTICE_MONTHLY))
        first_of_month = Period.of(first_of_month).next().first_day
    if paid_in_full is not None and due_on < paid_in_full <= until:
        dates.append(NoticeDate(paid_in_full, max(paid_in_full, floor), NOTICE_PAID_IN_FULL))
    return sorted(dates, key=lambda notice: notice.as_of)
