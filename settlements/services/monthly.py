"""Monthly statements: compute (a preview), generate and refresh drafts, issue."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accounts.roles import require_staff_for
from common import clock
from common.calendar import work_calendar
from common.events import event_record
from contracts.models import Agreement
from core.exceptions import InvalidStateError, RuleViolation
from core.money import ZERO, CommissionLine
from core.periods import Period
from core.workdays import WorkCalendar
from kpis.models import FeeWaiver, KpiRecord, SaleLine
from kpis.services import active_waiver, kpi_evaluate
from settlements import calculations as calc
from settlements import messages as msg
from settlements.documents import build_snapshot
from settlements.models import Expense, Statement
from settlements.selectors import SETTLED_KINDS, schedule_terms
from settlements.services._common import (
    calendar_note,
    enqueue_issued_notice,
    enqueue_pdf,
    iso_or_none,
    next_number,
    not_future,
    replace_lines,
    versioned,
)
from settlements.services.invoices import payment_due_apply
from settlements.services.payments import payment_status_update
from settlements.vat import agreement_vat_rate


@dataclass(frozen=True)
class MonthlyComputation:
    """What a monthly statement would say now (a preview; nothing is saved)."""

    lines: tuple[calc.Line, ...]
    total_due: Decimal
    figures: dict[str, Any]
    sale_line_ids: tuple[int, ...]
    expense_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class MonthlyInputs:
    """What one agreement's month is settled from: its unbilled sale lines of the month
    and late ones of months already issued, the amount carried in, its unbilled expenses
    (revenue share) and the month's KPI record and fee waiver (B2B). Read one agreement
    at a time by ``monthly_inputs``, or a batch at a time by ``bulk.monthly_inputs_many``."""

    current: list[SaleLine]
    late: list[SaleLine]
    carried_in: Decimal
    expenses: list[Expense]
    record: KpiRecord | None = None
    waiver: FeeWaiver | None = None


def monthly_inputs(agreement: Agreement, period: Period) -> MonthlyInputs:
    current, late = _unsettled_lines(agreement, period)
    if agreement.kind == Agreement.Kind.B2B_COMMISSION:
        record = KpiRecord.objects.filter(agreement=agreement, period=str(period)).first()
        waiver = active_waiver(record) if record is not None else None
        return MonthlyInputs(current, late, _carried_in(agreement, period), [], record, waiver)
    expenses = list(
        Expense.objects.filter(agreement=agreement, period__lte=str(period), statement__isnull=True)
    )
    return MonthlyInputs(current, late, _carried_in(agreement, period), expenses)


def _unsettled_lines(agreement: Agreement, period: Period) -> tuple[list[SaleLine], list[SaleLine]]:
    """The period's own unbilled lines, and late lines of earlier periods already issued."""
    unsettled = SaleLine.objects.filter(agreement=agreement, settled_in__isnull=True)
    current = list(unsettled.filter(sold_on__gte=period.first_day, sold_on__lte=period.last_day))
    issued_periods = set(
        Statement.objects.open()
        .filter(agreement=agreement, kind=Statement.Kind.MONTHLY)
        .values_list("period", flat=True)
    )
    late = [
        line
        for line in unsettled.filter(sold_on__lt=period.first_day)
        if str(Period.of(line.sold_on)) in issued_periods
    ]
    return current, late


def _carried_in(agreement: Agreement, period: Period) -> Decimal:
    previous = (
        Statement.objects.filter(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period__lt=str(period)
        )
        .exclude(status=Statement.Status.VOID)
        .order_by("-period", "-version")
        .first()
    )
    if previous is None:
        return ZERO
    return Decimal(previous.figures.get("carry_forward", "0"))


def monthly_compute(
    *, agreement: Agreement, period: Period, inputs: MonthlyInputs | None = None
) -> MonthlyComputation:
    """Settle one agreement's month from its sale lines, KPIs, waivers and expenses
    (``inputs``: already read, e.g. for a whole batch of agreements)."""
    inputs = inputs or monthly_inputs(agreement, period)
    current, late, carried_in = inputs.current, inputs.late, inputs.carried_in
    ends_on = agreement.effective_ends_on
    ids = tuple(line.pk for line in [*current, *late])
    if agreement.kind == Agreement.Kind.B2B_COMMISSION:
        terms = agreement.b2b_terms
        evaluation = kpi_evaluate(agreement=agreement, period=period, record=inputs.record)
        assert evaluation is not None
        waiver = inputs.waiver
        result = calc.settle_b2b_month(
            commission_lines=[_commission(line) for line in current],
            adjustment_lines=[_commission(line) for line in late],
            monthly_service_fee=terms.monthly_service_fee,
            period=period,
            starts_on=agreement.starts_on,
            ends_on=ends_on,
            evaluation=evaluation,
            waived=waiver is not None,
            waiver_reason=waiver.reason if waiver else "",
            carried_in=carried_in,
        )
        figures = {
            "commission": str(result.commission),
            "adjustment_commission": str(result.adjustment_commission),
            "service_fee": str(result.service_fee),
            "fee_withheld": result.fee_withheld,
            "missed": list(evaluation.missed),
            "waiver_reason": waiver.reason if waiver else "",
            "carried_in": str(carried_in),
            "carry_forward": str(result.carry_forward),
            "sales_total": str(sum((line.amount for line in current), ZERO)),
        }
        return MonthlyComputation(result.lines, result.total_due, figures, ids)
    terms = agreement.revenue_share_terms
    expenses = inputs.expenses
    result_rs = calc.settle_revenue_share_month(
        sales=[_sale_figures(line) for line in current],
        adjustment_sales=[_sale_figures(line) for line in late],
        carried_in=carried_in,
        agency_ratio=terms.agency_ratio,
        expenses=[calc.Expense(e.description, e.amount, e.receipt_ref) for e in expenses],
    )
    figures = {
        "sales_total": str(sum((line.amount for line in current), ZERO)),
        "month_profit": str(result_rs.month_profit),
        "adjustment_profit": str(result_rs.adjustment_profit),
        "carried_in": str(result_rs.carried_in),
        "profit": str(result_rs.profit),
        "agency_ratio": str(terms.agency_ratio),
        "agency_share": str(result_rs.agency_share),
        "brand_share": str(result_rs.brand_share),
        "carry_forward": str(result_rs.carry_forward),
        "expenses_total": str(result_rs.expenses_total),
        "payment_window_start": terms.payment_window_start_day,
    }
    return MonthlyComputation(
        result_rs.lines, result_rs.total_due, figures, ids, tuple(e.pk for e in expenses)
    )


def _commission(line: SaleLine) -> CommissionLine:
    return CommissionLine(
        quantity=Decimal(line.quantity),
        distributor_price=line.distributor_price,
        factory_price=line.factory_price,
    )


def _sale_figures(line: SaleLine) -> calc.SaleFigures:
    return calc.SaleFigures(
        sale_amount=line.amount,
        factory_cost=line.factory_price * line.quantity,
        tax=line.tax,
        logistics=line.logistics,
    )


@dataclass(frozen=True)
class Generated:
    statement: Statement
    created: bool


def statement_generate(*, agreement: Agreement, period: Period, by: Any = None) -> Generated:
    """The draft monthly statement of ``agreement`` for ``period``, created if missing.

    Running it again adds nothing: an existing draft is refreshed, an issued one left
    alone. The unique constraint on (agreement, period, kind, version) makes two
    concurrent runs safe.
    """
    if agreement.kind not in SETTLED_KINDS:
        raise RuleViolation({"agreement": [msg.NOT_SETTLED_MONTHLY]})
    existing = (
        Statement.objects.filter(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period)
        )
        .exclude(status=Statement.Status.VOID)
        .order_by("-version")
        .first()
    )
    if existing is not None:
        if existing.status == Statement.Status.DRAFT:
            existing = statement_refresh(statement=existing)
        return Generated(existing, created=False)
    if Statement.objects.filter(
        agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period)
    ).exists():
        # Every version is void: a correction must be made explicitly (statement_correct).
        latest = (
            Statement.objects.filter(
                agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period)
            )
            .order_by("-version")
            .first()
        )
        assert latest is not None
        return Generated(latest, created=False)
    try:
        with transaction.atomic():
            statement = monthly_version_create(agreement=agreement, period=period, version=1, by=by)
    except IntegrityError:
        statement = Statement.objects.get(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period), version=1
        )
        return Generated(statement, created=False)
    return Generated(statement, created=True)


def monthly_version_create(
    *,
    agreement: Agreement,
    period: Period,
    version: int,
    by: Any,
    previous: Statement | None = None,
) -> Statement:
    computation = monthly_compute(agreement=agreement, period=period)
    base = previous.base_number if previous else next_number(period.last_day.year)
    statement = Statement.objects.create(
        number=versioned(base, version),
        base_number=base,
        version=version,
        agreement=agreement,
        kind=Statement.Kind.MONTHLY,
        period=str(period),
        total_due=computation.total_due,
        figures=computation.figures,
        penalty_rate_per_day=agreement.penalty_rate_per_day,
        vat_rate=agreement_vat_rate(agreement),
        previous_version=previous,
    )
    replace_lines(statement, computation.lines)
    event_record(
        action="statement.generated",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={"period": str(period), "version": version, "total_due": str(computation.total_due)},
    )
    return statement


@transaction.atomic
def statement_refresh(*, statement: Statement) -> Statement:
    """Recompute a draft monthly statement from the data as it is now."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != Statement.Status.DRAFT:
        raise InvalidStateError(msg.NOT_DRAFT.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        return statement
    assert statement.period is not None
    computation = monthly_compute(
        agreement=statement.agreement, period=Period.parse(statement.period)
    )
    statement.total_due = computation.total_due
    statement.figures = computation.figures
    statement.vat_rate = agreement_vat_rate(statement.agreement)
    statement.save(update_fields=["total_due", "figures", "vat_rate", "updated_at"])
    replace_lines(statement, computation.lines)
    return statement


@transaction.atomic
def statement_issue(
    *,
    statement: Statement,
    by: Any,
    issued_on: date | None = None,
    computation: MonthlyComputation | None = None,
    locked: Statement | None = None,
    holidays: Mapping[date, bool] | None = None,
) -> Statement:
    """Freeze a draft: final lines, snapshot of parties and bank account, due dates.

    A monthly statement cannot be issued before its period has ended. The PDF is
    rendered in the background once the transaction commits. What ``statements_issue``'s
    batch already read in this transaction: ``computation``, the month's figures;
    ``locked``, the draft row locked with its agreement, terms and parties loaded;
    ``holidays``, the holiday table (each statement still gets its own calendar).
    """
    if locked is not None and locked.pk == statement.pk:
        statement = locked
    else:
        statement = (
            Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)
        )
    agreement = statement.agreement
    require_staff_for(by, agreement)
    if statement.status != Statement.Status.DRAFT:
        raise InvalidStateError(msg.NOT_DRAFT.format(status=statement.status))
    issued_on = issued_on or clock.today()
    not_future(issued_on, "issued_on")
    calendar = WorkCalendar(overrides=holidays) if holidays is not None else work_calendar()
    if statement.kind == Statement.Kind.MONTHLY:
        assert statement.period is not None
        period = Period.parse(statement.period)
        if issued_on <= period.last_day:
            raise RuleViolation({"issued_on": [msg.PERIOD_NOT_ENDED.format(period=period)]})
        _freeze_monthly(statement, period, computation)
        terms = schedule_terms(agreement)
        statement.receipt_due_on = calc.receipt_due_on(
            issued_on=issued_on, terms=terms, calendar=calendar
        )
        # Until the brand answers, the due date assumes confirmation by silence.
        statement.contract_due_on = calc.payment_due_on(
            period=period, confirmed_on=statement.receipt_due_on, terms=terms, calendar=calendar
        )
    payment_due_apply(statement, calendar)  # after the invoice, if the terms say so
    statement.status = Statement.Status.ISSUED
    statement.issued_on = issued_on
    statement.snapshot = build_snapshot(agreement)
    statement.vat_rate = agreement_vat_rate(agreement)  # the draft's last; fixed from now on
    statement.calendar_note = calendar_note(calendar) or statement.calendar_note
    if statement.previous_version_id is None:
        # A draft takes no payment, so a first version starts with none: a statement
        # owing nothing is paid at once.
        statement.payment_status = (
            Statement.PaymentStatus.UNPAID
            if statement.total_due > 0
            else Statement.PaymentStatus.PAID
        )
        statement.save()
    else:
        statement.save()
        _move_payments_from_previous(statement, by)
        payment_status_update(statement)  # its payments move over from the void version
    event_record(
        action="statement.issued",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "issued_on": issued_on.isoformat(),
            "total_due": str(statement.total_due),
            "receipt_due_on": iso_or_none(statement.receipt_due_on),
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    enqueue_pdf(statement)
    enqueue_issued_notice(statement)
    return statement


def _freeze_monthly(
    statement: Statement, period: Period, computation: MonthlyComputation | None = None
) -> None:
    """Final figures of a monthly statement, and mark the sales and expenses it bills."""
    computation = computation or monthly_compute(agreement=statement.agreement, period=period)
    statement.total_due = computation.total_due
    statement.figures = {**computation.figures, "sale_lines": len(computation.sale_line_ids)}
    replace_lines(statement, computation.lines)
    SaleLine.objects.filter(pk__in=computation.sale_line_ids).update(settled_in=statement)
    Expense.objects.filter(pk__in=computation.expense_ids).update(statement=statement)


def _move_payments_from_previous(statement: Statement, by: Any) -> None:
    previous = statement.previous_version
    if previous is None:
        return
    moved = list(previous.payments.all())
    for payment in moved:
        payment.statement = statement
        payment.moved_from = payment.moved_from or previous
        payment.save(update_fields=["statement", "moved_from"])
    if moved:
        event_record(
            action="payments.moved",
            obj=statement,
            actor=by,
            agreement=statement.agreement,
            detail={"from": previous.number, "payments": len(moved)},
        )
