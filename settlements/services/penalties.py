"""Late-payment penalties: notices that bill them, waivers that reduce them."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.roles import require_staff_for
from common import clock
from common.calendar import work_calendar
from common.events import event_record
from common.jobs import RowGuard
from core.exceptions import RuleViolation
from core.money import Payment as PaymentFact
from settlements import calculations as calc
from settlements import daily_rules
from settlements import messages as msg
from settlements.detail import penalty_figures
from settlements.documents import build_snapshot
from settlements.models import PenaltyWaiver, Statement
from settlements.selectors import statement_penalty
from settlements.services._common import (
    calendar_note,
    enqueue_issued_notice,
    enqueue_pdf,
    iso_or_none,
    next_number,
    replace_lines,
    statement_lock,
)
from settlements.services.invoices import payment_due_apply
from settlements.vat import agreement_vat_rate


@transaction.atomic
def penalty_notice_issue(
    *, statement: Statement, as_of: date, by: Any = None, issued_on: date | None = None
) -> Statement | None:
    """Bill the penalty accrued to ``as_of`` minus what earlier notices billed and waivers.

    Nothing to bill → None. One notice per statement and date (unique), so the daily job
    can run twice. ``issued_on`` is the notice's date as its rule gives it (the 1st of
    the month for a monthly notice); by default ``as_of``, never before the bill itself.
    """
    if statement.kind == Statement.Kind.PENALTY:
        return None
    # The principal's lock before the lookup, as in penalty_notices_for and payment_record
    # (principal first, then the number sequence): a concurrent copy waits, then finds
    # the notice instead of failing on the unique (penalty_of, penalty_as_of).
    statement = statement_lock(statement)
    existing = statement.penalty_notices.filter(penalty_as_of=as_of).first()
    if existing is not None:
        return existing
    state = statement_penalty(statement=statement, as_of=as_of)
    amount = calc.penalty_notice_amount(
        penalty_to_date=state.penalty, already_billed=state.billed, waived=state.waived
    )
    if amount <= 0:
        return None
    issued_on = min(clock.today(), max(issued_on or as_of, statement.issued_on or as_of))
    calendar = work_calendar()
    due_on = calendar.add_working_days(issued_on, calc.PENALTY_NOTICE_WORKING_DAYS)
    base = next_number(issued_on.year)
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
        payment_due_on=due_on,
        contract_due_on=due_on,
        penalty_rate_per_day=Decimal("0"),
        vat_rate=agreement_vat_rate(statement.agreement),
        figures={
            "principal_statement": statement.number,
            "as_of": as_of.isoformat(),
            "due_on": iso_or_none(state.due_on),
            "rate": str(state.rate),
            "days_overdue": state.days_overdue,
            "penalty_to_date": str(state.penalty),
            "already_billed": str(state.billed),
            "waived": str(state.waived),
            **penalty_figures(statement, as_of=as_of),  # "spans" and "payments"
        },
        snapshot=build_snapshot(statement.agreement),
        calendar_note=calendar_note(calendar),
    )
    if payment_due_apply(notice, calendar):  # after the invoice, if the terms say so
        notice.save(update_fields=["payment_due_on"])
    replace_lines(
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
    enqueue_pdf(notice)
    enqueue_issued_notice(notice)
    return notice


@transaction.atomic
def penalty_waive(*, statement: Statement, amount: Decimal, reason: str, by: Any) -> PenaltyWaiver:
    """Waive or reduce a statement's penalty (staff, logged with the reason)."""
    statement = statement_lock(statement)
    require_staff_for(by, statement.agreement)
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


def penalty_notices_for(*, statement: Statement, until: date, by: Any = None) -> list[Statement]:
    """Issue the penalty notices ``statement`` calls for up to ``until`` that are missing.

    The dates come from ``daily_rules.penalty_notice_dates``: one on each 1st while the
    bill is open after its due date, and one on the day it is paid in full. Notices are
    made in date order, and never before the latest one already issued (a back-dated
    payment must not bill a span twice). The payment service calls this too, so a bill
    paid in full gets its final notice at once, with any monthly one missing before it.
    """
    statement = statement_lock(statement)
    due_on = statement.payment_due_on
    if (
        statement.kind == Statement.Kind.PENALTY
        or not statement.is_open
        or due_on is None
        or statement.penalty_rate_per_day <= 0
    ):
        return []
    payments = [PaymentFact(p.paid_on, p.amount) for p in statement.payments.all()]
    latest = (
        statement.penalty_notices.exclude(status=Statement.Status.VOID)
        .order_by("-penalty_as_of")
        .values_list("penalty_as_of", flat=True)
        .first()
    )
    issued = []
    for due in daily_rules.penalty_notice_dates(
        principal=statement.total_due,
        due_on=due_on,
        payments=payments,
        until=until,
        issued_on=statement.issued_on,
    ):
        if latest is not None and due.as_of <= latest:
            continue
        if statement.penalty_notices.filter(penalty_as_of=due.as_of).exists():
            continue
        notice = penalty_notice_issue(
            statement=statement, as_of=due.as_of, issued_on=due.issued_on, by=by
        )
        if notice is not None:
            issued.append(notice)
    return issued


def penalty_notices_due(*, until: date | None = None, guard: RowGuard | None = None) -> list[str]:
    """Daily: every open overdue bill gets the penalty notices due up to ``until``."""
    until = until or clock.today()
    guard = guard or RowGuard("penalty_notices", strict=True)
    numbers = []
    candidates = (
        Statement.objects.open()
        .exclude(kind=Statement.Kind.PENALTY)
        .filter(payment_due_on__lt=until, penalty_rate_per_day__gt=0)
    )
    for statement in candidates:
        with guard.row(statement.number):
            numbers += [n.number for n in penalty_notices_for(statement=statement, until=until)]
    return numbers
