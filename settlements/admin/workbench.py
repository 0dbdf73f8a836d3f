"""The admin's home page is the agency's workbench, and it exports the receivables.

- ``dashboard``: django-unfold's ``DASHBOARD_CALLBACK`` (settings.UNFOLD). It reads
  ``settlements.workbench.workbench`` for the signed-in user as of ``common.clock.today()``
  and lays each section out for ``templates/admin/index.html``: rows of cells already
  written for the page's language (money as money, dates as the locale writes them), each
  item linking to its page in the admin, and a "see all" link to the filtered list.
- ``receivables_xlsx``: ``/admin/workbench/receivables.xlsx?as_of=YYYY-MM-DD``, the
  receivables as of a day (default today) as an XLSX in the page's language, one row per
  open item and a totals block per ageing bucket. Staff get their agency's items only.

The export's URL is added to the admin site's own (``UnfoldAdminSite.get_urls`` adds what
its ``extra_urls`` returns), so it sits behind ``admin_view``: signed-out users and
accounts without staff status are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from common import clock
from common.portal import date_text, iso_date_text
from common.templatetags.portal import money_text, period_text
from common.xlsx import XLSX_CONTENT_TYPE
from core.ageing import DAYS_1_30, DAYS_31_60, DAYS_61_90, DISPUTED, OVER_90
from core.money import ZERO
from kpis.models import SalesImport
from settlements import selectors
from settlements import workbench as wb
from settlements.calculations import DEMAND_ISSUE_DAYS
from settlements.models import DailyRun, Statement, StatementRun

# The overdue buckets as ranges of the due date, so a bucket's count links to its list:
# (days past due from, to); None is open-ended.
_BUCKET_DAYS = {
    DAYS_1_30: (1, 30),
    DAYS_31_60: (31, 60),
    DAYS_61_90: (61, 90),
    OVER_90: (91, None),
}


def _any_of(*values: str) -> str:
    """An ``__in`` lookup's value in a list URL."""
    return ",".join(values)


# Statements the brand still owes on, in the statement list's own field lookups: open
# and not paid in full; payable ones are also not disputed.
_OWED = {
    "payment_status__in": _any_of(
        Statement.PaymentStatus.UNPAID, Statement.PaymentStatus.PARTIALLY_PAID
    )
}
_PAYABLE = {"status__in": _any_of(Statement.Status.ISSUED, Statement.Status.CONFIRMED), **_OWED}


# --- the page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell of a section's table: text, maybe a link, maybe a second line."""

    text: str
    url: str = ""
    num: bool = False  # a figure: right-aligned
    late: bool = False  # past its deadline: drawn in red
    note: str = ""  # a second, smaller line


@dataclass
class Section:
    """A card of the workbench: a table of what to act on, or a sentence when empty."""

    key: str
    title: str
    icon: str
    count: int
    empty: str
    columns: list[tuple[str, bool]] = field(default_factory=list)  # (heading, figure?)
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    more_url: str = ""
    more_label: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) in the footer


@dataclass(frozen=True)
class Headline:
    key: str
    title: str
    value: str
    note: str
    icon: str
    alert: bool = False


def _admin_url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _statement_url(statement: Statement) -> str:
    return _admin_url("settlements_statement_change", statement.pk)


def _statement_cell(statement: Statement, note: str | None = None) -> Cell:
    """The statement's number linking to its page; below it the brand (or ``note``)."""
    return Cell(
        statement.number,
        _statement_url(statement),
        note=statement.agreement.brand.name if note is None else note,
    )


def _agreement_cell(agreement: Any) -> Cell:
    return Cell(
        agreement.number,
        _admin_url("contracts_agreement_change", agreement.pk),
        note=agreement.brand.name,
    )


def _period_cell(statement: Statement) -> Cell:
    return Cell(
        period_text(statement.period) if statement.period else "—",
        note=statement.get_kind_display(),
    )


def _money(value: Decimal) -> Cell:
    return Cell(money_text(value), num=True)


def _more(url: str, count: int) -> dict[str, str]:
    """A section's link to its filtered list: "see all" when the card shows only part."""
    if not count:
        return {}
    if count > wb.ROWS:
        return {"more_url": url, "more_label": _("See all (%(count)s)") % {"count": count}}
    return {"more_url": url, "more_label": _("Open the list")}


def _section(
    key: str,
    title: str,
    icon: str,
    items: list[Any],
    columns: list[tuple[str, bool]],
    row: Callable[[Any], list[Cell]],
    empty: str,
    **extra: Any,
) -> Section:
    shown = items[: wb.ROWS]
    return Section(
        key=key,
        title=title,
        icon=icon,
        count=len(items),
        empty=empty,
        columns=columns,
        rows=[row(item) for item in shown],
        **extra,
    )


def _to_generate(bench: wb.Workbench) -> Section:
    month = period_text(str(bench.closed_month))
    generate = _admin_url("settlements_statement_generate")
    return _section(
        "to-generate",
        _("To generate: %(month)s") % {"month": month},
        "note_add",
        bench.to_generate,
        [(_("Agreement"), False), (_("Issue by"), False)],
        lambda item: [
            _agreement_cell(item.agreement),
            Cell(
                date_text(item.issue_by),
                late=item.issue_by < bench.today,
                note=_("Past the deadline") if item.issue_by < bench.today else "",
            ),
        ],
        _("Every agreement has its statement for %(month)s.") % {"month": month},
        note=_("Agreements without a statement for the month that closed."),
        more_url=generate,
        more_label=_("Month-end run"),
    )


def _to_issue(bench: wb.Workbench) -> Section:
    url = _admin_url("settlements_statement_changelist", status__exact=Statement.Status.DRAFT)
    return _section(
        "to-issue",
        _("To issue"),
        "send",
        bench.to_issue,
        [(_("Statement"), False), (_("Period"), False), (_("Total"), True)],
        lambda item: [
            _statement_cell(item.statement),
            _period_cell(item.statement),
            _money(item.statement.total_due),
        ],
        _("Nothing to issue — every draft is issued."),
        note=_("Drafts waiting to be checked and issued."),
        **_more(url, len(bench.to_issue)),
    )


def _coming_due(bench: wb.Workbench, owed: dict[int, Decimal], receipts: bool) -> Section:
    today, until = bench.today, bench.today + timedelta(days=wb.COMING_DAYS)
    items = bench.receipts_due if receipts else bench.payments_due
    if receipts:
        url = _admin_url(
            "settlements_statement_changelist",
            status__exact=Statement.Status.ISSUED,
            receipt_due_on__gte=today.isoformat(),
            receipt_due_on__lte=until.isoformat(),
        )
    else:
        url = _admin_url(
            "settlements_statement_changelist",
            status__in=_any_of(*Statement.OPEN_STATUSES),
            payment_due_on__gte=today.isoformat(),
            payment_due_on__lte=until.isoformat(),
            **_OWED,
        )
    return _section(
        "receipts-due" if receipts else "payments-due",
        _("Receipts coming due") if receipts else _("Payments coming due"),
        "mark_email_read" if receipts else "payments",
        items,
        [
            (_("Statement"), False),
            (_("Total") if receipts else _("Outstanding"), True),
            (_("Receipt deadline") if receipts else _("Due on"), False),
        ],
        lambda item: [
            _statement_cell(item.statement),
            _money(
                item.statement.total_due
                if receipts
                else owed.get(item.statement.pk, item.statement.total_due)
            ),
            Cell(date_text(item.on)),
        ],
        _("No receipt deadline in the next %(days)s days.") % {"days": wb.COMING_DAYS}
        if receipts
        else _("No payment falls due in the next %(days)s days.") % {"days": wb.COMING_DAYS},
        note=(
            _("The brand confirms or disputes by the deadline; silence confirms.")
            if receipts
            else _("Owed and falling due in the next %(days)s days.") % {"days": wb.COMING_DAYS}
        ),
        **_more(url, len(items)),
    )


def _disputes(bench: wb.Workbench) -> Section:
    url = _admin_url(
        "settlements_statement_changelist",
        status__exact=Statement.Status.DISPUTED,
        replied_on__isnull="True",
    )

    def row(item: wb.Dated) -> list[Cell]:
        late = item.on is not None and item.on < bench.today
        return [
            _statement_cell(item.statement),
            Cell(date_text(item.statement.disputed_on)),
            Cell(date_text(item.on), late=late, note=_("Past the deadline") if late else ""),
        ]

    return _section(
        "disputes",
        _("Disputes awaiting a reply"),
        "forum",
        bench.disputes,
        [
            (_("Statement"), False),
            (_("Disputed on"), False),
            (_("Reply by"), False),
        ],
        row,
        _("No dispute is waiting for a reply."),
        note=_("Nothing is due on a disputed statement until it is settled."),
        **_more(url, len(bench.disputes)),
    )


def _overdue_url(today: date, first: int | None = 1, last: int | None = None) -> str:
    """The statement list cut to what is owed ``first``..``last`` days past its due date."""
    query: dict[str, str] = dict(_PAYABLE)
    if first is not None:
        query["payment_due_on__lte"] = (today - timedelta(days=first)).isoformat()
    if last is not None:
        query["payment_due_on__gte"] = (today - timedelta(days=last)).isoformat()
    return _admin_url("settlements_statement_changelist", **query)


def _overdue(bench: wb.Workbench) -> Section:
    return _section(
        "overdue",
        _("Oldest overdue items"),
        "hourglass_bottom",
        bench.overdue,
        [
            (_("Statement"), False),
            (_("Brand"), False),
            (_("Due on"), False),
            (_("Days past due"), True),
            (_("Outstanding"), True),
            (_("Penalty to date"), True),
            (_("Total"), True),
        ],
        lambda item: [
            _statement_cell(item.statement, note=item.statement.get_kind_display()),
            Cell(item.statement.agreement.brand.name),
            Cell(date_text(item.due_on), note=str(wb.BUCKET_LABELS[item.bucket])),
            Cell(str(item.days_past_due), num=True, late=True),
            _money(item.outstanding),
            _money(item.penalty),
            _money(item.total),
        ],
        _("Nothing is overdue: every issued statement is paid or not yet due."),
        **_more(_overdue_url(bench.today), len(bench.overdue)),
    )


def _ageing(bench: wb.Workbench) -> dict[str, Any]:
    """The ageing table: one row per bucket (count, principal, penalty, total) and totals."""
    rows = []
    for bucket in bench.ageing:
        if bucket.bucket in _BUCKET_DAYS and bucket.count:
            url = _overdue_url(bench.today, *_BUCKET_DAYS[bucket.bucket])
        elif bucket.bucket == DISPUTED and bucket.count:
            url = _admin_url(
                "settlements_statement_changelist", status__exact=Statement.Status.DISPUTED, **_OWED
            )
        else:
            url = ""
        rows.append(
            {
                "label": wb.BUCKET_LABELS[bucket.bucket],
                "count": bucket.count,
                "url": url,
                "outstanding": money_text(bucket.outstanding),
                "penalty": money_text(bucket.penalty),
                "total": money_text(bucket.total),
                "overdue": bucket.bucket in _BUCKET_DAYS and bucket.count > 0,
            }
        )
    return {
        "rows": rows,
        "count": sum(b.count for b in bench.ageing),
        "outstanding": money_text(sum((b.outstanding for b in bench.ageing), ZERO)),
        "penalty": money_text(sum((b.penalty for b in bench.ageing), ZERO)),
        "total": money_text(bench.receivable_total),
        "export_url": reverse("admin:workbench_receivables_xlsx"),
        "as_of": bench.today.isoformat(),
    }


def _breach_why(flag: selectors.Flag) -> Cell:
    """A breach notice not cured in time: the notice, and its cure deadline."""
    assert flag.notice is not None
    return Cell(
        flag.notice.number,
        _admin_url("obligations_breachnotice_change", flag.notice.pk),
        note=_("breach not cured by %(day)s") % {"day": iso_date_text(flag.detail.get("cure_by"))},
    )


def _termination_row(flag: selectors.Flag) -> list[Cell]:
    if flag.name == "breach_termination_right":
        holder = _("Agency") if flag.detail.get("held_by") == "agency" else _("Brand")
        return [
            Cell(holder, late=True, note=_("may terminate")),
            _agreement_cell(flag.agreement),
            _breach_why(flag),
        ]
    if flag.name == "agency_termination_right":
        side = Cell(_("Agency"), late=True, note=_("may terminate"))
        assert flag.statement is not None
        why = Cell(
            flag.statement.number,
            _statement_url(flag.statement),
            note=_("%(days)s days overdue (the right comes after %(after)s)")
            % {"days": flag.detail.get("days", "—"), "after": flag.detail.get("after_days", "—")},
        )
    else:
        side = Cell(_("Brand"), late=True, note=_("may terminate"))
        why = Cell(
            _("Statement for %(month)s") % {"month": period_text(flag.period)},
            note=_("demanded on %(day)s, not issued within %(days)s days")
            % {"day": iso_date_text(flag.detail.get("demanded_on")), "days": DEMAND_ISSUE_DAYS},
        )
    return [side, _agreement_cell(flag.agreement), why]


def _terminations(bench: wb.Workbench) -> Section:
    return _section(
        "terminations",
        _("Termination rights"),
        "gavel",
        bench.terminations,
        [(_("Held by"), False), (_("Agreement"), False), (_("Why"), False)],
        _termination_row,
        _("Neither side holds a termination right today."),
        note=_("Held today by either side under the agreement's terms."),
    )


def _obligation_row(obligation: Any) -> list[Cell]:
    missed = obligation.status == "missed"
    return [
        Cell(
            obligation.title,
            _admin_url("obligations_obligation_change", obligation.pk),
            note=_("owed by the agency")
            if obligation.owed_by == "agency"
            else _("owed by the brand"),
        ),
        _agreement_cell(obligation.agreement),
        Cell(date_text(obligation.due_on), late=missed, note=_("Missed") if missed else ""),
    ]


def _obligations_due(bench: wb.Workbench) -> Section:
    """Obligations besides money: missed ones first, then those due this week."""
    items = [*bench.obligations.missed, *bench.obligations.due_this_week]
    url = _admin_url(
        "obligations_obligation_changelist", due="missed" if bench.obligations.missed else "week"
    )
    return _section(
        "obligations",
        _("Obligations due this week or missed"),
        "task_alt",
        items,
        [(_("Obligation"), False), (_("Agreement"), False), (_("Due date"), False)],
        _obligation_row,
        _("No obligation is due this week and none was missed."),
        note=_("Meetings, reports and trainings either side owes under the agreements."),
        **_more(url, len(items)),
    )


def _approvals(bench: wb.Workbench) -> Section:
    url = _admin_url("obligations_obligation_changelist", due="waiting")
    items = bench.obligations.approvals_waiting
    return _section(
        "approvals",
        _("Approvals waiting"),
        "approval",
        items,
        [(_("Request"), False), (_("Agreement"), False), (_("Decide by"), False)],
        _obligation_row,
        _("No approval is waiting for an answer."),
        note=_("Promotion plans, budgets and published work one side asked the other to approve."),
        **_more(url, len(items)),
    )


def _cure_clocks(bench: wb.Workbench) -> Section:
    """Breach notices whose cure period runs (or ran out) without a cure."""

    def row(notice: Any) -> list[Cell]:
        left = (notice.cure_by - bench.today).days
        late = left < 0
        return [
            Cell(
                notice.number,
                _admin_url("obligations_breachnotice_change", notice.pk),
                note=_("sent by the agency") if notice.by == "agency" else _("sent by the brand"),
            ),
            _agreement_cell(notice.agreement),
            Cell(
                date_text(notice.cure_by),
                late=late,
                note=_("Past the deadline") if late else _("%(days)s days left") % {"days": left},
            ),
        ]

    url = _admin_url("obligations_breachnotice_changelist", state="open")
    return _section(
        "cure-clocks",
        _("Cure clocks running"),
        "timer",
        bench.cure_clocks,
        [(_("Breach notice"), False), (_("Agreement"), False), (_("Cure by"), False)],
        row,
        _("No breach notice is waiting for a cure."),
        note=_("Breach notices not cured yet; past the deadline, the sender may terminate."),
        **_more(url, len(bench.cure_clocks)),
    )


def _failures(bench: wb.Workbench, user: Any) -> Section:
    rows: list[list[Cell]] = []
    for item in bench.failed_imports:
        rows.append(
            [
                Cell(_("Sales import")),
                Cell(
                    item.original_name,
                    _admin_url("kpis_salesimport_change", item.pk),
                    note=item.agreement.number,
                ),
                Cell(item.get_status_display(), late=True),
                Cell(date_text(item.created_at.date())),
            ]
        )
    for run in bench.failed_runs:
        rows.append(
            [
                Cell(_("Month-end run")),
                Cell(
                    period_text(run.period),
                    _admin_url("settlements_statementrun_change", run.pk),
                    note=run.agreement.number if run.agreement_id else "",
                ),
                Cell(_("Agreements failed: %(count)s") % {"count": run.failed}, late=True),
                Cell(date_text(run.created_at.date())),
            ]
        )
    for daily in bench.failed_daily_runs:
        errors = selectors.daily_run_visible_part(daily, user)[1]
        rows.append(
            [
                Cell(_("Daily run")),
                Cell(
                    _("Up to %(day)s") % {"day": date_text(daily.until)},
                    _admin_url("settlements_dailyrun_change", daily.pk),
                ),
                Cell(_("Rows failed: %(count)s") % {"count": len(errors)}, late=True),
                Cell(date_text(daily.created_at.date())),
            ]
        )
    for statement in bench.missing_pdfs:
        rows.append(
            [
                Cell(_("Missing PDF")),
                Cell(statement.number, _statement_url(statement), note=statement.agreement.number),
                Cell(_("No PDF yet"), late=True),
                Cell(date_text(statement.issued_on)),
            ]
        )
    links = [
        (
            _("Sales imports"),
            _admin_url(
                "kpis_salesimport_changelist",
                status__in=_any_of(SalesImport.Status.FAILED, SalesImport.Status.REJECTED),
            ),
        ),
        (
            _("Month-end runs"),
            _admin_url(
                "settlements_statementrun_changelist", status__exact=StatementRun.Status.FAILED
            ),
        ),
        (
            _("Daily runs"),
            _admin_url("settlements_dailyrun_changelist", status__exact=DailyRun.Status.FAILED),
        ),
    ]
    return Section(
        key="failures",
        title=_("Failures"),
        icon="error",
        count=bench.failures,
        empty=_("No failure in the last %(days)s days: every import, run and PDF went through.")
        % {"days": wb.FAILURES_DAYS},
        columns=[(_("What"), False), (_("Item"), False), (_("Problem"), False), (_("On"), False)],
        rows=rows,
        note=_(
            "Failed imports, month-end runs, daily runs and missing PDFs of the last %(days)s days."
        )
        % {"days": wb.FAILURES_DAYS},
        links=links if rows else [],
    )


def _headlines(bench: wb.Workbench) -> list[Headline]:
    late_disputes = sum(1 for d in bench.disputes if d.on is not None and d.on < bench.today)
    overdue_items = sum(b.count for b in bench.ageing if b.bucket in _BUCKET_DAYS)
    return [
        Headline(
            "ageing",
            _("Receivables"),
            money_text(bench.receivable_total),
            _("Open items: %(count)s") % {"count": len(bench.receivables)},
            "account_balance_wallet",
        ),
        Headline(
            "overdue",
            _("Overdue"),
            money_text(bench.overdue_total),
            _("Past due: %(count)s") % {"count": overdue_items},
            "hourglass_bottom",
            alert=overdue_items > 0,
        ),
        Headline(
            "disputes",
            _("Disputes awaiting a reply"),
            str(len(bench.disputes)),
            _("Past the reply deadline: %(count)s") % {"count": late_disputes},
            "forum",
            alert=late_disputes > 0,
        ),
        Headline(
            "failures",
            _("Failures"),
            str(bench.failures),
            _("in the last %(days)s days") % {"days": wb.FAILURES_DAYS},
            "error",
            alert=bench.failures > 0,
        ),
    ]


# Cards that apps above settlements add to the workbench from their AppConfig.ready
# (banking's unmatched credits): each takes the request and the workbench, gives a Section.
EXTRA_SECTIONS: list[Callable[[HttpRequest, wb.Workbench], Section]] = []


def dashboard(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """unfold's dashboard callback: the workbench of the signed-in user, as of today."""
    user = request.user
    if not wb.may_use(user):
        context["workbench"] = None
        return context
    today = clock.today()
    bench = wb.workbench(user=user, today=today)
    owed = {r.statement.pk: r.outstanding for r in bench.receivables}
    context["workbench"] = {
        "today": date_text(today),
        "closed_month": period_text(str(bench.closed_month)),
        "agency": None if user.is_superuser else user.organization,
        "headlines": _headlines(bench),
        "pairs": [
            (_to_generate(bench), _to_issue(bench)),
            (_coming_due(bench, owed, receipts=True), _coming_due(bench, owed, receipts=False)),
            (_disputes(bench), _terminations(bench)),
            (_obligations_due(bench), _approvals(bench)),
        ],
        "ageing": _ageing(bench),
        "overdue": _overdue(bench),
        "cure_clocks": _cure_clocks(bench),
        "failures": _failures(bench, user),
        "extra": [make(request, bench) for make in EXTRA_SECTIONS],
    }
    return context


# --- the receivables export ------------------------------------------------------------


def receivables_xlsx(request: HttpRequest) -> HttpResponse:
    """The user's receivables as of ``?as_of=`` (default today) as an XLSX download."""
    if not wb.may_use(request.user):
        raise PermissionDenied
    as_of = clock.today()
    if request.GET.get("as_of"):
        try:
            as_of = date.fromisoformat(request.GET["as_of"])
        except ValueError:
            return HttpResponseBadRequest(_("Give the date as YYYY-MM-DD."))
    items = wb.receivables(user=request.user, as_of=as_of)
    response = HttpResponse(wb.receivables_xlsx(items, as_of=as_of), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="receivables-{as_of.isoformat()}.xlsx"'
    return response


def _urls(previous: Callable[[], list[URLPattern]] | None) -> Callable[[], list[URLPattern]]:
    def extra_urls() -> list[URLPattern]:
        return [
            *(previous() if previous else []),
            path(
                "workbench/receivables.xlsx",
                admin.site.admin_view(receivables_xlsx),
                name="workbench_receivables_xlsx",
            ),
        ]

    return extra_urls


# UnfoldAdminSite.get_urls() puts what ``extra_urls`` returns before the models' URLs;
# any earlier hook is kept.
admin.site.extra_urls = _urls(getattr(admin.site, "extra_urls", None))  # type: ignore[attr-defined]
