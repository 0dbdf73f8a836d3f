"""Receivables ageing: which bucket an open item falls in as of a date, and bucket totals.

Pure Python (no Django). An open item is anything the brand still owes principal on: a
statement, a penalty notice or a bill. It ages by the calendar days since its payment
was due:

- ``not_due``: no due date yet (awaiting receipt or confirmation), or due today or later;
- ``1_30``, ``31_60``, ``61_90``, ``over_90``: days past the due date;
- ``disputed``: a disputed item is kept apart whatever its dates, because nothing is
  due while the brand disputes it.

Worked example, as of 2026-11-30: an item due 2026-11-30 is ``not_due``; due 2026-11-29,
1 day past due, ``1_30``; due 2026-10-31, 30 days, ``1_30``; due 2026-10-30, 31 days,
``31_60``; due 2026-09-01, 90 days, ``61_90``; due 2026-08-31, 91 days, ``over_90``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

NOT_DUE = "not_due"
DAYS_1_30 = "1_30"
DAYS_31_60 = "31_60"
DAYS_61_90 = "61_90"
OVER_90 = "over_90"
DISPUTED = "disputed"

# In the order a report shows them: the ageing buckets, then the disputed items apart.
BUCKETS: tuple[str, ...] = (NOT_DUE, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90, DISPUTED)
# Each past-due bucket's last day (inclusive); past the last one is over 90.
_UPPER_BOUNDS: tuple[tuple[int, str], ...] = ((30, DAYS_1_30), (60, DAYS_31_60), (90, DAYS_61_90))


def days_past_due(*, due_on: date | None, as_of: date) -> int:
    """Calendar days after ``due_on`` as of a date; 0 when not yet due or no due date."""
    if due_on is None or as_of <= due_on:
        return 0
    return (as_of - due_on).days


def ageing_bucket(*, due_on: date | None, as_of: date, disputed: bool = False) -> str:
    """The bucket of an open item as of a date (see the module's worked example)."""
    if disputed:
        return DISPUTED
    days = days_past_due(due_on=due_on, as_of=as_of)
    if days == 0:
        return NOT_DUE
    for upper, bucket in _UPPER_BOUNDS:
        if days <= upper:
            return bucket
    return OVER_90


@dataclass(frozen=True)
class BucketTotal:
    """How many open items fall in a bucket, and what they owe."""

    bucket: str
    count: int
    outstanding: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.outstanding + self.penalty


def bucket_totals(items: Iterable[tuple[str, Decimal, Decimal]]) -> list[BucketTotal]:
    """Totals per bucket, every bucket present and in ``BUCKETS`` order.

    ``items`` are ``(bucket, outstanding principal, penalty to date)``; sums are exact
    (each figure is already money of two places).
    """
    counts = dict.fromkeys(BUCKETS, 0)
    outstanding = dict.fromkeys(BUCKETS, Decimal("0.00"))
    penalty = dict.fromkeys(BUCKETS, Decimal("0.00"))
    for bucket, owed, accrued in items:
        if bucket not in counts:
            raise ValueError(f"Unknown ageing bucket: {bucket!r}.")
        counts[bucket] += 1
        outstanding[bucket] += owed
        penalty[bucket] += accrued
    return [BucketTotal(b, counts[b], outstanding[b], penalty[b]) for b in BUCKETS]
