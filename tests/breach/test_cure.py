"""The pure cure rules (obligations.cure): worked examples and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obligations import cure


@pytest.mark.parametrize(
    ("sent_on", "days", "expected"),
    [
        (date(2026, 9, 1), 15, date(2026, 9, 16)),
        # Calendar days: a deadline on a Saturday or a holiday stays there.
        (date(2026, 9, 11), 15, date(2026, 9, 26)),  # a Saturday
        (date(2026, 9, 16), 15, date(2026, 10, 1)),  # National Day
        # Month ends and leap years.
        (date(2026, 1, 31), 15, date(2026, 2, 15)),
        (date(2026, 2, 14), 15, date(2026, 3, 1)),
        (date(2028, 2, 14), 15, date(2028, 2, 29)),
        (date(2028, 2, 15), 15, date(2028, 3, 1)),
        (date(2026, 12, 20), 15, date(2027, 1, 4)),
        (date(2026, 9, 1), 0, date(2026, 9, 1)),
        (date(2026, 9, 1), 30, date(2026, 10, 1)),
    ],
)
def test_cure_by_counts_calendar_days(sent_on, days, expected):
    assert cure.cure_by(sent_on=sent_on, cure_days=days) == expected


def test_negative_cure_days_are_refused():
    with pytest.raises(ValueError):
        cure.cure_by(sent_on=date(2026, 9, 1), cure_days=-1)


CURE_BY = date(2028, 2, 29)


@pytest.mark.parametrize(
    ("cured_on", "ends_on", "expected"),
    [
        # Never cured: the right holds from the day after cure_by, open-ended.
        (None, None, cure.RightWindow(date(2028, 3, 1))),
        # Cured on or before the deadline: no right at all.
        (date(2028, 2, 29), None, None),
        (date(2028, 2, 20), None, None),
        # Cured the day after: the right held... no day (it lapses that very day).
        (date(2028, 3, 1), None, None),
        # Cured later: it holds until the day before the cure.
        (date(2028, 3, 10), None, cure.RightWindow(date(2028, 3, 1), date(2028, 3, 9))),
        # The agreement ended (terminated while the right held, or expired): no later.
        (None, date(2028, 3, 5), cure.RightWindow(date(2028, 3, 1), date(2028, 3, 5))),
        (date(2028, 3, 20), date(2028, 3, 5), cure.RightWindow(date(2028, 3, 1), date(2028, 3, 5))),
        # The agreement ended before the right arose.
        (None, date(2028, 2, 29), None),
    ],
)
def test_termination_right_window(cured_on, ends_on, expected):
    window = cure.termination_right_window(cure_by=CURE_BY, cured_on=cured_on, ends_on=ends_on)
    assert window == expected


def test_right_used_only_when_terminated_while_it_held():
    window = cure.termination_right_window(cure_by=CURE_BY, cured_on=date(2028, 3, 10))
    assert cure.right_used(window=window, terminated_on=date(2028, 3, 5))
    assert not cure.right_used(window=window, terminated_on=date(2028, 3, 10))
    assert not cure.right_used(window=window, terminated_on=date(2028, 2, 29))
    assert not cure.right_used(window=None, terminated_on=date(2028, 3, 5))


def test_cured_in_time():
    assert cure.cured_in_time(cure_by=CURE_BY, cured_on=CURE_BY)
    assert not cure.cured_in_time(cure_by=CURE_BY, cured_on=date(2028, 3, 1))
    assert not cure.cured_in_time(cure_by=CURE_BY, cured_on=None)


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))


@given(
    sent_on=days,
    cure_days=st.integers(min_value=0, max_value=90),
    cured_after=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    ends_after=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
    probe=st.integers(min_value=-5, max_value=400),
)
def test_the_right_never_holds_by_the_deadline_nor_from_the_cure(
    sent_on, cure_days, cured_after, ends_after, probe
):
    cure_by = cure.cure_by(sent_on=sent_on, cure_days=cure_days)
    cured_on = None if cured_after is None else sent_on + timedelta(days=cured_after)
    ends_on = None if ends_after is None else sent_on + timedelta(days=ends_after)
    window = cure.termination_right_window(cure_by=cure_by, cured_on=cured_on, ends_on=ends_on)
    day = sent_on + timedelta(days=probe)
    holds = window is not None and window.holds_on(day)
    if day <= cure_by:
        assert not holds
    if cured_on is not None and day >= cured_on:
        assert not holds
    if ends_on is not None and day > ends_on:
        assert not holds
    # And it does hold on every day in between (nothing else takes it away).
    if (
        day > cure_by
        and (cured_on is None or day < cured_on)
        and (ends_on is None or day <= ends_on)
    ):
        assert holds
    if cure.cured_in_time(cure_by=cure_by, cured_on=cured_on):
        assert window is None
