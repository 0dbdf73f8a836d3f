"""Settlement services: generate, issue, confirm, dispute, void and correct statements,
record payments, compute and bill penalties, one-off bills, demands, expenses and flags.

The figures come from the pure rules in ``settlements.calculations`` and ``core.money``;
this module loads rows, calls them, saves, and writes an event for every change. Each
state change locks the statement row, checks its state and raises ``InvalidStateError``
(HTTP 409) when the state forbids the change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from common import clock
from common.calendar import work_calendar
from common.events import event_record
from contracts.models import Agreement, Installment
from core.exceptions import DomainError, InvalidStateError, RuleViolation
from core.money import ZERO, CommissionLine
from core.periods import Period
from core.workdays import WorkCalendar, fallback_note
from kpis.models import KpiRecord, SaleLine
from kpis.services import active_waiver, kpi_evaluate
from settlements import calculations as calc
from settlements import messages as msg
from settlements import notifications
from settlements.models import (
    DocumentSequence,
    Expense,
    FlagSeen,
    PenaltyWaiver,
    Statement,
    StatementDemand,
    StatementLine,
    StatementRun,
    StatementRunItem,
)
from settlements.models import Payment as PaymentRow
from settlements.selectors import (  # noqa: F401  (re-exported: callers read them here too)
    SETTLED_KINDS,
    Flag,
    PenaltyState,
    agreements_settled_in,
    amount_paid,
    flags_as_of,
    issue_deadline_of,
    issued_on_for,
    schedule_terms,
    statement_penalty,
)

# Penalty notices are payable 5 working days after they are issued (our default: the
# templates are silent). A notice carries no penalty of its own: penalties never compound.
PENALTY_NOTICE_WORKING_DAYS = 5


# --- numbering and terms ---------------------------------------------------------------


def _next_number(year: int) -> str:
    key = f"ST-{year}"
    sequence, _ = DocumentSequence.objects.get_or_create(key=key)
    sequence = DocumentSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:06d}"


def _versioned(base_number: str, version: int) -> str:
    return base_number if version == 1 else f"{base_number}-v{version}"


def _calendar_note(calendar: WorkCalendar) -> str:
    return fallback_note(sorted(calendar.fallback_years))


def _is_staff_for(user: Any, agreement: Agreement) -> bool:
    return bool(
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_agency_staff", False) and user.organization_id == agreement.agency_id)
    )


def _is_brand_finance_for(user: Any, agreement: Agreement) -> bool:
    return bool(
        getattr(user, "is_brand_finance", False) and user.organization_id == agreement.brand_id
    )


def _require_staff(user: Any, agreement: Agreement) -> None:
    if user is not None and not _is_staff_for(user, agreement):
        raise RuleViolation({"non_field_errors": [msg.STAFF_ONLY]})


def _require_brand_or_staff(user: Any, agreement: Agreement) -> None:
    if user is not None and not (
        _is_staff_for(user, agreement) or _is_brand_finance_for(user, agreement)
    ):
        raise RuleViolation({"non_field_errors": [msg.BRAND_FINANCE_ONLY]})


def _not_future(day: date, field_name: str) -> None:
    if day > clock.today():
        raise RuleViolation({field_name: [msg.FUTURE_DATE]})


# --- monthly computation ---------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyComputation:
    """What a monthly statement would say now (a preview; nothing is saved)."""

    lines: tuple[calc.Line, ...]
    total_due: Decimal
    figures: dict[str, Any]
    sale_line_ids: tuple[int, ...]
    expense_ids: tuple[int, ...] = ()


def _unsettled_lines(agreement: Agreement, period: Period) -> tuple[list[SaleLine], list[SaleLine]]:
    """The period's own unbilled lines, and late lines of earlier periods already issued."""
    unsettled = SaleLine.objects.filter(agreement=agreement, settled_in__isnull=True)
    current = list(unsettled.filter(sold_on__gte=period.first_day, sold_on__lte=period.last_day))
    issued_periods = set(
        Statement.objects.filter(agreement=agreement, kind=Statement.Kind.MONTHLY)
        .exclude(status__in=[Statement.Status.DRAFT, Statement.Status.VOID])
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


def monthly_compute(*, agreement: Agreement, period: Period) -> MonthlyComputation:
    """Settle one agreement's month from its sale lines, KPIs, waivers and expenses."""
    current, late = _unsettled_lines(agreement, period)
    carried_in = _carried_in(agreement, period)
    ends_on = agreement.effective_ends_on
    ids = tuple(line.pk for line in [*current, *late])
    if agreement.kind == Agreement.Kind.B2B_COMMISSION:
        terms = agreement.b2b_terms
        evaluation = kpi_evaluate(agreement=agreement, period=period)
        assert evaluation is not None
        record = KpiRecord.objects.filter(agreement=agreement, period=str(period)).first()
        waiver = active_waiver(record) if record is not None else None
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
    expenses = list(
        Expense.objects.filter(agreement=agreement, period__lte=str(period), statement__isnull=True)
    )
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


def _replace_lines(statement: Statement, lines: Iterable[calc.Line]) -> None:
    statement.lines.all().delete()
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=i,
            kind=line.kind,
            description=line.description,
            amount=line.amount,
        )
        for i, line in enumerate(lines, start=1)
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
            statement = _monthly_create(agreement=agreement, period=period, version=1, by=by)
    except IntegrityError:
        statement = Statement.objects.get(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period=str(period), version=1
        )
        return Generated(statement, created=False)
    return Generated(statement, created=True)


def _monthly_create(
    *,
    agreement: Agreement,
    period: Period,
    version: int,
    by: Any,
    previous: Statement | None = None,
) -> Statement:
    computation = monthly_compute(agreement=agreement, period=period)
    base = previous.base_number if previous else _next_number(period.last_day.year)
    statement = Statement.objects.create(
        number=_versioned(base, version),
        base_number=base,
        version=version,
        agreement=agreement,
        kind=Statement.Kind.MONTHLY,
        period=str(period),
        total_due=computation.total_due,
        figures=computation.figures,
        penalty_rate_per_day=agreement.penalty_rate_per_day,
        previous_version=previous,
    )
    _replace_lines(statement, computation.lines)
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
    statement.save(update_fields=["total_due", "figures", "updated_at"])
    _replace_lines(statement, computation.lines)
    return statement


# --- issue, receipt, confirmation ------------------------------------------------------


def _enqueue_pdf(statement: Statement) -> None:
    from settlements.tasks import statement_pdf_task

    transaction.on_commit(lambda: statement_pdf_task.delay(statement.pk))


def _enqueue_issued_notice(statement: Statement) -> None:
    """E-mail the brand about a new bill once committed, from a worker (never blocking)."""
    from settlements.tasks import statement_issued_notify_task

    transaction.on_commit(lambda: statement_issued_notify_task.delay(statement.pk), robust=True)


def _snapshot(agreement: Agreement, penalty_rate: Decimal | None = None) -> dict[str, Any]:
    from settlements.documents import build_snapshot

    return build_snapshot(agreement, penalty_rate_per_day=penalty_rate)


@transaction.atomic
def statement_issue(*, statement: Statement, by: Any, issued_on: date | None = None) -> Statement:
    """Freeze a draft: final lines, snapshot of parties and bank account, due dates.

    A monthly statement cannot be issued before its period has ended. The PDF is
    rendered in the background once the transaction commits.
    """
    statement = (
        Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)
    )
    agreement = statement.agreement
    _require_staff(by, agreement)
    if statement.status != Statement.Status.DRAFT:
        raise InvalidStateError(msg.NOT_DRAFT.format(status=statement.status))
    issued_on = issued_on or clock.today()
    _not_future(issued_on, "issued_on")
    calendar = work_calendar()
    if statement.kind == Statement.Kind.MONTHLY:
        assert statement.period is not None
        period = Period.parse(statement.period)
        if issued_on <= period.last_day:
            raise RuleViolation({"issued_on": [msg.PERIOD_NOT_ENDED.format(period=period)]})
        _freeze_monthly(statement, period)
        terms = schedule_terms(agreement)
        statement.receipt_due_on = calc.receipt_due_on(
            issued_on=issued_on, terms=terms, calendar=calendar
        )
        # Until the brand answers, the due date assumes confirmation by silence.
        statement.payment_due_on = calc.payment_due_on(
            period=period, confirmed_on=statement.receipt_due_on, terms=terms, calendar=calendar
        )
    statement.status = Statement.Status.ISSUED
    statement.issued_on = issued_on
    statement.snapshot = _snapshot(agreement)
    statement.calendar_note = _calendar_note(calendar) or statement.calendar_note
    statement.save()
    _move_payments_from_previous(statement, by)
    _update_payment_status(statement)  # a statement owing nothing is paid at once
    event_record(
        action="statement.issued",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "issued_on": issued_on.isoformat(),
            "total_due": str(statement.total_due),
            "receipt_due_on": _iso(statement.receipt_due_on),
            "payment_due_on": _iso(statement.payment_due_on),
        },
    )
    _enqueue_pdf(statement)
    _enqueue_issued_notice(statement)
    return statement


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _freeze_monthly(statement: Statement, period: Period) -> None:
    """Final figures of a monthly statement, and mark the sales and expenses it bills."""
    computation = monthly_compute(agreement=statement.agreement, period=period)
    statement.total_due = computation.total_due
    statement.figures = {**computation.figures, "sale_lines": len(computation.sale_line_ids)}
    _replace_lines(statement, computation.lines)
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


def _lock_open(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)


@transaction.atomic
def statement_confirm(
    *, statement: Statement, by: Any, confirmed_on: date | None = None, deemed: bool = False
) -> Statement:
    """The brand's receipt (回执): confirms an issued statement; payment due follows."""
    statement = _lock_open(statement)
    agreement = statement.agreement
    if not deemed:
        _require_brand_or_staff(by, agreement)
    if statement.status != Statement.Status.ISSUED:
        raise InvalidStateError(msg.CANNOT_CONFIRM.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        raise InvalidStateError(msg.NO_RECEIPT_CYCLE)
    confirmed_on = confirmed_on or clock.today()
    _not_future(confirmed_on, "confirmed_on")
    assert statement.issued_on is not None
    if confirmed_on < statement.issued_on:
        raise RuleViolation({"confirmed_on": [msg.BEFORE_ISSUE]})
    statement.status = Statement.Status.CONFIRMED
    statement.confirmed_on = confirmed_on
    statement.deemed_confirmed = deemed
    if statement.kind == Statement.Kind.MONTHLY:
        assert statement.period is not None
        calendar = work_calendar()
        statement.payment_due_on = calc.payment_due_on(
            period=Period.parse(statement.period),
            confirmed_on=confirmed_on,
            terms=schedule_terms(agreement),
            calendar=calendar,
        )
        note = _calendar_note(calendar)
        if note and note not in statement.calendar_note:
            statement.calendar_note = (statement.calendar_note + " " + note).strip()
    statement.save()
    event_record(
        action="statement.deemed_confirmed" if deemed else "statement.confirmed",
        obj=statement,
        actor=by,
        agreement=agreement,
        message=msg.DEEMED_CONFIRMED if deemed else "",
        detail={
            "confirmed_on": confirmed_on.isoformat(),
            "payment_due_on": _iso(statement.payment_due_on),
        },
    )
    return statement


@transaction.atomic
def statement_dispute(
    *, statement: Statement, by: Any, comment: str, disputed_on: date | None = None
) -> Statement:
    """The brand disputes an issued statement, with a comment."""
    statement = _lock_open(statement)
    _require_brand_or_staff(by, statement.agreement)
    if statement.status != Statement.Status.ISSUED:
        raise InvalidStateError(msg.CANNOT_DISPUTE.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        raise InvalidStateError(msg.NO_RECEIPT_CYCLE)
    if not comment or not comment.strip():
        raise RuleViolation({"comment": [msg.COMMENT_REQUIRED]})
    disputed_on = disputed_on or clock.today()
    _not_future(disputed_on, "disputed_on")
    statement.status = Statement.Status.DISPUTED
    statement.disputed_on = disputed_on
    statement.dispute_comment = comment.strip()
    statement.save()
    event_record(
        action="statement.disputed",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=comment.strip(),
        detail={"disputed_on": disputed_on.isoformat()},
    )
    return statement


@transaction.atomic
def statement_reply(*, statement: Statement, by: Any, reply: str) -> Statement:
    """The agency answers a dispute (shown to the brand)."""
    statement = _lock_open(statement)
    _require_staff(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    statement.agency_reply = reply.strip()
    statement.save(update_fields=["agency_reply", "updated_at"])
    event_record(
        action="statement.dispute_replied",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reply.strip(),
    )
    return statement


@transaction.atomic
def statement_withdraw_dispute(*, statement: Statement, by: Any) -> Statement:
    """The brand withdraws its dispute: the statement is issued (unanswered) again."""
    statement = _lock_open(statement)
    _require_brand_or_staff(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    statement.status = Statement.Status.ISSUED
    statement.save(update_fields=["status", "updated_at"])
    event_record(
        action="statement.dispute_withdrawn", obj=statement, actor=by, agreement=statement.agreement
    )
    return statement


def statements_deem_confirmed(*, on: date | None = None) -> list[str]:
    """Silence until the receipt deadline counts as confirmation on that day (logged).

    Run on ``on``, it judges the days already over (up to ``on`` − 1): the brand may
    still answer on the deadline day itself.
    """
    on = on or clock.today()
    last_complete_day = on - timedelta(days=1)
    numbers = []
    candidates = Statement.objects.filter(
        status=Statement.Status.ISSUED,
        kind=Statement.Kind.MONTHLY,
        receipt_due_on__lte=last_complete_day,
    )
    for statement in candidates:
        assert statement.receipt_due_on is not None
        deemed_on = calc.deemed_confirmed_on(
            receipt_due_on=statement.receipt_due_on,
            confirmed_on=None,
            disputed=False,
            as_of=last_complete_day,
        )
        if deemed_on is None:
            continue
        statement_confirm(statement=statement, by=None, confirmed_on=deemed_on, deemed=True)
        numbers.append(statement.number)
    return numbers


# --- void and correction ----------------------------------------------------------------


@transaction.atomic
def statement_void(*, statement: Statement, by: Any, reason: str) -> Statement:
    """Void an issued statement (never edited in place); no penalty runs on it."""
    statement = _lock_open(statement)
    _require_staff(by, statement.agreement)
    if statement.status in (Statement.Status.DRAFT, Statement.Status.VOID):
        raise InvalidStateError(msg.CANNOT_VOID.format(status=statement.status))
    if not reason or not reason.strip():
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    statement.status = Statement.Status.VOID
    statement.void_reason = reason.strip()
    statement.voided_on = clock.today()
    statement.save()
    # Its sales and expenses are billed again by the corrected version.
    SaleLine.objects.filter(settled_in=statement).update(settled_in=None)
    Expense.objects.filter(statement=statement).update(statement=None)
    event_record(
        action="statement.voided",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reason.strip(),
    )
    return statement


@transaction.atomic
def statement_correct(*, statement: Statement, by: Any) -> Statement:
    """The next version of a voided statement, as a draft with fresh figures."""
    statement = _lock_open(statement)
    _require_staff(by, statement.agreement)
    if statement.status != Statement.Status.VOID:
        raise InvalidStateError(msg.CORRECT_ONLY_VOID.format(status=statement.status))
    if hasattr(statement, "next_version"):
        return statement.next_version
    version = statement.version + 1
    if statement.kind == Statement.Kind.MONTHLY:
        assert statement.period is not None
        return _monthly_create(
            agreement=statement.agreement,
            period=Period.parse(statement.period),
            version=version,
            by=by,
            previous=statement,
        )
    corrected = Statement.objects.create(
        number=_versioned(statement.base_number, version),
        base_number=statement.base_number,
        version=version,
        agreement=statement.agreement,
        kind=statement.kind,
        installment_number=statement.installment_number,
        total_due=statement.total_due,
        payment_due_on=statement.payment_due_on,
        figures=statement.figures,
        penalty_rate_per_day=statement.penalty_rate_per_day,
        previous_version=statement,
        penalty_of=statement.penalty_of,
        penalty_as_of=statement.penalty_as_of,
    )
    _replace_lines(
        corrected,
        [calc.Line(line.kind, line.description, line.amount) for line in statement.lines.all()],
    )
    event_record(
        action="statement.generated",
        obj=corrected,
        actor=by,
        agreement=statement.agreement,
        detail={"version": version, "corrects": statement.number},
    )
    return corrected


# --- payments ---------------------------------------------------------------------------


def _update_payment_status(statement: Statement) -> None:
    paid = amount_paid(statement)
    if paid <= 0 and statement.total_due > 0:
        status = Statement.PaymentStatus.UNPAID
    elif paid >= statement.total_due:
        status = Statement.PaymentStatus.PAID
    else:
        status = Statement.PaymentStatus.PARTIALLY_PAID
    Statement.objects.filter(pk=statement.pk).update(payment_status=status)
    statement.payment_status = status


@dataclass(frozen=True)
class PaymentRecorded:
    payment: PaymentRow
    created: bool


@transaction.atomic
def payment_record(
    *,
    statement: Statement,
    amount: Decimal,
    paid_on: date,
    by: Any,
    reference: str = "",
    external_ref: str = "",
) -> PaymentRecorded:
    """Record money received against an issued statement.

    Refused: a draft or void statement (409), an amount above what is outstanding, a
    future date, a non-positive amount (400). A date before the issue date is fine. A
    repeated ``external_ref`` returns the stored payment. Paying in full bills the
    penalty accrued so far with a final penalty notice.
    """
    external_ref = (external_ref or "").strip()
    if external_ref:
        stored = (
            PaymentRow.objects.filter(external_ref=external_ref)
            .select_related("statement__agreement")
            .first()
        )
        if stored is not None:
            same = (
                stored.statement.agreement.agency_id == statement.agreement.agency_id
                and stored.statement.base_number == statement.base_number
                and stored.amount == Decimal(amount)
                and stored.paid_on == paid_on
            )
            if not same:  # never hand another payment (or another agency's) back
                raise DomainError(msg.PAYMENT_REF_CONFLICT.format(ref=external_ref))
            return PaymentRecorded(stored, created=False)
    statement = _lock_open(statement)
    _require_staff(by, statement.agreement)
    if not statement.is_open:
        raise InvalidStateError(msg.PAYMENT_STATE.format(status=statement.status))
    amount = Decimal(amount)
    if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RuleViolation({"amount": [msg.AMOUNT_POSITIVE]})
    _not_future(paid_on, "paid_on")
    outstanding = statement.total_due - amount_paid(statement)
    if amount > outstanding:
        raise RuleViolation({"amount": [msg.OVERPAYMENT.format(outstanding=outstanding)]})
    payment = PaymentRow.objects.create(
        statement=statement,
        amount=amount,
        paid_on=paid_on,
        reference=reference.strip(),
        external_ref=external_ref,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _update_payment_status(statement)
    event_record(
        action="payment.recorded",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        detail={"amount": str(amount), "paid_on": paid_on.isoformat(), "reference": reference},
    )
    if statement.payment_status == Statement.PaymentStatus.PAID:
        last_paid_on = max(p.paid_on for p in statement.payments.all())
        penalty_notice_issue(statement=statement, as_of=last_paid_on, by=by)
    return PaymentRecorded(payment, created=True)


# --- penalties --------------------------------------------------------------------------


@transaction.atomic
def penalty_notice_issue(*, statement: Statement, as_of: date, by: Any = None) -> Statement | None:
    """Bill the penalty accrued to ``as_of`` minus what earlier notices billed and waivers.

    Nothing to bill → None. One notice per statement and date (unique), so the daily job
    can run twice.
    """
    if statement.kind == Statement.Kind.PENALTY:
        return None
    existing = statement.penalty_notices.filter(penalty_as_of=as_of).first()
    if existing is not None:
        return existing
    state = statement_penalty(statement=statement, as_of=as_of)
    amount = calc.penalty_notice_amount(
        penalty_to_date=state.penalty, already_billed=state.billed, waived=state.waived
    )
    if amount <= 0:
        return None
    issued_on = min(clock.today(), max(as_of, statement.issued_on or as_of))
    calendar = work_calendar()
    base = _next_number(issued_on.year)
    notice = Statement.objects.create(
        number=base,
        base_number=base,
        version=1,
        agreement=statement.agreement,
        kind=Statement.Kind.PENALTY,
        penalty_of=statement,
        penalty_as_of=as_of,
        status=Statement.Status.ISSUED,
        issued_on=issued_on,
        total_due=amount,
        payment_due_on=calendar.add_working_days(issued_on, PENALTY_NOTICE_WORKING_DAYS),
        penalty_rate_per_day=Decimal("0"),
        figures={
            "principal_statement": statement.number,
            "as_of": as_of.isoformat(),
            "due_on": _iso(state.due_on),
            "rate": str(state.rate),
            "days_overdue": state.days_overdue,
            "penalty_to_date": str(state.penalty),
            "already_billed": str(state.billed),
            "waived": str(state.waived),
        },
        snapshot=_snapshot(statement.agreement),
        calendar_note=_calendar_note(calendar),
    )
    _replace_lines(
        notice,
        [
            calc.Line(
                calc.LineKind.PENALTY,
                msg.PENALTY_LINE.format(number=statement.number, as_of=as_of.isoformat()),
                amount,
            )
        ],
    )
    event_record(
        action="penalty_notice.issued",
        obj=notice,
        actor=by,
        agreement=statement.agreement,
        detail={"statement": statement.number, "as_of": as_of.isoformat(), "amount": str(amount)},
    )
    _enqueue_pdf(notice)
    _enqueue_issued_notice(notice)
    return notice


@transaction.atomic
def penalty_waive(*, statement: Statement, amount: Decimal, reason: str, by: Any) -> PenaltyWaiver:
    """Waive or reduce a statement's penalty (staff, logged with the reason)."""
    statement = _lock_open(statement)
    _require_staff(by, statement.agreement)
    if not reason or not reason.strip():
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    state = statement_penalty(statement=statement, as_of=clock.today())
    waivable = state.penalty_net_of_waivers
    if amount <= 0 or amount > waivable:
        raise RuleViolation({"amount": [msg.WAIVER_RANGE.format(max=waivable)]})
    waiver = PenaltyWaiver.objects.create(
        statement=statement,
        amount=amount,
        reason=reason.strip(),
        waived_by=by if getattr(by, "is_authenticated", False) else None,
    )
    event_record(
        action="penalty.waived",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reason.strip(),
        detail={"amount": str(amount)},
    )
    return waiver


def penalty_notices_monthly(*, on: date | None = None) -> list[str]:
    """One notice a month per open overdue statement, as of the previous month's end."""
    on = on or clock.today()
    as_of = on.replace(day=1) - timedelta(days=1)
    notices = []
    open_statements = Statement.objects.filter(
        status__in=Statement.OPEN_STATUSES,
        payment_due_on__lt=as_of,
        penalty_rate_per_day__gt=0,
    ).exclude(payment_status=Statement.PaymentStatus.PAID)
    for statement in open_statements.exclude(penalty_notices__penalty_as_of=as_of):
        notice = penalty_notice_issue(statement=statement, as_of=as_of)
        if notice is not None:
            notices.append(notice.number)
    return notices


# --- one-off bills ----------------------------------------------------------------------


def _one_off_issue(
    *,
    agreement: Agreement,
    kind: str,
    installment_number: int,
    amount: Decimal,
    due_on: date,
    issued_on: date,
    line: calc.Line,
    figures: dict[str, Any],
    penalty_rate: Decimal,
    calendar: WorkCalendar,
    by: Any,
) -> Statement | None:
    if Statement.objects.filter(
        agreement=agreement, kind=kind, installment_number=installment_number
    ).exists():
        return None
    base = _next_number(issued_on.year)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                number=base,
                base_number=base,
                version=1,
                agreement=agreement,
                kind=kind,
                installment_number=installment_number,
                status=Statement.Status.ISSUED,
                issued_on=issued_on,
                payment_due_on=due_on,
                total_due=amount,
                figures=figures,
                penalty_rate_per_day=penalty_rate,
                snapshot=_snapshot(agreement, penalty_rate),
                # Only the years this bill's own dates fell in.
                calendar_note=fallback_note(
                    sorted(calendar.fallback_years & {due_on.year, issued_on.year})
                ),
            )
    except IntegrityError:
        return None
    _replace_lines(statement, [line])
    event_record(
        action="statement.issued",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "kind": kind,
            "installment": installment_number,
            "total_due": str(amount),
            "payment_due_on": due_on.isoformat(),
        },
    )
    _enqueue_pdf(statement)
    _enqueue_issued_notice(statement)
    return statement


def _installment_terms(agreement: Agreement) -> list[calc.InstallmentTerm]:
    return [
        calc.InstallmentTerm(
            number=i.number, percent=i.percent, due_from=i.due_from, working_days=i.working_days
        )
        for i in agreement.installments.all()
    ]


def one_off_bills_on_activation(*, agreement: Agreement, by: Any) -> list[Statement]:
    """At activation: the setup-fee bill and every installment due from signing.

    Due dates follow the contract (signing + N days) whatever day the bill is issued,
    as when an existing contract is entered late.
    """
    issued = []
    issued_on = clock.today()
    if agreement.kind == Agreement.Kind.REVENUE_SHARE:
        terms = agreement.revenue_share_terms
        if terms.setup_fee > 0:
            calendar = work_calendar()
            due_on, line = calc.setup_fee_bill(
                amount=terms.setup_fee,
                signed_on=agreement.signed_on,
                due_days=terms.setup_fee_due_days,
                calendar=calendar,
            )
            bill = _one_off_issue(
                agreement=agreement,
                kind=Statement.Kind.SETUP_FEE,
                installment_number=0,
                amount=terms.setup_fee,
                due_on=due_on,
                issued_on=issued_on,
                line=line,
                figures={},
                penalty_rate=terms.setup_fee_penalty_rate_per_day,
                calendar=calendar,
                by=by,
            )
            issued.append(bill)
    if agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        issued += installment_bills_issue(
            agreement=agreement, due_from=Installment.DueFrom.SIGNING, by=by
        )
    return [b for b in issued if b is not None]


def installment_bills_issue(
    *, agreement: Agreement, due_from: str, by: Any = None
) -> list[Statement]:
    """Issue the consulting installments due from ``due_from`` that are not billed yet."""
    calendar = work_calendar()
    bills = calc.installment_bills(
        total_fee=agreement.consulting_terms.total_fee,
        installments=_installment_terms(agreement),
        signed_on=agreement.signed_on,
        ends_on=agreement.effective_ends_on,
        calendar=calendar,
    )
    issued = []
    for bill in bills:
        if bill.due_from != due_from:
            continue
        issued_on = min(clock.today(), max(bill.trigger_on, agreement.signed_on))
        statement = _one_off_issue(
            agreement=agreement,
            kind=Statement.Kind.INSTALLMENT,
            installment_number=bill.number,
            amount=bill.amount,
            due_on=bill.due_on,
            issued_on=issued_on,
            line=bill.line,
            figures={
                "installment_number": bill.number,
                "due_from": bill.due_from,
                "total_fee": str(agreement.consulting_terms.total_fee),
                "percent": str(
                    next(i.percent for i in agreement.installments.all() if i.number == bill.number)
                ),
            },
            penalty_rate=agreement.penalty_rate_per_day,
            calendar=calendar,
            by=by,
        )
        if statement is not None:
            issued.append(statement)
    return issued


def installment_bills_due_from_end(*, on: date | None = None) -> list[str]:
    """Daily: consulting agreements whose (effective) end has come get their end bills."""
    on = on or clock.today()
    numbers = []
    agreements = Agreement.objects.filter(
        kind=Agreement.Kind.CONSULTING_FIXED_FEE,
        status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED],
    ).filter(Q(terminated_on__lte=on) | Q(terminated_on__isnull=True, ends_on__lte=on))
    for agreement in agreements:
        for statement in installment_bills_issue(
            agreement=agreement, due_from=Installment.DueFrom.END
        ):
            numbers.append(statement.number)
    return numbers


# --- demands, expenses ------------------------------------------------------------------


@transaction.atomic
def statement_demand(
    *, agreement: Agreement, period: Period, by: Any, demanded_on: date | None = None
) -> StatementDemand:
    """The brand's demand (催缴) for a statement not issued by its deadline."""
    _require_brand_or_staff(by, agreement)
    demanded_on = demanded_on or clock.today()
    _not_future(demanded_on, "demanded_on")
    deadline = issue_deadline_of(agreement=agreement, period=period)
    if not calc.statement_late(
        issue_deadline=deadline, issued_on=issued_on_for(agreement, period), as_of=demanded_on
    ):
        raise InvalidStateError(msg.NOT_LATE.format(period=period, deadline=deadline))
    demand, created = StatementDemand.objects.get_or_create(
        agreement=agreement,
        period=str(period),
        defaults={
            "demanded_on": demanded_on,
            "demanded_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    if created:
        event_record(
            action="statement.demanded",
            obj=agreement,
            actor=by,
            agreement=agreement,
            detail={
                "period": str(period),
                "demanded_on": demanded_on.isoformat(),
                "deadline": deadline.isoformat(),
            },
        )
    return demand


@transaction.atomic
def expense_record(
    *,
    agreement: Agreement,
    period: Period,
    amount: Decimal,
    description: str,
    receipt_ref: str,
    approved_by_brand_on: date,
    by: Any,
) -> Expense:
    """An approved marketing expense passed through on the next revenue-share statement."""
    _require_staff(by, agreement)
    errors: dict[str, list[str]] = {}
    if agreement.kind != Agreement.Kind.REVENUE_SHARE:
        errors["agreement"] = [msg.EXPENSE_KIND]
    if amount is None or amount <= 0:
        errors["amount"] = [msg.AMOUNT_POSITIVE]
    if not (description or "").strip():
        errors["description"] = [msg.REQUIRED]
    if not (receipt_ref or "").strip():
        errors["receipt_ref"] = [msg.RECEIPT_REQUIRED]
    if approved_by_brand_on and approved_by_brand_on > clock.today():
        errors["approved_by_brand_on"] = [msg.FUTURE_DATE]
    if errors:
        raise RuleViolation(errors)
    expense = Expense.objects.create(
        agreement=agreement,
        period=str(period),
        amount=amount,
        description=description.strip(),
        receipt_ref=receipt_ref.strip(),
        approved_by_brand_on=approved_by_brand_on,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    event_record(
        action="expense.recorded",
        obj=expense,
        actor=by,
        agreement=agreement,
        detail={"period": str(period), "amount": str(amount)},
    )
    return expense


# --- month-end run ----------------------------------------------------------------------


@transaction.atomic
def statement_run_start(
    *, period: str, by: Any, agreement: Agreement | None = None, dispatch: bool = True
) -> StatementRun:
    """Start the month-end job for a closed month: one task per agreement.

    Running it again for the same period adds only what is missing (generation is
    idempotent and the unique constraint forbids duplicates).
    """
    try:
        month = Period.parse(period)
    except ValueError as error:
        raise RuleViolation({"period": [msg.PERIOD_INVALID]}) from error
    if month.last_day >= clock.today():
        raise RuleViolation({"period": [msg.PERIOD_OPEN.format(period=month)]})
    agreements = agreements_settled_in(month)
    if getattr(by, "is_agency_staff", False) and not getattr(by, "is_superuser", False):
        # An agency's staff settle their own agency's agreements only.
        agreements = agreements.filter(agency_id=by.organization_id)
    if agreement is not None:
        agreements = agreements.filter(pk=agreement.pk)
    ids = list(agreements.values_list("pk", flat=True))
    run = StatementRun.objects.create(
        period=str(month),
        agreement=agreement,
        total=len(ids),
        status=StatementRun.Status.RUNNING,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    StatementRunItem.objects.bulk_create(StatementRunItem(run=run, agreement_id=pk) for pk in ids)
    if not ids:
        run.status = StatementRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    event_record(
        action="statement_run.started",
        obj=run,
        actor=by,
        detail={"period": str(month), "total": len(ids)},
    )
    if dispatch:
        transaction.on_commit(lambda: statement_run_dispatch(run_id=run.pk))
    return run


def statement_run_dispatch(*, run_id: int) -> None:
    from settlements.tasks import statement_run_item_task

    for item_id in StatementRunItem.objects.filter(
        run_id=run_id, status=StatementRunItem.Status.PENDING
    ).values_list("pk", flat=True):
        statement_run_item_task.delay(item_id)


def statement_run_item_process(*, item_id: int) -> None:
    """Generate one agreement's statement for the run; safe to run twice."""
    from django.db.models import F

    with transaction.atomic():
        item = (
            StatementRunItem.objects.select_for_update()
            .select_related("run", "agreement")
            .get(pk=item_id)
        )
        if item.status != StatementRunItem.Status.PENDING:
            return
        run = item.run
        try:
            with transaction.atomic():
                generated = statement_generate(
                    agreement=item.agreement, period=Period.parse(run.period), by=run.created_by
                )
        except DomainError as error:
            item.status = StatementRunItem.Status.FAILED
            item.error = str(error)
            item.save(update_fields=["status", "error"])
            StatementRun.objects.filter(pk=run.pk).update(failed=F("failed") + 1)
        else:
            item.status = StatementRunItem.Status.DONE
            item.statement = generated.statement
            item.save(update_fields=["status", "statement"])
            StatementRun.objects.filter(pk=run.pk).update(
                done=F("done") + 1, created=F("created") + (1 if generated.created else 0)
            )
    statement_run_finish(run_id=item.run_id)


def statement_run_finish(*, run_id: int) -> None:
    with transaction.atomic():
        run = StatementRun.objects.select_for_update().get(pk=run_id)
        if run.status != StatementRun.Status.RUNNING or run.done + run.failed < run.total:
            return
        run.status = StatementRun.Status.FAILED if run.failed else StatementRun.Status.DONE
        run.errors = [
            {"agreement": number, "error": error}
            for number, error in run.items.filter(
                status=StatementRunItem.Status.FAILED
            ).values_list("agreement__number", "error")
        ]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "errors", "finished_at"])
        event_record(
            action="statement_run.finished",
            obj=run,
            detail={
                "period": run.period,
                "done": run.done,
                "failed": run.failed,
                "created": run.created,
            },
        )


# --- flags ------------------------------------------------------------------------------


def flags_log_new(*, as_of: date | None = None) -> list[Flag]:
    """Daily: log an event (and e-mail the brand) the first time each flag is seen."""
    from settlements.notifications import flag_notify

    as_of = as_of or clock.today()
    new = []
    for flag in flags_as_of(as_of=as_of):
        try:
            with transaction.atomic():
                FlagSeen.objects.create(
                    key=flag.key,
                    flag=flag.name,
                    agreement=flag.agreement,
                    statement=flag.statement,
                    period=flag.period,
                    seen_on=as_of,
                )
        except IntegrityError:
            continue
        event_record(
            action=f"flag.{flag.name}",
            obj=flag.statement or flag.agreement,
            agreement=flag.agreement,
            detail={"as_of": as_of.isoformat(), "period": flag.period, **flag.detail},
        )
        flag_notify(flag)
        new.append(flag)
    return new


def daily_run(*, on: date | None = None) -> dict[str, Any]:
    """The daily job: renewals and expiries, end-based bills, deemed confirmations,
    monthly penalty notices, flags. Each step is idempotent."""
    from contracts.services import agreements_roll_over

    on = on or clock.today()
    rollover = agreements_roll_over(today=on)
    return {
        "renewed": rollover.renewed,
        "expired": rollover.expired,
        "installments": installment_bills_due_from_end(on=on),
        "deemed_confirmed": statements_deem_confirmed(on=on),
        "penalty_notices": penalty_notices_monthly(on=on) if on.day == 1 else [],
        "flags": [f.key for f in flags_log_new(as_of=on)],
        "reminders": notifications.reminders_send(on=on),
    }
