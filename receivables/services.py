"""Balance confirmations (往来余额确认函): staff issue one for a brand as of a date; the
brand's finance users (or staff on their behalf) confirm or dispute it, once.

Services check the role, lock and check the row's state (409 once answered), save and
write an audit event. The PDF is rendered by a worker after the commit
(``receivables.tasks``), as the statements' PDFs are.
"""

from datetime import date
from typing import Any

from django.db import transaction

from accounts.models import Organization
from accounts.roles import require_brand_finance_or_staff_for, require_staff_for
from common import clock
from common.events import event_record
from core.exceptions import InvalidStateError, RuleViolation
from receivables import messages as msg
from receivables import tasks
from receivables.models import BalanceConfirmation
from receivables.selectors import brand_receivables
from settlements.models import DocumentSequence
from settlements.selectors import Receivable

NUMBER_PREFIX = "BC"


def _next_number(year: int) -> str:
    """BC-2026-000001: gap-free per year, taken under the sequence's row lock."""
    key = f"{NUMBER_PREFIX}-{year}"
    sequence, _ = DocumentSequence.objects.get_or_create(key=key)
    sequence = DocumentSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:06d}"


def item_snapshot(item: Receivable) -> dict[str, Any]:
    """One open item as the confirmation keeps it (JSON: money as strings, ISO dates)."""
    statement = item.statement
    return {
        "statement": statement.pk,
        "number": statement.number,
        "kind": statement.kind,
        "period": statement.period,
        "payment_due_on": item.due_on.isoformat() if item.due_on else None,
        "outstanding": f"{item.outstanding:.2f}",
        "penalty": f"{item.penalty:.2f}",
        "days_past_due": item.days_past_due,
        "bucket": item.bucket,
    }


def enqueue_pdf(confirmation: BalanceConfirmation) -> None:
    """Render the PDF in a worker once committed; never raises into the request (a broker
    outage is logged by ``Enqueueable`` and the sweep task renders what is missing)."""
    transaction.on_commit(
        lambda: tasks.balance_confirmation_pdf_task.delay(confirmation.pk), robust=True
    )


@transaction.atomic
def balance_confirmation_issue(
    *, brand: Organization, as_of: date | None = None, by: Any
) -> BalanceConfirmation:
    """Issue a balance confirmation of ``brand``'s open items as of ``as_of`` (default
    today, never in the future): agency staff of the brand's agency only."""
    if brand.kind != Organization.Kind.BRAND or brand.agency_id is None:
        raise RuleViolation({"brand": [msg.NOT_A_BRAND]})
    confirmation = BalanceConfirmation(brand=brand, agency_id=brand.agency_id, created_by=None)
    require_staff_for(by, confirmation)
    as_of = as_of or clock.today()
    if as_of > clock.today():
        raise RuleViolation({"as_of": [msg.FUTURE_DATE]})
    receivables = brand_receivables(brand=brand, as_of=as_of)
    confirmation.number = _next_number(as_of.year)
    confirmation.as_of = as_of
    confirmation.items = [item_snapshot(item) for item in receivables.items]
    confirmation.total_outstanding = receivables.total_outstanding
    confirmation.total_penalty = receivables.total_penalty
    confirmation.created_by = by if getattr(by, "is_authenticated", False) else None
    confirmation.save()
    event_record(
        action="balance_confirmation.issued",
        obj=confirmation,
        actor=by,
        message=confirmation.number,
        detail={
            "brand": brand.pk,
            "as_of": as_of.isoformat(),
            "items": len(confirmation.items),
            "total_outstanding": f"{confirmation.total_outstanding:.2f}",
            "total_penalty": f"{confirmation.total_penalty:.2f}",
        },
    )
    enqueue_pdf(confirmation)
    return confirmation


def _lock_unanswered(confirmation: BalanceConfirmation, by: Any) -> BalanceConfirmation:
    locked = BalanceConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    require_brand_finance_or_staff_for(by, locked)
    if locked.status != BalanceConfirmation.Status.ISSUED:
        raise InvalidStateError(msg.ALREADY_ANSWERED.format(status=locked.status))
    return locked


@transaction.atomic
def balance_confirmation_confirm(
    *, confirmation: BalanceConfirmation, by: Any
) -> BalanceConfirmation:
    """The brand confirms the balance (确认无误): brand finance, or staff on its behalf."""
    confirmation = _lock_unanswered(confirmation, by)
    confirmation.status = BalanceConfirmation.Status.CONFIRMED
    confirmation.confirmed_on = clock.today()
    confirmation.answered_by = by if getattr(by, "is_authenticated", False) else None
    confirmation.save(update_fields=["status", "confirmed_on", "answered_by"])
    event_record(
        action="balance_confirmation.confirmed",
        obj=confirmation,
        actor=by,
        message=confirmation.number,
        detail={"confirmed_on": confirmation.confirmed_on.isoformat()},
    )
    return confirmation


@transaction.atomic
def balance_confirmation_dispute(
    *, confirmation: BalanceConfirmation, by: Any, comment: str
) -> BalanceConfirmation:
    """The brand says the balance does not match (不符), with a comment saying how."""
    comment = (comment or "").strip()
    confirmation = _lock_unanswered(confirmation, by)
    if not comment:
        raise RuleViolation({"comment": [msg.COMMENT_REQUIRED]})
    confirmation.status = BalanceConfirmation.Status.DISPUTED
    confirmation.disputed_on = clock.today()
    confirmation.dispute_comment = comment
    confirmation.answered_by = by if getattr(by, "is_authenticated", False) else None
    confirmation.save(update_fields=["status", "disputed_on", "dispute_comment", "answered_by"])
    event_record(
        action="balance_confirmation.disputed",
        obj=confirmation,
        actor=by,
        message=comment,
        detail={"disputed_on": confirmation.disputed_on.isoformat()},
    )
    return confirmation
