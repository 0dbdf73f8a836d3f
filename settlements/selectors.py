"""Settlement reads: what is paid, owed and late, as of a date. Nothing here writes.

The services (``settlements.services``), the notifications, the portal, the API and the
admin all read through these, so a figure shown is the figure billed.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum, prefetch_related_objects

from common.calendar import work_calendar
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core import ageing
from core.exceptions import RuleViolation
from core.money import ZERO, days_overdue, penalty_as_of, termination_right_held
from core.money import Payment as PaymentFact
from core.periods import Period
from core.workdays import WorkCalendar
from obligations.breach_selectors import breach_right_windows
from obligations.models import BreachNotice
from settlements import calculations as calc
from settlements import daily_rules
from settlements import messages as msg
from settlements.models import DailyRun, Payment, PenaltyWaiver, Statement, StatementDemand

# The agreements settled by monthly statement; consulting agreements have one-off bills.
SETTLED_KINDS = (Agreement.Kind.B2B_COMMISSION, Agreement.Kind.REVENUE_SHARE)


# --- terms and deadlines ----------------------------------------------------------------


def schedule_terms(agreement: Agreement) -> calc.ScheduleTerms:
    """The issue/receipt/payment cycle of an agreement's monthly statements."""
    if agreement.kind == Agreement.Kind.REVENUE_SHARE:
        t = agreement.revenue_share_terms
        return calc.ScheduleTerms(
            issue_by_day=t.issue_by_day,
            receipt_working_days=t.receipt_working_days,
            payment_day=t.payment_day,
            payment_working_days=t.payment_working_days,
            payment_window_start_day=t.payment_window_start_day,
        )
    if agreement.kind == Agreement.Kind.B2B_COMMISSION:
        # Same issue and receipt cycle; payment as the terms say, no fixed-day floor.
        return calc.ScheduleTerms(
            payment_day=None,
            payment_working_days=agreement.b2b_terms.payment_working_days,
            payment_window_start_day=None,
        )
    raise RuleViolation({"agreement": [msg.NOT_SETTLED_MONTHLY]})


def issue_deadline_of(
    *, agreement: Agreement, period: Period, calendar: WorkCalendar | None = None
) -> date:
    """The day a monthly statement must be issued by; pass ``calendar`` when computing
    many, so the holiday table is read once."""
    return calc.issue_deadline(
        period=period, terms=schedule_terms(agreement), calendar=calendar or work_calendar()
    )


def issued_on_for(agreement: Agreement, period: Period) -> date | None:
    """The day the first issued version of the period's monthly statement was issued."""
    statement = (
        Statement.objects.filter(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period)
        )
        .exclude(status=Statement.Status.DRAFT)
        .order_by("version")
        .first()
    )
    return statement.issued_on if statement else None


def agreements_settled_in(period: Period) -> QuerySet[Agreement]:
    """B2B and revenue-share agreements active on any day of ``period`` (not drafts)."""
    return Agreement.objects.filter(
        kind__in=SETTLED_KINDS,
        status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED],
        starts_on__lte=period.last_day,
    ).filter(
        Q(terminated_on__isnull=True, ends_on__gte=period.first_day)
        | Q(terminated_on__gte=period.first_day)
    )


def confirmed_by_silence_on(statement: Statement, *, today: date) -> date | None:
    """The day silence confirmed an issued monthly statement, as of ``today``: its receipt
    deadline once that day is over (``calculations.deemed_confirmed_on`` on the last
    complete day), else None.

    The one reading of that rule for everything that shows or checks the state before
    the daily job has recorded it: the review services, the portal, the admin.
    """
    if statement.status != Statement.Status.ISSUED or statement.receipt_due_on is None:
        return None
    return calc.deemed_confirmed_on(
        receipt_due_on=statement.receipt_due_on,
        confirmed_on=None,
        disputed=False,
        as_of=today - timedelta(days=1),
    )


# --- payments and penalties -------------------------------------------------------------


def amount_paid(statement: Statement) -> Decimal:
    """Everything paid against ``statement`` so far."""
    return statement.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def amounts_paid(statements: Any) -> dict[int, Decimal]:
    """``amount_paid`` of many statements in one query (a statement with none: absent)."""
    ids = [statement.pk for statement in statements]
    return _sums_by(Payment.objects.filter(statement_id__in=ids), "statement", "amount")


@dataclass(frozen=True)
class PenaltyState:
    """A statement's overdue position as of a date (derived, never stored)."""

    as_of: date
    due_on: date | None
    days_overdue: int
    outstanding: Decimal
    rate: Decimal
    penalty: Decimal
    waived: Decimal
    billed: Decimal
    termination_right: bool

    @property
    def penalty_net_of_waivers(self) -> Decimal:
        """The penalty accrued to ``as_of`` less what was waived, never below zero."""
        return max(self.penalty - self.waived, ZERO)


def _payment_facts(statement: Statement) -> list[PaymentFact]:
    return [PaymentFact(paid_on=p.paid_on, amount=p.amount) for p in statement.payments.all()]


def termination_overdue_days(statement: Statement) -> int | None:
    """The days overdue after which the agency may terminate, as the agreement's terms
    say; None when no such right comes with the statement (only revenue-share monthly
    statements carry one)."""
    if (
        statement.kind == Statement.Kind.MONTHLY
        and statement.agreement.kind == Agreement.Kind.REVENUE_SHARE
    ):
        return int(statement.agreement.revenue_share_terms.termination_overdue_days)
    return None


def statement_penalty(*, statement: Statement, as_of: date) -> PenaltyState:
    """Penalty, overdue days, outstanding principal and termination right as of a date.

    Derived from the due date, the rate and the payments only, so back-dated payments
    correct it; nothing accumulates. A statement that is not open (a draft or void one)
    accrues nothing.
    """
    waived = statement.penalty_waivers.aggregate(total=Sum("amount"))["total"] or ZERO
    billed = (
        statement.penalty_notices.exclude(status=Statement.Status.VOID).aggregate(
            total=Sum("total_due")
        )["total"]
        or ZERO
    )
    return _penalty_state(statement, as_of, _payment_facts(statement), waived, billed)


def statement_penalties(*, statements: Any, as_of: date) -> dict[int, PenaltyState]:
    """``statement_penalty`` of many statements in three queries whatever their number:
    their payments, waivers and penalty notices are read in bulk (a page's worth of
    statements costs the same as one)."""
    items = list(statements)
    prefetch_related_objects([s for s in items if not _payments_prefetched(s)], "payments")
    ids = [statement.pk for statement in items]
    waived = _sums_by(PenaltyWaiver.objects.filter(statement_id__in=ids), "statement", "amount")
    billed = _sums_by(
        Statement.objects.filter(kind=Statement.Kind.PENALTY, penalty_of_id__in=ids).exclude(
            status=Statement.Status.VOID
        ),
        "penalty_of",
        "total_due",
    )
    return {
        s.pk: _penalty_state(
            s, as_of, _payment_facts(s), waived.get(s.pk, ZERO), billed.get(s.pk, ZERO)
        )
        for s in items
    }


def _payments_prefetched(statement: Statement) -> bool:
    return "payments" in getattr(statement, "_prefetched_objects_cache", {})


def _penalty_state(
    statement: Statement,
    as_of: date,
    facts: list[PaymentFact],
    waived: Decimal,
    billed: Decimal,
) -> PenaltyState:
    paid_by_as_of = sum((p.amount for p in facts if p.paid_on <= as_of), ZERO)
    outstanding = statement.total_due - paid_by_as_of
    due_on = statement.payment_due_on
    rate = statement.penalty_rate_per_day
    if not statement.is_open or due_on is None:
        return PenaltyState(as_of, due_on, 0, outstanding, rate, ZERO, waived, billed, False)
    penalty = (
        penalty_as_of(
            principal=statement.total_due,
            due_on=due_on,
            rate_per_day=rate,
            payments=facts,
            as_of=as_of,
        )
        if rate > 0
        else ZERO
    )
    overdue_days = termination_overdue_days(statement)
    right = overdue_days is not None and termination_right_held(
        principal=statement.total_due,
        due_on=due_on,
        payments=facts,
        as_of=as_of,
        overdue_days=overdue_days,
    )
    return PenaltyState(
        as_of=as_of,
        due_on=due_on,
        days_overdue=days_overdue(
            principal=statement.total_due, due_on=due_on, payments=facts, as_of=as_of
        ),
        outstanding=outstanding,
        rate=rate,
        penalty=penalty,
        waived=waived,
        billed=billed,
        termination_right=right,
    )


# --- receivables ------------------------------------------------------------------------


@dataclass(frozen=True)
class Receivable:
    """An open item as of a date: what is owed on it and how far past due it is.

    ``outstanding`` is the principal still unpaid; ``penalty`` is the penalty accrued to
    the date that no notice has billed yet and no waiver forgave (a notice is an open item
    of its own, so nothing counts twice).
    """

    statement: Statement
    due_on: date | None
    outstanding: Decimal
    penalty: Decimal
    days_past_due: int
    bucket: str

    @property
    def total(self) -> Decimal:
        return self.outstanding + self.penalty


def _sums_by(queryset: Any, key: str, amount: str) -> dict[int, Decimal]:
    """``{key id: Σ amount}`` over ``queryset`` in one query."""
    rows = queryset.values(key).annotate(total=Sum(amount)).values_list(key, "total")
    return {pk: total or ZERO for pk, total in rows}


def receivables_as_of(*, as_of: date, statements: Any = None) -> list[Receivable]:
    """Every open item issued by ``as_of`` with principal still owed, aged as of that date.

    ``statements`` narrows the items (a brand's, an agency's, the user's scope); disputed
    items come in their own bucket (``core.ageing``), oldest due first (no due date last).
    An item with no due date yet (awaiting receipt or an invoice) is ``not_due``.

    Four queries whatever the number of items: the items, their payments, the waivers and
    the penalty notices issued by ``as_of`` (a notice issued later bills nothing yet).
    """
    items = list(
        (statements if statements is not None else Statement.objects.all())
        .open()
        .filter(issued_on__lte=as_of)
        .select_related("agreement__brand")
        .prefetch_related("payments")
        .order_by(F("payment_due_on").asc(nulls_last=True), "issued_on", "pk")
    )
    ids = [statement.pk for statement in items]
    waived = _sums_by(PenaltyWaiver.objects.filter(statement_id__in=ids), "statement", "amount")
    billed = _sums_by(
        Statement.objects.filter(
            kind=Statement.Kind.PENALTY, penalty_of_id__in=ids, issued_on__lte=as_of
        ).exclude(status=Statement.Status.VOID),
        "penalty_of",
        "total_due",
    )
    found = []
    for statement in items:
        facts = _payment_facts(statement)
        outstanding = statement.total_due - sum(
            (p.amount for p in facts if p.paid_on <= as_of), ZERO
        )
        if outstanding <= ZERO:
            continue
        due_on = statement.payment_due_on
        rate = statement.penalty_rate_per_day
        accrued = (
            penalty_as_of(
                principal=statement.total_due,
                due_on=due_on,
                rate_per_day=rate,
                payments=facts,
                as_of=as_of,
            )
            if due_on is not None and rate > 0
            else ZERO
        )
        disputed = statement.status == Statement.Status.DISPUTED
        found.append(
            Receivable(
                statement=statement,
                due_on=due_on,
                outstanding=outstanding,
                penalty=calc.penalty_notice_amount(
                    penalty_to_date=accrued,
                    already_billed=billed.get(statement.pk, ZERO),
                    waived=waived.get(statement.pk, ZERO),
                ),
                days_past_due=0 if disputed else ageing.days_past_due(due_on=due_on, as_of=as_of),
                bucket=ageing.ageing_bucket(due_on=due_on, as_of=as_of, disputed=disputed),
            )
        )
    return found


def receivables_ageing(receivables: list[Receivable]) -> list[ageing.BucketTotal]:
    """Counts and totals per ageing bucket, every bucket listed (``core.ageing``)."""
    return ageing.bucket_totals((r.bucket, r.outstanding, r.penalty) for r in receivables)


# --- flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A condition derived from the data as of a date (nothing stored but first sight)."""

    name: str
    agreement: Agreement
    statement: Statement | None = None
    period: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    notice: BreachNotice | None = None  # a breach notice's termination right

    @property
    def key(self) -> str:
        what = self.notice.number if self.notice is not None else self.period
        return (
            f"{self.name}:{self.agreement.pk}:{self.statement.pk if self.statement else '-'}:{what}"
        )


FLAG_NAMES = (
    "statement_late",
    "brand_termination_right",
    "receipt_overdue",
    "payment_overdue",
    "agency_termination_right",
    "dispute_unanswered",
    "breach_termination_right",
)


@dataclass(frozen=True)
class FlagWindow:
    """A flag and the days it holds (see ``settlements.daily_rules``)."""

    flag: Flag
    window: daily_rules.Window


def _statement_flag_windows(statements: Any, calendar: WorkCalendar) -> list[FlagWindow]:
    found: list[FlagWindow] = []
    for statement in statements:
        agreement = statement.agreement
        facts = _payment_facts(statement)
        due_on = statement.payment_due_on
        if statement.is_open and due_on is not None:
            overdue = daily_rules.payment_overdue_window(
                principal=statement.total_due, due_on=due_on, payments=facts
            )
            if overdue is not None:
                detail = {"due_on": due_on.isoformat()}
                found.append(
                    FlagWindow(
                        Flag("payment_overdue", agreement, statement, detail=detail), overdue
                    )
                )
            overdue_days = termination_overdue_days(statement)
            right = overdue_days is not None and daily_rules.termination_right_window(
                principal=statement.total_due,
                due_on=due_on,
                payments=facts,
                overdue_days=overdue_days,
            )
            if right:
                detail = {"due_on": due_on.isoformat(), "after_days": overdue_days}
                flag = Flag("agency_termination_right", agreement, statement, detail=detail)
                found.append(FlagWindow(flag, right))
        if (
            statement.status == Statement.Status.ISSUED
            and statement.kind == Statement.Kind.MONTHLY
            and statement.receipt_due_on is not None
        ):
            # Only ever seen if the deemed confirmation of the day failed.
            window = daily_rules.Window(statement.receipt_due_on + daily_rules.ONE_DAY)
            found.append(FlagWindow(Flag("receipt_overdue", agreement, statement), window))
        if statement.disputed_on is not None:
            reply_by = dispute_reply_by(statement, calendar)
            ended_on = statement.withdrawn_on or statement.voided_on
            unanswered = daily_rules.dispute_unanswered_window(
                reply_by=reply_by, replied_on=statement.replied_on, ended_on=ended_on
            )
            if unanswered is not None:
                detail = {
                    "disputed_on": statement.disputed_on.isoformat(),
                    "reply_by": reply_by.isoformat(),
                }
                flag = Flag("dispute_unanswered", agreement, statement, detail=detail)
                found.append(FlagWindow(flag, unanswered))
    return found


def _breach_flag_windows(agreements: Any) -> list[FlagWindow]:
    """The termination right of the side that sent a breach notice not cured by its
    ``cure_by``: from the day after, until the cure (``obligations.cure``); ``held_by``
    says which side holds it. The passed deadline is logged only through this flag."""
    found = []
    for notice, window in breach_right_windows(agreements=agreements):
        detail = {
            "held_by": notice.by,
            "notice": notice.number,
            "sent_on": notice.sent_on.isoformat(),
            "cure_by": notice.cure_by.isoformat(),
        }
        flag = Flag("breach_termination_right", notice.agreement, detail=detail, notice=notice)
        found.append(FlagWindow(flag, daily_rules.Window(window.first, window.last)))
    return found


def dispute_reply_working_days(agreement: Agreement) -> int:
    """The working days the agency has to answer a dispute, as the terms say (5)."""
    terms = agreement.terms
    return int(getattr(terms, "dispute_reply_working_days", daily_rules.DISPUTE_REPLY_WORKING_DAYS))


def dispute_reply_by(statement: Statement, calendar: WorkCalendar | None = None) -> date:
    """The day the agency must answer a dispute by (working days after the dispute)."""
    assert statement.disputed_on is not None
    return (calendar or work_calendar()).add_working_days(
        statement.disputed_on, dispute_reply_working_days(statement.agreement)
    )


def flag_windows(*, until: date, agreements: Any = None) -> list[FlagWindow]:
    """Every flag that holds on some day up to ``until``, with the days it holds.

    Late statements and the brand's termination rights are judged for every closed month
    of each settled agreement; payment flags on every open statement; "dispute unanswered"
    on every statement ever disputed. Derived from dated facts only, so the answer for a
    day does not depend on when (or how often) anyone asked.
    """
    found: list[FlagWindow] = []
    calendar = work_calendar()
    scope = agreements if agreements is not None else Agreement.objects.all()
    settled = (
        scope.filter(kind__in=SETTLED_KINDS)
        .exclude(status=Agreement.Status.DRAFT)
        .select_related("brand", "revenue_share_terms", "b2b_terms")
    )
    issued: dict[tuple[int, str], date] = {}
    monthly = (
        Statement.objects.filter(agreement__in=settled, kind=Statement.Kind.MONTHLY)
        .exclude(status=Statement.Status.DRAFT)
        .order_by("version")
        .values_list("agreement_id", "period", "issued_on")
    )
    for agreement_id, period, issued_on in monthly:
        issued.setdefault((agreement_id, period), issued_on)
    demands = {
        (d.agreement_id, d.period): d.demanded_on
        for d in StatementDemand.objects.filter(agreement__in=settled)
    }
    last_closed = Period.of(until).previous()
    for agreement in settled:
        period = Period.of(agreement.starts_on)
        while period <= last_closed and period.first_day <= agreement.effective_ends_on:
            deadline = issue_deadline_of(agreement=agreement, period=period, calendar=calendar)
            issued_on = issued.get((agreement.pk, str(period)))
            late = daily_rules.statement_late_window(issue_deadline=deadline, issued_on=issued_on)
            if late is not None:
                detail = {"deadline": deadline.isoformat()}
                flag = Flag("statement_late", agreement, period=str(period), detail=detail)
                found.append(FlagWindow(flag, late))
            demand_on = demands.get((agreement.pk, str(period)))
            right = demand_on and daily_rules.brand_termination_window(
                demand_on=demand_on, issued_on=issued_on, days=calc.DEMAND_ISSUE_DAYS
            )
            if right:
                detail = {"demanded_on": demand_on.isoformat()}  # type: ignore[union-attr]
                flag = Flag("brand_termination_right", agreement, period=str(period), detail=detail)
                found.append(FlagWindow(flag, right))
            period = period.next()
    statements = (
        Statement.objects.filter(agreement__in=scope)
        .filter(Q(status__in=Statement.OPEN_STATUSES) | Q(disputed_on__isnull=False))
        .select_related(
            "agreement__brand",
            "agreement__revenue_share_terms",
            "agreement__b2b_terms",
            "agreement__consulting_terms",
        )
        .prefetch_related("payments")
    )
    found += _statement_flag_windows(statements, calendar)
    found += _breach_flag_windows(scope)
    return [item for item in found if item.window.first <= until]


def flags_as_of(*, as_of: date, agreements: Any = None) -> list[Flag]:
    """Every flag that holds on ``as_of``: late statements, brand termination rights,
    receipts overdue, payments overdue, agency termination rights, disputes unanswered.

    Payment flags carry the days overdue and the penalty as of that day."""
    flags: list[Flag] = []
    holding = [
        item.flag
        for item in flag_windows(until=as_of, agreements=agreements)
        if item.window.holds_on(as_of)
    ]
    states = statement_penalties(
        statements={
            flag.statement.pk: flag.statement
            for flag in holding
            if flag.name in ("payment_overdue", "agency_termination_right") and flag.statement
        }.values(),
        as_of=as_of,
    )
    for flag in holding:
        if flag.name in ("payment_overdue", "agency_termination_right"):
            assert flag.statement is not None
            state = states[flag.statement.pk]
            detail = {**flag.detail, "days": state.days_overdue, "penalty": str(state.penalty)}
            flag = Flag(flag.name, flag.agreement, flag.statement, flag.period, detail)
        flags.append(flag)
    return flags


# --- daily runs -------------------------------------------------------------------------


def daily_run_visible_part(run: DailyRun, user: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The summary and failures of ``run`` that ``user`` may see: everything for a
    superuser, the own agency's part for its staff (the job covers every agency)."""
    if getattr(user, "is_superuser", False):
        agency = None
    else:
        agency = getattr(user, "organization_id", None)
    summary: dict[str, Any] = {}
    for rule, part in (run.summary or {}).items():
        items = part.get("items", [])
        if agency is None:
            summary[rule] = {"count": part.get("count", 0), "items": [i["name"] for i in items]}
        else:
            summary[rule] = {
                "count": part.get("by_agency", {}).get(str(agency), 0),
                "items": [i["name"] for i in items if i.get("agency") == agency],
            }
    errors = [
        {key: e.get(key, "") for key in ("step", "object", "error")}
        for e in run.errors or []
        if agency is None or e.get("agency") == agency
    ]
    return summary, errors


# --- month-end runs ---------------------------------------------------------------------


def statement_runs_visible(queryset: Any, user: Any) -> Any:
    """The month-end runs ``user`` may see (the API's and the admin's one rule).

    Superusers see every run. Agency staff see a run of an agreement in their scope, and
    a run one of their own agency's users started; a run with neither an agreement nor a
    user (the schedule's) is the installation's, so superusers' only. A brand user sees
    the runs of their own agreements.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    mine = Q(agreement__in=agreements_in_scope(user))
    if getattr(user, "is_agency_staff", False) and user.is_active:
        return queryset.filter(mine | Q(created_by__organization_id=user.organization_id))
    return queryset.filter(mine)
