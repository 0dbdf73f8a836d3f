"""Invoices (发票) against statements, penalty notices and bills; red-letter reversal (红冲);
and the payment due date under the term ``invoice_before_payment``.

- ``invoice_record``: staff record an invoice with its file. The statement's row is
  locked first, so concurrent records can never invoice more than its total; the
  agency's row next, so one invoice number is never recorded twice in the agency.
- ``invoice_reverse``: the red invoice's number and date; for an invoice marked
  ``to_reverse`` by a void, or an issued one that was wrong.
- ``invoices_mark_to_reverse``: voiding a statement marks its invoices (logged).
- ``payment_due_apply``: the one place ``Statement.payment_due_on`` is derived from
  ``contract_due_on`` and the invoices; every service that sets the contract's due date
  or changes the invoices calls it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse

from accounts.models import Organization
from accounts.roles import require_staff_for
from common import clock
from common.calendar import work_calendar
from common.events import event_record
from core.exceptions import InvalidStateError, RuleViolation
from core.money import ZERO
from core.workdays import WorkCalendar
from settlements import calculations as calc
from settlements import invoice_files
from settlements import messages as msg
from settlements.models import Invoice, Statement
from settlements.services._common import iso_or_none, not_future, statement_lock

DIGITAL_DIGITS, PAPER_DIGITS = 20, 8
DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024
_DIGITS = {n: re.compile(rf"[0-9]{{{n}}}") for n in (DIGITAL_DIGITS, PAPER_DIGITS)}


def invoice_file_max_bytes() -> int:
    """The largest invoice file accepted (setting ``INVOICE_FILE_MAX_BYTES``, 10 MB)."""
    return int(getattr(settings, "INVOICE_FILE_MAX_BYTES", DEFAULT_FILE_MAX_BYTES))


# --- reads ------------------------------------------------------------------------------


def counting_invoices(statement: Statement) -> QuerySet[Invoice]:
    """The statement's invoices that count towards its invoiced total (not reversed)."""
    return Invoice.objects.filter(statement=statement).exclude(status=Invoice.Status.REVERSED)


def invoiced_amount(statement: Statement) -> Decimal:
    """The total of the statement's invoices that are not reversed."""
    return statement.invoiced_amount


def invoiced_sum() -> Any:
    """``invoiced_amount`` of each row, as an annotation: ``.annotate(invoiced_sum=…)``."""
    per_statement = (
        Invoice.objects.filter(statement=OuterRef("pk"))
        .exclude(status=Invoice.Status.REVERSED)
        .values("statement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(per_statement),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def invoice_before_payment(statement: Statement) -> tuple[bool, int]:
    """Whether the agreement pays only after the invoice, and the working days after it."""
    terms = statement.agreement.terms
    on = bool(getattr(terms, "invoice_before_payment", False))
    return on, int(getattr(terms, "invoice_payment_working_days", 5) or 0)


def awaits_invoice(statement: Statement) -> bool:
    """An open statement with no due date only because the invoice is not in yet."""
    return bool(
        statement.is_open
        and statement.payment_due_on is None
        and statement.contract_due_on is not None
        and invoice_before_payment(statement)[0]
    )


def invoice_file_response(invoice: Invoice) -> FileResponse:
    """The invoice's file as a download named after its number, in its own type."""
    extension = invoice.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        invoice.file.open("rb"),
        as_attachment=True,
        filename=f"{invoice.number}.{extension}",
        content_type=invoice.content_type or "application/octet-stream",
    )


# --- the due date -----------------------------------------------------------------------


def payment_due_apply(statement: Statement, calendar: WorkCalendar | None = None) -> bool:
    """Set ``statement.payment_due_on`` from its contract due date and its invoices (not
    saved); True if it changed.

    Without the term ``invoice_before_payment`` it is the contract's due date. With it,
    ``calculations.payment_due_after_invoice``: no due date until the invoices cover the
    total. A disputed statement has no due date either way.
    """
    before = statement.payment_due_on
    on, working_days = invoice_before_payment(statement)
    if statement.status == Statement.Status.DISPUTED:
        due = None
    elif not on or statement.contract_due_on is None:
        due = statement.contract_due_on
    else:
        facts = (
            [calc.InvoiceFact(i.issued_on, i.amount) for i in counting_invoices(statement)]
            if statement.pk
            else []
        )
        due = calc.payment_due_after_invoice(
            contract_due_on=statement.contract_due_on,
            total=statement.total_due,
            invoices=facts,
            invoice_before_payment=True,
            invoice_payment_working_days=working_days,
            calendar=calendar or work_calendar(),
        )
    statement.payment_due_on = due
    return due != before


def _due_refresh(statement: Statement) -> None:
    if statement.is_open and payment_due_apply(statement):
        statement.save(update_fields=["payment_due_on", "updated_at"])


# --- checks -----------------------------------------------------------------------------


def _number_problem(kind: str, number: str) -> str | None:
    digital = kind in Invoice.DIGITAL_KINDS
    digits = DIGITAL_DIGITS if digital else PAPER_DIGITS
    if not _DIGITS[digits].fullmatch(number):
        return msg.INVOICE_NUMBER_DIGITAL if digital else msg.INVOICE_NUMBER_PAPER
    return None


def _same_numbering(kind: str) -> list[str]:
    """Kinds whose numbers share one series: both digital kinds (the tax platform gives
    each number once), or one paper kind (专票 and 普票 are printed on separate stock)."""
    return list(Invoice.DIGITAL_KINDS) if kind in Invoice.DIGITAL_KINDS else [kind]


def _number_taken(agency_id: int, kind: str, number: str, exclude: int | None = None) -> bool:
    """``number`` is an invoice of the agency that is not reversed, or a red invoice."""
    taken = Invoice.objects.filter(
        statement__agreement__agency_id=agency_id, kind__in=_same_numbering(kind)
    ).filter((Q(number=number) & ~Q(status=Invoice.Status.REVERSED)) | Q(red_number=number))
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    return taken.exists()


def _money_problem(value: Any) -> Decimal | None:
    try:
        amount = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount


def invoice_file_check(upload: Any) -> tuple[invoice_files.FileType, str]:
    """The file's type (by content) and its name; refused: missing, empty, too large,
    not a PDF, OFD or XML, a name saying another type, XML with a DOCTYPE."""
    if upload is None:
        raise RuleViolation({"file": [msg.INVOICE_FILE_REQUIRED]})
    name = PurePath(getattr(upload, "name", "") or "").name[:200] or "invoice"
    size = getattr(upload, "size", None) or 0
    limit = invoice_file_max_bytes()
    if not size:
        raise RuleViolation({"file": [msg.INVOICE_FILE_EMPTY.format(name=name)]})
    if size > limit:
        max_mb = f"{limit / 2**20:g}"
        raise RuleViolation({"file": [msg.INVOICE_FILE_TOO_LARGE.format(name=name, max_mb=max_mb)]})
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    try:
        found = invoice_files.file_type(data)
    except invoice_files.XmlDeclarationRefused:
        raise RuleViolation({"file": [msg.INVOICE_XML_DTD.format(name=name)]}) from None
    if found is None:
        raise RuleViolation({"file": [msg.INVOICE_FILE_TYPE.format(name=name)]})
    if invoice_files.extension_of(name) != found.value:
        actual = invoice_files.TYPE_NAMES[found]
        raise RuleViolation({"file": [msg.INVOICE_FILE_MISMATCH.format(name=name, actual=actual)]})
    return found, name


def _invoice_problems(
    statement: Statement,
    *,
    kind: str,
    number: str,
    issued_on: date,
    amount: Any,
    tax_amount: Any,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Invoice.Kind.values:
        errors["kind"] = [msg.INVOICE_KIND]
    elif problem := _number_problem(kind, number):
        errors["number"] = [problem]
    if issued_on > clock.today():
        errors["issued_on"] = [msg.FUTURE_DATE]
    elif statement.issued_on and issued_on < statement.issued_on:
        errors["issued_on"] = [msg.INVOICE_BEFORE_ISSUE.format(issued_on=statement.issued_on)]
    money, tax = _money_problem(amount), _money_problem(tax_amount)
    if money is None or money <= 0:
        errors["amount"] = [msg.AMOUNT_POSITIVE]
    if tax is None or tax < 0 or (money is not None and tax > money):
        errors["tax_amount"] = [msg.INVOICE_TAX_RANGE]
    return errors


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def invoice_record(
    *,
    statement: Statement,
    kind: str,
    number: str,
    issued_on: date,
    amount: Decimal,
    tax_amount: Decimal,
    file: Any,
    by: Any,
) -> Invoice:
    """Record an invoice the agency issued against an open statement, with its file.

    Refused: a draft or void statement (409); a number not of its kind's form (数电 20
    digits, paper 8) or already recorded in the agency; a date in the future or before
    the bill was issued; an amount that would take the invoiced total over the bill's
    total; a tax below 0 or above the amount; a file that is not what it says (400).
    Under ``invoice_before_payment`` the payment due date follows (``payment_due_apply``).
    """
    statement = statement_lock(statement)
    agreement = statement.agreement
    require_staff_for(by, agreement)
    if not statement.is_open:
        raise InvalidStateError(msg.INVOICE_STATEMENT_STATE.format(status=statement.status))
    number = (number or "").strip()
    errors = _invoice_problems(
        statement,
        kind=kind,
        number=number,
        issued_on=issued_on,
        amount=amount,
        tax_amount=tax_amount,
    )
    try:
        file_type, name = invoice_file_check(file)
    except RuleViolation as refused:
        errors.update(refused.errors)
    if errors:
        raise RuleViolation(errors)
    amount, tax_amount = Decimal(amount), Decimal(tax_amount)
    # The agency's row serializes numbering across its statements (the statement's lock
    # only covers this one).
    Organization.objects.select_for_update().filter(pk=agreement.agency_id).first()
    if _number_taken(agreement.agency_id, kind, number):
        raise RuleViolation({"number": [msg.INVOICE_NUMBER_TAKEN.format(number=number)]})
    available = statement.total_due - invoiced_amount(statement)
    if amount > available:
        raise RuleViolation({"amount": [msg.INVOICE_OVER_TOTAL.format(available=available)]})
    invoice = Invoice(
        statement=statement,
        kind=kind,
        number=number,
        issued_on=issued_on,
        amount=amount,
        tax_amount=tax_amount,
        file_name=name,
        content_type=invoice_files.CONTENT_TYPES[file_type],
        size=file.size,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    invoice.file.save(name, file, save=False)
    invoice.save()
    _due_refresh(statement)
    event_record(
        action="invoice.recorded",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "invoice": invoice.pk,
            "number": number,
            "kind": kind,
            "issued_on": issued_on.isoformat(),
            "amount": str(amount),
            "tax_amount": str(tax_amount),
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    return invoice


@transaction.atomic
def invoice_reverse(
    *, invoice: Invoice, red_number: str, on: date | None = None, by: Any
) -> Invoice:
    """Record the red-letter reversal (红冲) of an invoice: the red invoice's number and
    date. For an invoice marked ``to_reverse`` by a void, or an issued one that was
    wrong; a reversed one is refused (409). The invoice stops counting towards the
    statement's invoiced total, so under ``invoice_before_payment`` the due date follows.
    """
    statement = statement_lock(invoice.statement)
    agreement = statement.agreement
    require_staff_for(by, agreement)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.REVERSED:
        raise InvalidStateError(msg.INVOICE_ALREADY_REVERSED.format(number=invoice.number))
    red_number = (red_number or "").strip()
    on = on or clock.today()
    errors: dict[str, list[str]] = {}
    if problem := _number_problem(invoice.kind, red_number):
        errors["red_number"] = [problem]
    elif red_number == invoice.number:
        errors["red_number"] = [msg.INVOICE_RED_SAME]
    try:
        not_future(on, "on")
    except RuleViolation as refused:
        errors.update(refused.errors)
    else:
        if on < invoice.issued_on:
            errors["on"] = [msg.INVOICE_REVERSE_BEFORE.format(issued_on=invoice.issued_on)]
    if errors:
        raise RuleViolation(errors)
    Organization.objects.select_for_update().filter(pk=agreement.agency_id).first()
    if _number_taken(agreement.agency_id, invoice.kind, red_number, exclude=invoice.pk):
        raise RuleViolation({"red_number": [msg.INVOICE_NUMBER_TAKEN.format(number=red_number)]})
    was = invoice.status
    invoice.status = Invoice.Status.REVERSED
    invoice.red_number = red_number
    invoice.reversed_on = on
    invoice.save(update_fields=["status", "red_number", "reversed_on"])
    _due_refresh(statement)
    event_record(
        action="invoice.reversed",
        obj=statement,
        actor=by,
        agreement=agreement,
        detail={
            "invoice": invoice.pk,
            "number": invoice.number,
            "red_number": red_number,
            "reversed_on": on.isoformat(),
            "was": was,
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    return invoice


def invoices_mark_to_reverse(*, statement: Statement, by: Any) -> list[str]:
    """A voided statement's issued invoices are marked for reversal (logged); their
    numbers. Called by ``statement_void`` inside its transaction."""
    marked = list(
        Invoice.objects.filter(statement=statement, status=Invoice.Status.ISSUED)
        .order_by("issued_on", "pk")
        .values_list("number", flat=True)
    )
    if not marked:
        return []
    Invoice.objects.filter(statement=statement, status=Invoice.Status.ISSUED).update(
        status=Invoice.Status.TO_REVERSE
    )
    event_record(
        action="invoice.to_reverse",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=msg.INVOICES_TO_REVERSE.format(numbers=", ".join(marked)),
        detail={"numbers": marked},
    )
    return marked
