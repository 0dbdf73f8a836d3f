"""Receivables ageing buckets: the module's worked example and properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ageing

AS_OF = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("due_on", "bucket", "days"),
    [
        (None, ageing.NOT_DUE, 0),
        (date(2026, 12, 15), ageing.NOT_DUE, 0),
        (date(2026, 11, 30), ageing.NOT_DUE, 0),
        (date(2026, 11, 29), ageing.DAYS_1_30, 1),
        (date(2026, 10, 31), ageing.DAYS_1_30, 30),
        (date(2026, 10, 30), ageing.DAYS_31_60, 31),
        (date(2026, 10, 1), ageing.DAYS_31_60, 60),
        (date(2026, 9, 30), ageing.DAYS_61_90, 61),
        (date(2026, 9, 1), ageing.DAYS_61_90, 90),
        (date(2026, 8, 31), ageing.OVER_90, 91),
        (date(2025, 1, 1), ageing.OVER_90, 698),
    ],
)
def test_worked_example(due_on, bucket, days):
    assert ageing.days_past_due(due_on=due_on, as_of=AS_OF) == days
    assert ageing.ageing_bucket(due_on=due_on, as_of=AS_OF) == bucket


def test_a_disputed_item_is_apart_whatever_its_dates():
    for due_on in (None, date(2026, 12, 1), date(2026, 1, 1)):
        assert ageing.ageing_bucket(due_on=due_on, as_of=AS_OF, disputed=True) == "disputed"


def test_totals_list_every_bucket_in_order_and_add_exactly():
    totals = ageing.bucket_totals(
        [
            (ageing.DAYS_1_30, Decimal("100.10"), Decimal("0.30")),
            (ageing.DAYS_1_30, Decimal("0.20"), Decimal("0.00")),
            (ageing.DISPUTED, Decimal("5.00"), Decimal("0.00")),
        ]
    )
    assert [t.bucket for t in totals] == list(ageing.BUCKETS)
    by = {t.bucket: t for t in totals}
    assert (by["1_30"].count, by["1_30"].outstanding, by["1_30"].penalty) == (
        2,
        Decimal("100.30"),
        Decimal("0.30"),
    )
    assert by["1_30"].total == Decimal("100.60")
    assert by["not_due"].count == 0 and by["not_due"].total == Decimal("0.00")
    with pytest.raises(ValueError, match="Unknown ageing bucket"):
        ageing.bucket_totals([("2_weeks", Decimal("1.00"), Decimal("0.00"))])


@given(st.integers(min_value=-400, max_value=2000), st.integers(min_value=0, max_value=400))
def test_buckets_never_move_back_as_time_passes(offset, later):
    due_on = AS_OF + timedelta(days=offset)
    order = list(ageing.BUCKETS)
    now = ageing.ageing_bucket(due_on=due_on, as_of=AS_OF)
    then = ageing.ageing_bucket(due_on=due_on, as_of=AS_OF + timedelta(days=later))
    assert order.index(then) >= order.index(now)


@given(st.integers(min_value=1, max_value=5000))
def test_bucket_bounds_hold_for_any_days_past_due(days):
    bucket = ageing.ageing_bucket(due_on=AS_OF - timedelta(days=days), as_of=AS_OF)
    low, high = {
        "1_30": (1, 30),
        "31_60": (31, 60),
        "61_90": (61, 90),
        "over_90": (91, 10**6),
    }[bucket]
    assert low <= days <= high
