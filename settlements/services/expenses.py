"""Marketing expenses passed through on revenue-share statements."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.roles import require_staff_for
from common import clock
from common.events import event_record
from contracts.models import Agreement
from core.exceptions import RuleViolation
from core.periods import Period
from settlements import messages as msg
from settlements.models import Expense


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
    require_staff_for(by, agreement)
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
