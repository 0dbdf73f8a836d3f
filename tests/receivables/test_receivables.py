"""Receivables as of a date: buckets at their boundary days, disputes apart, every kind
of open item, and a fixed number of queries whatever the number of items."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import User
from receivables.selectors import brand_receivables, receivables_for
from settlements import selectors
from settlements import services as s
from tests import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
    ],
)
def test_an_item_ages_by_calendar_days_past_its_due_date(world, days, bucket):
    due = world.august.payment_due_on
    as_of = due + timedelta(days=days)
    rows = {r.statement.pk: r for r in brand_receivables(brand=world.brand, as_of=as_of).items}
    row = rows[world.august.pk]
    assert (row.days_past_due, row.bucket) == (days, bucket)
    assert row.outstanding == world.august.total_due
    # 0.3% a day of the unpaid principal, rounded once.
    assert row.penalty == (world.august.total_due * D("0.003") * days).quantize(D("0.01"))


def test_disputed_items_stand_apart_and_count_in_the_principal(world):
    found = brand_receivables(brand=world.brand, as_of=date(2026, 12, 31))
    rows = {r.statement.pk: r for r in found.items}
    disputed = rows[world.september.pk]
    assert (disputed.bucket, disputed.days_past_due, disputed.penalty) == ("disputed", 0, D("0"))
    buckets = found.by_bucket
    assert buckets["disputed"].outstanding == world.september.total_due
    assert buckets["disputed"].count == 1
    assert found.total_outstanding == sum((r.outstanding for r in found.items), D("0"))
    assert world.september.total_due <= found.total_outstanding


def test_an_item_with_no_due_date_yet_is_not_due(world):
    """Awaiting its invoice or its receipt, an item has no payment due date: not due."""
    from settlements.models import Statement

    Statement.objects.filter(pk=world.august.pk).update(payment_due_on=None)
    rows = {
        r.statement.pk: r
        for r in brand_receivables(brand=world.brand, as_of=date(2026, 12, 31)).items
    }
    row = rows[world.august.pk]
    assert (row.bucket, row.days_past_due, row.penalty) == ("not_due", 0, D("0.00"))
    assert row.outstanding == world.august.total_due


def test_one_off_bills_and_penalty_notices_are_items_and_nothing_counts_twice(world):
    due = world.august.payment_due_on
    notice = s.penalty_notice_issue(
        statement=world.august, as_of=due + timedelta(days=10), by=world.staff
    )
    assert notice is not None and notice.total_due == D("107.10")
    later = due + timedelta(days=20)
    rows = {r.statement.pk: r for r in brand_receivables(brand=world.brand, as_of=later).items}
    assert {r.statement.kind for r in rows.values()} == {"monthly", "penalty"}
    # The setup-fee bill (issued at activation, today) is an item too.
    today = brand_receivables(brand=world.brand, as_of=date(2026, 12, 31)).items
    assert {r.statement.kind for r in today} == {"setup_fee", "monthly", "penalty"}
    assert rows[notice.pk].outstanding == D("107.10")
    # The principal's penalty to date less what the notice billed.
    accrued = (world.august.total_due * D("0.003") * 20).quantize(D("0.01"))
    assert rows[world.august.pk].penalty == accrued - D("107.10")
    # Before the notice was issued it is no item, and it billed nothing yet.
    before = {
        r.statement.pk: r
        for r in brand_receivables(brand=world.brand, as_of=due + timedelta(days=5)).items
    }
    assert notice.pk not in before
    assert before[world.august.pk].penalty == D("53.55")


def test_payments_reduce_the_principal_from_their_date(world):
    due = world.august.payment_due_on
    s.payment_record(statement=world.august, amount=D("570.00"), paid_on=due, by=world.staff)
    row = next(
        r
        for r in brand_receivables(brand=world.brand, as_of=due + timedelta(days=10)).items
        if r.statement.pk == world.august.pk
    )
    assert row.outstanding == D("3000.00")
    assert row.penalty == D("90.00")
    s.payment_record(statement=world.august, amount=D("3000.00"), paid_on=due, by=world.staff)
    assert world.august.pk not in {
        r.statement.pk for r in brand_receivables(brand=world.brand, as_of=due).items
    }


def test_the_user_sees_their_scope_only(world, other):
    as_of = date(2026, 12, 31)
    mine = {r.statement.pk for r in receivables_for(user=world.staff, as_of=as_of).items}
    theirs = {r.statement.pk for r in receivables_for(user=other.staff, as_of=as_of).items}
    assert mine and theirs and not mine & theirs
    assert {r.statement.pk for r in receivables_for(user=world.finance, as_of=as_of).items} == mine
    nobody = f.user(None, "")
    assert receivables_for(user=nobody, as_of=as_of).items == []


def _agreements(count: int, world) -> None:
    for _ in range(count - 1):
        agreement = f.agreement(
            "revenue_share", brand_org=world.brand, activate=True, penalty_rate_per_day=D("0.003")
        )
        bill = agreement.statements.get(kind="setup_fee")
        s.payment_record(statement=bill, amount=D("10.00"), paid_on=date(2026, 12, 1), by=None)


@pytest.mark.parametrize("agreements", [1, 12])
def test_the_reads_cost_the_same_queries_whatever_the_number_of_items(
    world, agreements, django_assert_max_num_queries
):
    _agreements(agreements, world)
    due = world.august.payment_due_on
    s.penalty_notice_issue(statement=world.august, as_of=due + timedelta(days=10), by=None)
    staff = User.objects.get(pk=world.staff.pk)
    with django_assert_max_num_queries(4):
        found = brand_receivables(brand=world.brand, as_of=date(2026, 12, 31))
    assert len(found.items) == agreements + 3  # the bills, august, its notice, september
    with django_assert_max_num_queries(4):
        assert len(receivables_for(user=staff, as_of=date(2026, 12, 31)).items) == len(found.items)
    with django_assert_max_num_queries(4):
        selectors.receivables_as_of(as_of=date(2026, 12, 31), statements=world.statements)
