"""The workbench's sections: what staff must do and are owed, their agency's only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import User
from core.periods import Period
from kpis.models import SalesImport
from kpis.services import sale_line_record
from settlements import services as s
from settlements.models import DailyRun, Statement
from settlements.workbench import receivables, workbench
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 11, 30)


def _rs(brand_org=None):
    agreement = f.agreement(
        "revenue_share",
        brand_org=brand_org,
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        penalty_rate_per_day=D("0.003"),
    )
    if not agreement.brand.products.filter(sku="TEA-1").exists():
        f.product(agreement.brand, sku="TEA-1", factory_price=D("80.00"), min_retail_price=D("1"))
    return agreement


def _issued(agreement, staff, period, ref, issue=True, issued_on=None):
    """The month's statement of one sale, issued on ``issued_on`` (default: 8 days after
    the month), or the draft."""
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
    month = Period.parse(period)
    draft = s.statement_generate(agreement=agreement, period=month, by=staff).statement
    if not issue:
        return draft
    return s.statement_issue(
        statement=draft, by=staff, issued_on=issued_on or month.last_day + timedelta(days=8)
    )


@pytest.fixture
def world():
    mine = _rs()
    staff = f.user(mine.agency, User.Role.AGENCY_STAFF)
    theirs = _rs()
    assert theirs.agency != mine.agency
    their_staff = f.user(theirs.agency, User.Role.AGENCY_STAFF)
    return mine, staff, theirs, their_staff


def _pks(items):
    return {getattr(i, "statement", i).pk for i in items}


def test_each_section_lists_the_agencys_work_and_nothing_of_another_agency(world):
    mine, staff, theirs, their_staff = world
    august = _issued(mine, staff, "2026-08", "A-8")  # issued 09-08
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    september = _issued(mine, staff, "2026-09", "A-9")
    s.statement_dispute(
        statement=september, by=staff, comment="数量不符", disputed_on=september.issued_on
    )
    october = _issued(mine, staff, "2026-10", "A-10", issue=False)
    their_august = _issued(theirs, their_staff, "2026-08", "T-8")
    their_draft = _issued(theirs, their_staff, "2026-10", "T-10", issue=False)

    bench = workbench(user=staff, today=TODAY)
    assert bench.closed_month == Period(2026, 10)
    # October is drafted for mine; theirs too, so nothing is left to generate for October.
    assert [g.agreement for g in bench.to_generate] == []
    assert _pks(bench.to_issue) == {october.pk}
    assert _pks(bench.disputes) == {september.pk}
    assert bench.disputes[0].on > september.issued_on  # the reply deadline
    august.refresh_from_db()
    assert august.pk in _pks(bench.overdue)
    overdue = next(r for r in bench.overdue if r.statement.pk == august.pk)
    assert overdue.days_past_due == (TODAY - august.payment_due_on).days
    buckets = {b.bucket: b for b in bench.ageing}
    assert buckets["disputed"].outstanding == september.total_due
    assert bench.receivable_total >= august.total_due + september.total_due
    assert bench.overdue_total < bench.receivable_total  # the disputed one stands apart

    everything = _pks(bench.to_issue) | _pks(bench.disputes) | _pks(bench.overdue)
    assert their_august.pk not in everything and their_draft.pk not in everything
    their_bench = workbench(user=their_staff, today=TODAY)
    assert _pks(their_bench.to_issue) == {their_draft.pk}
    assert not (_pks(their_bench.overdue) & {august.pk, september.pk})


def test_agreements_without_their_closed_month_statement_are_to_generate(world):
    mine, staff, theirs, their_staff = world
    bench = workbench(user=staff, today=TODAY)
    assert [(g.agreement, str(g.period)) for g in bench.to_generate] == [(mine, "2026-10")]
    assert bench.to_generate[0].issue_by > date(2026, 10, 31)


def test_receipts_and_payments_coming_due_within_a_week(world):
    mine, staff, *_ = world
    august = _issued(mine, staff, "2026-08", "A-8")
    # As of two days before the receipt deadline it is coming due; after it, not.
    before = workbench(user=staff, today=august.receipt_due_on - timedelta(days=2))
    assert _pks(before.receipts_due) == {august.pk}
    assert before.receipts_due[0].on == august.receipt_due_on
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    august.refresh_from_db()
    near = workbench(user=staff, today=august.payment_due_on - timedelta(days=1))
    assert _pks(near.payments_due) == {august.pk}
    assert _pks(near.receipts_due) == set()


def test_failures_of_the_last_month_are_listed_for_the_agency(world):
    mine, staff, theirs, their_staff = world
    failed = SalesImport.objects.create(
        agreement=mine, original_name="bad.csv", status=SalesImport.Status.FAILED
    )
    SalesImport.objects.create(
        agreement=theirs, original_name="theirs.csv", status=SalesImport.Status.FAILED
    )
    run = DailyRun.objects.create(
        until=TODAY,
        status=DailyRun.Status.FAILED,
        errors=[{"step": "flags", "object": "x", "error": "boom", "agency": mine.agency_id}],
    )
    bench = workbench(user=staff, today=TODAY)
    assert bench.failed_imports == [failed]
    assert bench.failed_daily_runs == [run]
    assert workbench(user=their_staff, today=TODAY).failed_daily_runs == []
    assert bench.failures >= 2


def test_termination_rights_are_listed(world):
    mine, staff, *_ = world
    august = _issued(mine, staff, "2026-08", "A-8")
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    august.refresh_from_db()
    overdue_days = mine.revenue_share_terms.termination_overdue_days
    later = august.payment_due_on + timedelta(days=int(overdue_days) + 5)
    bench = workbench(user=staff, today=later)
    assert [(flag.name, flag.statement.pk) for flag in bench.terminations] == [
        ("agency_termination_right", august.pk)
    ]
    assert Statement.objects.get(pk=august.pk).status == Statement.Status.CONFIRMED


def test_a_user_of_no_agency_has_an_empty_workbench(world):
    """The daily job's failures are cut by the user's agency: a staff account without
    one must not see every agency's (nor anything else)."""
    mine, staff, *_ = world
    _issued(mine, staff, "2026-08", "A-8")
    DailyRun.objects.create(
        until=TODAY,
        status=DailyRun.Status.FAILED,
        errors=[{"step": "flags", "object": "x", "error": "boom", "agency": mine.agency_id}],
    )
    bare = User.objects.create_user(username="bare", password="pw-Test-1234", is_staff=True)
    bench = workbench(user=bare, today=TODAY)
    assert bench.failed_daily_runs == [] and bench.receivables == [] and bench.to_generate == []
    assert receivables(user=bare, as_of=TODAY) == []
    assert workbench(user=staff, today=TODAY).failed_daily_runs != []


def test_receivables_are_the_agencys_open_items_as_of_a_day(world):
    mine, staff, theirs, their_staff = world
    august = _issued(mine, staff, "2026-08", "A-8")  # issued 09-08
    their_august = _issued(theirs, their_staff, "2026-08", "T-8")
    owed = _pks(receivables(user=staff, as_of=TODAY))
    # August and the setup fee billed at activation; nothing of the other agency.
    assert august.pk in owed and their_august.pk not in owed
    assert {s.agreement_id for s in Statement.objects.filter(pk__in=owed)} == {mine.pk}
    assert august.pk not in _pks(receivables(user=staff, as_of=date(2026, 9, 1)))
    assert {august.pk, their_august.pk} <= _pks(receivables(user=f.superuser(), as_of=TODAY))
    assert _pks(workbench(user=staff, today=TODAY).receivables) == owed
