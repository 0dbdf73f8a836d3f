"""The staff workbench: the agency's work and money as of a day, for the admin's home page.

Reads only (through the same selectors as the API and the portal), cut to what the
user may see. Each section lists the objects to act on; the page links each one.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from common.calendar import work_calendar
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core.ageing import DISPUTED, NOT_DUE, BucketTotal
from core.money import ZERO
from core.periods import Period
from kpis.models import SalesImport
from settlements import selectors
from settlements.models import DailyRun, Statement, StatementRun

# How far ahead "coming due" looks, and how far back failures are shown.
COMING_DAYS = 7
FAILURES_DAYS = 30
# Each list shows at most this many rows; the section's count and link give the rest.
ROWS = 10
TERMINATION_FLAGS = ("brand_termination_right", "agency_termination_right")


@dataclass(frozen=True)
class ToGenerate:
    agreement: Agreement
    period: Period
    issue_by: date


@dataclass(frozen=True)
class Dated:
    """A statement with the date that matters for its section (a deadline, a due day)."""

    statement: Statement
    on: date | None


@dataclass
class Workbench:
    today: date
    closed_month: Period
    to_generate: list[ToGenerate] = field(default_factory=list)
    to_issue: list[Dated] = field(default_factory=list)
    receipts_due: list[Dated] = field(default_factory=list)
    payments_due: list[Dated] = field(default_factory=list)
    disputes: list[Dated] = field(default_factory=list)
    ageing: list[BucketTotal] = field(default_factory=list)
    overdue: list[selectors.Receivable] = field(default_factory=list)
    terminations: list[selectors.Flag] = field(default_factory=list)
    failed_imports: list[SalesImport] = field(default_factory=list)
    failed_runs: list[StatementRun] = field(default_factory=list)
    failed_daily_runs: list[DailyRun] = field(default_factory=list)
    missing_pdfs: list[Statement] = field(default_factory=list)

    @property
    def receivable_total(self) -> Decimal:
        return sum((b.total for b in self.ageing), ZERO)

    @property
    def overdue_total(self) -> Decimal:
        return sum(
            (b.total for b in self.ageing if b.bucket not in (NOT_DUE, DISPUTED)),
            ZERO,
        )

    @property
    def failures(self) -> int:
        return (
            len(self.failed_imports)
            + len(self.failed_runs)
            + len(self.failed_daily_runs)
            + len(self.missing_pdfs)
        )


def _to_generate(agreements: Any, month: Period) -> list[ToGenerate]:
    settled = selectors.agreements_settled_in(month).filter(pk__in=agreements.values("pk"))
    done = Statement.objects.filter(kind=Statement.Kind.MONTHLY, period=str(month)).values(
        "agreement_id"
    )
    calendar = work_calendar()
    missing = settled.exclude(pk__in=done).select_related("brand").order_by("number")
    return sorted(
        (
            ToGenerate(
                agreement=a,
                period=month,
                issue_by=selectors.issue_deadline_of(agreement=a, period=month, calendar=calendar),
            )
            for a in missing
        ),
        key=lambda item: (item.issue_by, item.agreement.number),
    )


def workbench(*, user: Any, today: date) -> Workbench:
    """What the user's agency has to do and is owed, as of ``today``."""
    agreements = agreements_in_scope(user)
    statements = Statement.objects.filter(agreement__in=agreements).select_related(
        "agreement__brand"
    )
    month = Period.of(today).previous()
    bench = Workbench(today=today, closed_month=month)
    bench.to_generate = _to_generate(agreements, month)
    bench.to_issue = [
        Dated(s, None)
        for s in statements.filter(status=Statement.Status.DRAFT).order_by("period", "number")
    ]
    bench.receipts_due = [
        Dated(s, s.receipt_due_on)
        for s in statements.filter(
            status=Statement.Status.ISSUED,
            receipt_due_on__gte=today,
            receipt_due_on__lte=today + timedelta(days=COMING_DAYS),
        ).order_by("receipt_due_on", "number")
    ]
    bench.payments_due = [
        Dated(s, s.payment_due_on)
        for s in statements.open()
        .exclude(payment_status=Statement.PaymentStatus.PAID)
        .filter(payment_due_on__gte=today, payment_due_on__lte=today + timedelta(days=COMING_DAYS))
        .order_by("payment_due_on", "number")
    ]
    calendar = work_calendar()
    bench.disputes = sorted(
        (
            Dated(s, selectors.dispute_reply_by(s, calendar))
            for s in statements.filter(status=Statement.Status.DISPUTED, replied_on__isnull=True)
        ),
        key=lambda d: (d.on or today, d.statement.number),
    )
    receivables = selectors.receivables_as_of(as_of=today, statements=statements)
    bench.ageing = selectors.receivables_ageing(receivables)
    bench.overdue = sorted(
        (r for r in receivables if r.days_past_due > 0),
        key=lambda r: (-r.days_past_due, r.statement.number),
    )
    bench.terminations = [
        flag
        for flag in selectors.flags_as_of(as_of=today, agreements=agreements)
        if flag.name in TERMINATION_FLAGS
    ]
    since = today - timedelta(days=FAILURES_DAYS)
    bench.failed_imports = list(
        SalesImport.objects.filter(
            agreement__in=agreements,
            status__in=(SalesImport.Status.FAILED, SalesImport.Status.REJECTED),
            created_at__date__gte=since,
        )
        .select_related("agreement")
        .order_by("-created_at")[:ROWS]
    )
    bench.failed_runs = list(
        selectors.statement_runs_visible(
            StatementRun.objects.filter(
                status=StatementRun.Status.FAILED, created_at__date__gte=since
            ),
            user,
        ).order_by("-created_at")[:ROWS]
    )
    bench.failed_daily_runs = [
        run
        for run in DailyRun.objects.filter(
            status=DailyRun.Status.FAILED, created_at__date__gte=since
        ).order_by("-created_at")[:ROWS]
        if selectors.daily_run_visible_part(run, user)[1]
    ]
    bench.missing_pdfs = list(
        statements.exclude(status=Statement.Status.DRAFT)
        .filter(Q(pdf="") | Q(pdf__isnull=True), issued_on__lte=today - timedelta(days=1))
        .order_by("issued_on")[:ROWS]
    )
    return bench
