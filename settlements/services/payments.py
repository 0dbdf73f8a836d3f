"""Payments against issued statements, and the payment status they derive."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accounts.roles import require_staff_for
from common import clock
from common.events import event_record
from core.exceptions import DomainError, InvalidStateError, RuleViolation
from settlements import messages as msg
from settlements.models import Payment as PaymentRow
from settlements.models import Statement
from settlements.selectors import amount_paid
from settlements.services._common import not_future, statement_lock
from settlements.services.penalties import penalty_notices_for


def payment_status_update(statement: Statement) -> None:
    paid = amount_paid(statement)
    if paid <= 0 and statement.total_due > 0:
        status = Statement.PaymentStatus.UNPAID
    elif paid >= statement.total_due:
        status = Statement.PaymentStatus.PAID
    else:
        status = Statement.PaymentStatus.PARTIALLY_PAID
    Statement.objects.filter(pk=statement.pk).update(payment_status=status)
    statement.payment_status = status


def _stored_payment(
    external_ref: str, *, statement: Statement, amount: Decimal, paid_on: date
) -> PaymentRow | None:
    """The payment stored under ``external_ref`` if it is this one; None if there is none.

    Another payment (or another agency's) under the reference is a conflict (409): it is
    never handed back.
    """
    if not external_ref:
        return None
    stored = (
        PaymentRow.objects.filter(external_ref=external_ref)
        .select_related("statement__agreement")
        .first()
    )
    if stored is None:
        return None
    same = (
        stored.statement.agreement.agency_id == statement.agreement.agency_id
        and stored.statement.base_number == statement.base_number
        and stored.amount == Decimal(amount)
        and stored.paid_on == paid_on
    )
    if not same:
        raise DomainError(msg.PAYMENT_REF_CONFLICT.format(ref=external_ref))
    return stored


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
    # The statement's lock first, then the lookup: a copy of this request waits here and
    # then finds the payment the first one stored (checked before the lock, both would
    # miss it and one would fail on the unique index).
    statement = statement_lock(statement)
    if external_ref:
        stored = _stored_payment(external_ref, statement=statement, amount=amount, paid_on=paid_on)
        if stored is not None:
            return PaymentRecorded(stored, created=False)
    require_staff_for(by, statement.agreement)
    if not statement.is_open:
        raise InvalidStateError(msg.PAYMENT_STATE.format(status=statement.status))
    amount = Decimal(amount)
    if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RuleViolation({"amount": [msg.AMOUNT_POSITIVE]})
    not_future(paid_on, "paid_on")
    outstanding = statement.total_due - amount_paid(statement)
    if amount > outstanding:
        raise RuleViolation({"amount": [msg.OVERPAYMENT.format(outstanding=outstanding)]})
    try:
        with transaction.atomic():
            payment = PaymentRow.objects.create(
                statement=statement,
                amount=amount,
                paid_on=paid_on,
                reference=reference.strip(),
                external_ref=external_ref,
                recorded_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # The reference was stored at the same moment against another statement (another
        # version of this one, or another bill): the same payment, or a conflict.
        stored = _stored_payment(external_ref, statement=statement, amount=amount, paid_on=paid_on)
        if stored is None:
            raise
        return PaymentRecorded(stored, created=False)
    payment_status_update(statement)
    event_record(
        action="payment.recorded",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        detail={"amount": str(amount), "paid_on": paid_on.isoformat(), "reference": reference},
    )
    if statement.payment_status == Statement.PaymentStatus.PAID:
        # The final penalty notice, dated on the day it was paid in full (and any monthly
        # notice still missing before it): the same records the daily job would make.
        penalty_notices_for(statement=statement, until=clock.today(), by=by)
    return PaymentRecorded(payment, created=True)
