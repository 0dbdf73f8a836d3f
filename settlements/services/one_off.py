"""One-off bills: the revenue-share setup fee and the consulting installments."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from common import clock
from common.calendar import work_calendar
from common.events import event_record
from common.jobs import RowGuard
from contracts.models import Agreement, Installment
from core.workdays import WorkCalendar, fallback_note
from settlements import calculations as calc
from settlements.documents import build_snapshot
from settlements.models import Statement
from settlements.services._common import (
    enqueue_issued_notice,
    enqueue_pdf,
    iso_or_none,
    next_number,
    replace_lines,
)
from settlements.services.invoices import payment_due_apply
from settlements.vat import agreement_vat_rate


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
    try:
        with transaction.atomic():  # the number is taken only if the bill is made: no gaps
            base = next_number(issued_on.year)
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
                contract_due_on=due_on,
                total_due=amount,
                figures=figures,
                penalty_rate_per_day=penalty_rate,
                vat_rate=agreement_vat_rate(agreement),
                snapshot=build_snapshot(agreement, penalty_rate_per_day=penalty_rate),
                # Only the years this bill's own dates fell in.
                calendar_note=fallback_note(
                    sorted(calendar.fallback_years & {due_on.year, issued_on.year})
                ),
            )
    except IntegrityError:
        return None
    replace_lines(statement, [line])
    if payment_due_apply(statement, calendar):  # after the invoice, if the terms say so
        statement.save(update_fields=["payment_due_on"])
    event_record(
        action="statement.issued",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "kind": kind,
            "installment": installment_number,
            "total_due": str(amount),
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    enqueue_pdf(statement)
    enqueue_issued_notice(statement)
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


def installment_bills_due_from_end(
    *, on: date | None = None, guard: RowGuard | None = None
) -> list[str]:
    """Daily: consulting agreements whose (effective) end has come get their end bills,
    issued on the end date whatever day the job runs."""
    on = on or clock.today()
    guard = guard or RowGuard("end_bills", strict=True)
    numbers = []
    agreements = Agreement.objects.filter(
        kind=Agreement.Kind.CONSULTING_FIXED_FEE,
        status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED],
    ).filter(Q(terminated_on__lte=on) | Q(terminated_on__isnull=True, ends_on__lte=on))
    for agreement in agreements:
        with guard.row(agreement.number):
            for statement in installment_bills_issue(
                agreement=agreement, due_from=Installment.DueFrom.END
            ):
                numbers.append(statement.number)
    return numbers
