"""A payment in full (which bills the final penalty notice at once) at the same moment
as the daily job's penalty notices, and copies of one notice: each notice is made once,
and neither side fails on the unique index (one notice per statement and date)."""

from collections import Counter

import pytest
from django.db import connection

from common import clock
from settlements import services as s
from settlements.models import Statement
from settlements.selectors import amount_paid
from tests import factories as f
from tests.concurrency.conftest import issued_statement, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI)"
    ),
]

TRIALS = 8


def _overdue_statement(ref):
    agreement = f.agreement("revenue_share", activate=True)
    f.product(agreement.brand, sku="TEA-1")
    return issued_statement(agreement, ref=ref, quantity=50)


def _notices(statement):
    return Counter(
        Statement.objects.filter(kind="penalty", penalty_of=statement).values_list(
            "penalty_as_of", flat=True
        )
    )


def test_payment_in_full_racing_the_daily_notices_makes_each_notice_once():
    today = clock.today()
    for trial in range(TRIALS):
        statement = _overdue_statement(f"P-{trial}")
        assert statement.payment_due_on < today
        outstanding = statement.total_due - amount_paid(statement)

        def work(i, statement=statement, outstanding=outstanding):
            if i == 0:
                return s.payment_record(
                    statement=statement, amount=outstanding, paid_on=today, by=None
                )
            return s.penalty_notices_due(until=today)

        results = race(2, work)
        assert not [r for r in results if isinstance(r, Exception)], results
        notices = _notices(statement)
        assert notices and max(notices.values()) == 1
        assert today in notices  # the final notice, dated on the day paid in full


def test_copies_of_one_penalty_notice_return_the_same_notice():
    as_of = clock.today()
    for trial in range(TRIALS):
        statement = _overdue_statement(f"N-{trial}")
        results = race(3, lambda i, st=statement: s.penalty_notice_issue(statement=st, as_of=as_of))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({notice.pk for notice in results}) == 1
        assert _notices(statement)[as_of] == 1
