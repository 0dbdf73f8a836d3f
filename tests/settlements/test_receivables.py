"""Receivables as of a date: open items, what each owes, their ageing bucket and totals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import User
from core.periods import Period
from kpis.services import sale_line_record
from settlements import selectors
from settlements import services as s
from settlements.models import Statement
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


def _issued(agreement, staff, period, ref):
    sale_line_record(
        agreement=agreement,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": f"{period}-05",
            "quantity": 100,
            "unit_price": "199.00",
            "channel": "tmall",
            "external_ref": ref,
        },
    )
    draft = s.statement_generate(agreement=agreement, period=Period.parse(period), by=staff)
    month = Period.parse(period)
    issued_on = month.last_day + timedelta(days=8)  # the 8th of the next month
    return s.statement_issue(statement=draft.statement, by=staff, issued_on=issued_on)


@pytest.fixture
def world():
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        penalty_rate_per_day=D("0.003"),
    )
    f.product(agreement.brand, sku="TEA-1", factory_price=D("80.00"), min_retail_price=D("1"))
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    return agreement, staff


def test_each_open_item_is_aged_by_days_past_due_and_disputes_stand_apart(world):
    agreement, staff = world
    august = _issued(agreement, staff, "2026-08", "A-1")
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    september = _issued(agreement, staff, "2026-09", "S-1")
    s.statement_dispute(
        statement=september, by=staff, comment="数量不符", disputed_on=september.issued_on
    )
    august.refresh_from_db()
    due = august.payment_due_on
    assert due is not None

    # The day it falls due it is not yet past due; a day later it is 1 day past due.
    on_due = {r.statement.pk: r for r in selectors.receivables_as_of(as_of=due)}
    assert on_due[august.pk].bucket == "not_due"
    assert on_due[august.pk].penalty == D("0.00")
    later = due + timedelta(days=31)
    rows = {r.statement.pk: r for r in selectors.receivables_as_of(as_of=later)}
    row = rows[august.pk]
    assert (row.days_past_due, row.bucket) == (31, "31_60")
    assert row.outstanding == august.total_due
    state = selectors.statement_penalty(statement=august, as_of=later)
    assert row.penalty == state.penalty > 0
    assert rows[september.pk].bucket == "disputed"
    assert rows[september.pk].days_past_due == 0

    totals = {t.bucket: t for t in selectors.receivables_ageing(list(rows.values()))}
    assert totals["31_60"].count == 1
    assert totals["31_60"].total == august.total_due + state.penalty
    assert totals["disputed"].outstanding == september.total_due


def test_paid_items_drop_out_and_a_part_payment_leaves_the_rest(world):
    agreement, staff = world
    august = _issued(agreement, staff, "2026-08", "A-1")
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    august.refresh_from_db()
    paid_on = august.payment_due_on
    s.payment_record(statement=august, amount=D("100.00"), paid_on=paid_on, by=staff)
    monthly = Statement.objects.filter(kind="monthly")
    [row] = selectors.receivables_as_of(as_of=paid_on, statements=monthly)
    assert row.outstanding == august.total_due - D("100.00")
    # Before the payment's date the whole principal was owed.
    [before] = selectors.receivables_as_of(as_of=paid_on - timedelta(days=1), statements=monthly)
    assert before.outstanding == august.total_due
    s.payment_record(
        statement=august, amount=august.total_due - D("100.00"), paid_on=paid_on, by=staff
    )
    rows = selectors.receivables_as_of(as_of=paid_on)
    assert august.pk not in [r.statement.pk for r in rows]


def test_items_are_narrowed_to_the_statements_given(world):
    agreement, staff = world
    august = _issued(agreement, staff, "2026-08", "A-1")
    other = f.agreement("revenue_share", activate=True, starts_on=date(2026, 6, 1))
    theirs = Statement.objects.filter(agreement=other)
    ours = Statement.objects.filter(agreement=agreement)
    as_of = date(2026, 11, 30)
    # Each agreement's activation billed a setup fee; the monthly statement is ours only.
    assert {
        r.statement.pk for r in selectors.receivables_as_of(as_of=as_of, statements=theirs)
    } == set(theirs.values_list("pk", flat=True))
    mine = {r.statement.pk for r in selectors.receivables_as_of(as_of=as_of, statements=ours)}
    assert august.pk in mine and mine == set(ours.open().values_list("pk", flat=True))
    assert len(selectors.receivables_as_of(as_of=as_of)) == len(mine) + theirs.count()
