"""The staff workbench: the agency's work and money as of a day, for the admin's home page.

Reads only (through the same selectors as the API and the portal), cut to what the
user may see. Each section lists the objects to act on; the page links each one
(``settlements.admin.workbench``). ``receivables_xlsx`` writes the receivables as of a
day, one row per item and the ageing buckets' totals, for the page's export.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.calendar import work_calendar
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core.ageing import (
    BUCKETS,
    DAYS_1_30,
    DAYS_31_60,
    DAYS_61_90,
    DISPUTED,
    NOT_DUE,
    OVER_90,
    BucketTotal,
)
from core.money import ZERO
from core.periods import Period
from kpis.models import SalesImport
from obligations.breach_selectors import cure_clocks_running
from obligations.models import BreachNotice
from obligations.selectors import ToAct, obligations_to_act
from settlements import selectors
from settlements.models import DailyRun, Statement, StatementRun

# How far ahead "coming due" looks, and how far back failures are shown.
COMING_DAYS = 7
FAILURES_DAYS = 30
# Each list shows at most this many rows; the section's count and link give the rest.
ROWS = 10
TERMINATION_FLAGS = (
    "brand_termination_right",
    "agency_termination_right",
    "breach_termination_right",
)
# The ageing buckets as the page and the export name them (core.ageing's codes).
BUCKET_LABELS = {
    NOT_DUE: gettext_lazy("Not yet due"),
    DAYS_1_30: gettext_lazy("1–30 days overdue"),
    DAYS_31_60: gettext_lazy("31–60 days overdue"),
    DAYS_61_90: gettext_lazy("61–90 days overdue"),
    OVER_90: gettext_lazy("Over 90 days overdue"),
    DISPUTED: gettext_lazy("Disputed (nothing due)"),
}
# A money cell of the export: a number, shown ¥1,234.56 (a negative one -¥1,234.56).
XLSX_MONEY = '"¥"#,##0.00;-"¥"#,##0.00'


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
    # Breach notices not cured yet, soonest cure deadline first (obligations).
    cure_clocks: list[BreachNotice] = field(default_factory=list)
    # Obligations due this week, missed, and approvals waiting for an answer.
    obligations: ToAct = field(default_factory=ToAct)
    failed_imports: list[SalesImport] = field(default_factory=list)
    failed_runs: list[StatementRun] = field(default_factory=list)
    failed_daily_runs: list[DailyRun] = field(default_factory=list)
    missing_pdfs: list[Statement] = field(default_factory=list)
    # Every open item owed as of the day (the ageing's items), oldest due first.
    receivables: list[selectors.Receivable] = field(default_factory=list)

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


def may_use(user: Any) -> bool:
    """Who has a workbench: superusers (every agency) and agency staff (their own).

    Anyone else (a staff account without a role, a brand user) gets an empty one: the
    daily job's failures, for one, are cut by the user's agency and would otherwise show
    every agency's to a user without one."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or getattr(user, "is_agency_staff", False))
    )


def _statements(user: Any) -> Any:
    return Statement.objects.filter(agreement__in=agreements_in_scope(user)).select_related(
        "agreement__brand"
    )


def receivables(*, user: Any, as_of: date) -> list[selectors.Receivable]:
    """The open items the user's agency is owed as of ``as_of``, each aged (the export's
    rows); nothing for a user without a workbench."""
    if not may_use(user):
        return []
    return selectors.receivables_as_of(as_of=as_of, statements=_statements(user))


def _to_generate(agreements: Any, month: Period) -> list[ToGenerate]:
    settled = selectors.agreements_settled_in(month).filter(pk__in=agreements.values("pk"))
    done = Statement.objects.filter(kind=Statement.Kind.MONTHLY, period=str(month)).values(
        "agreement_id"
    )
    calendar = work_calendar()
    missing = (
        settled.exclude(pk__in=done)
        .select_related("brand", "revenue_share_terms", "b2b_terms")
        .order_by("number")
    )
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
    """What the user's agency has to do and is owed, as of ``today`` (empty for a user
    without a workbench, see ``may_use``)."""
    month = Period.of(today).previous()
    bench = Workbench(today=today, closed_month=month)
    if not may_use(user):
        return bench
    agreements = agreements_in_scope(user)
    statements = _statements(user)
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
    bench.receivables = selectors.receivables_as_of(as_of=today, statements=statements)
    bench.ageing = selectors.receivables_ageing(bench.receivables)
    bench.overdue = sorted(
        (r for r in bench.receivables if r.days_past_due > 0),
        key=lambda r: (-r.days_past_due, r.statement.number),
    )
    bench.terminations = [
        flag
        for flag in selectors.flags_as_of(as_of=today, agreements=agreements)
        if flag.name in TERMINATION_FLAGS
    ]
    bench.cure_clocks = list(cure_clocks_running(agreements=agreements))
    bench.obligations = obligations_to_act(agreements=agreements, today=today)
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


# --- the receivables export -----------------------------------------------------------


def _xlsx_columns() -> list[str]:
    return [
        _("Statement number"),
        _("Brand"),
        _("Agreement"),
        _("Kind"),
        _("Issued on"),
        _("Due on"),
        _("Days past due"),
        _("Ageing bucket"),
        _("Outstanding"),
        _("Penalty to date"),
        _("Total"),
    ]


def receivables_xlsx(items: list[selectors.Receivable], *, as_of: date) -> bytes:
    """The receivables as of a day as an XLSX in the active language: one row per item
    (by bucket, the longest overdue first), then a totals block, one row per bucket and
    the total. Money cells are numbers shown as ¥1,234.56; dates are date cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    title = _("Receivables as of %(day)s") % {"day": as_of.isoformat()}
    book.properties.title = title
    sheet = book.create_sheet(_("Receivables"))
    widths = (18, 20, 16, 16, 12, 12, 10, 22, 16, 16, 16)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any, number_format: str = "", strong: bool = False) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=value)
        if number_format:
            written.number_format = number_format
        if strong:
            written.font = bold
        return written

    def figures(outstanding: Decimal, penalty: Decimal, strong: bool = False) -> list[Any]:
        total = outstanding + penalty
        return [cell(v, XLSX_MONEY, strong) for v in (outstanding, penalty, total)]

    sheet.append([cell(text, strong=True) for text in _xlsx_columns()])
    order = {bucket: index for index, bucket in enumerate(BUCKETS)}
    for item in sorted(
        items, key=lambda r: (order[r.bucket], -r.days_past_due, r.statement.number)
    ):
        statement = item.statement
        sheet.append(
            [
                statement.number,
                statement.agreement.brand.name,
                statement.agreement.number,
                statement.get_kind_display(),
                cell(statement.issued_on, "yyyy-mm-dd") if statement.issued_on else None,
                cell(item.due_on, "yyyy-mm-dd") if item.due_on else None,
                item.days_past_due,
                str(BUCKET_LABELS[item.bucket]),
                *figures(item.outstanding, item.penalty),
            ]
        )
    # The totals block, under the same columns: items, bucket, principal, penalty, total.
    blank = [None] * 6
    sheet.append([])
    sheet.append(
        [
            cell(title, strong=True),
            *blank[1:],
            *(
                cell(text, strong=True)
                for text in (
                    _("Items"),
                    _("Ageing bucket"),
                    _("Outstanding"),
                    _("Penalty to date"),
                    _("Total"),
                )
            ),
        ]
    )
    totals = selectors.receivables_ageing(items)
    for bucket in totals:
        sheet.append(
            [
                *blank,
                bucket.count,
                str(BUCKET_LABELS[bucket.bucket]),
                *figures(bucket.outstanding, bucket.penalty),
            ]
        )
    sheet.append(
        [
            *blank,
            cell(sum(b.count for b in totals), strong=True),
            cell(_("Total"), strong=True),
            *figures(
                sum((b.outstanding for b in totals), ZERO),
                sum((b.penalty for b in totals), ZERO),
                strong=True,
            ),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
