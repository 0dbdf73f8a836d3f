"""Settlement reads: what is paid, owed and late, as of a date. Nothing here writes.

The services (``settlements.services``), the notifications, the portal, the API and the
admin all read through these, so a figure shown is the figure billed.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from common.calendar import work_calendar
from contracts.models import Agreement
from core.exceptions import RuleViolation
from core.money import ZERO, days_overdue, penalty_as_of, termination_right_held
from core.money import Payment as PaymentFact
from core.periods import Period
from core.workdays import WorkCalendar
from settlements import calculations as calc
from settlements import messages as msg
from settlements.models import Statement, StatementDemand

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


# --- payments and penalties -------------------------------------------------------------


def amount_paid(statement: Statement) -> Decimal:
    """Everything paid against ``statement`` so far."""
    return statement.payments.aggregate(total=Sum("amount"))["total"] or ZERO


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
    facts = _payment_facts(statement)
    paid_by_as_of = sum((p.amount for p in facts if p.paid_on <= as_of), ZERO)
    outstanding = statement.total_due - paid_by_as_of
    due_on = statement.payment_due_on
    rate = statement.penalty_rate_per_day
    waived = statement.penalty_waivers.aggregate(total=Sum("amount"))["total"] or ZERO
    billed = (
        statement.penalty_notices.exclude(status=Statement.Status.VOID).aggregate(
            total=Sum("total_due")
        )["total"]
        or ZERO
    )
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


# --- flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A condition derived from the data as of a date (nothing stored but first sight)."""

    name: str
    agreement: Agreement
    statement: Statement | None = None
    period: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.name}:{self.agreement.pk}:{self.statement.pk if self.statement else '-'}:{self.period}"


def flags_as_of(*, as_of: date, agreements: Any = None) -> list[Flag]:
    """Every flag of DOMAIN as of ``as_of``: late statements, brand termination rights,
    receipts overdue (deemed confirmations), payments overdue, agency termination rights."""
    flags: list[Flag] = []
    calendar = work_calendar()
    agreements = (
        agreements if agreements is not None else Agreement.objects.filter(kind__in=SETTLED_KINDS)
    )
    settled = agreements.filter(kind__in=SETTLED_KINDS).exclude(status=Agreement.Status.DRAFT)
    for agreement in settled.select_related("revenue_share_terms", "b2b_terms"):
        month = Period.of(as_of).previous()
        first = Period.of(agreement.starts_on)
        # The last few closed months are enough: older ones are issued or long flagged.
        for period in (month.previous().previous(), month.previous(), month):
            if period < first or agreement.effective_ends_on < period.first_day:
                continue
            deadline = issue_deadline_of(agreement=agreement, period=period, calendar=calendar)
            issued_on = issued_on_for(agreement, period)
            if calc.statement_late(issue_deadline=deadline, issued_on=issued_on, as_of=as_of):
                flags.append(
                    Flag(
                        "statement_late",
                        agreement,
                        period=str(period),
                        detail={"deadline": deadline.isoformat()},
                    )
                )
            demand = StatementDemand.objects.filter(agreement=agreement, period=str(period)).first()
            if demand and calc.brand_termination_right(
                demand_on=demand.demanded_on, issued_on=issued_on, as_of=as_of
            ):
                flags.append(
                    Flag(
                        "brand_termination_right",
                        agreement,
                        period=str(period),
                        detail={"demanded_on": demand.demanded_on.isoformat()},
                    )
                )
    open_statements = (
        Statement.objects.open().filter(agreement__in=agreements).select_related("agreement")
    )
    for statement in open_statements:
        if (
            statement.status == Statement.Status.ISSUED
            and statement.receipt_due_on
            and as_of > statement.receipt_due_on
        ):
            flags.append(Flag("receipt_overdue", statement.agreement, statement))
        state = statement_penalty(statement=statement, as_of=as_of)
        if state.days_overdue > 0:
            flags.append(
                Flag(
                    "payment_overdue",
                    statement.agreement,
                    statement,
                    detail={"days": state.days_overdue, "penalty": str(state.penalty)},
                )
            )
        if state.termination_right:
            flags.append(
                Flag(
                    "agency_termination_right",
                    statement.agreement,
                    statement,
                    detail={"days": state.days_overdue},
                )
            )
    return flags
