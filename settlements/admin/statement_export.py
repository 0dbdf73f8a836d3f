"""The statement list as XLSX, as filtered on the page: the list's columns plus the
agreement, the kind, the issue date and the receipt deadline; money as numbers written
¥ #,##0.00, dates as dates, headers in the page's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from common.xlsx import xlsx_table
from settlements.admin.statement_page import days_overdue
from settlements.models import Statement

# Column widths in characters, in the order of ``_headers``.
WIDTHS = (20, 18, 16, 30, 16, 10, 14, 12, 14, 14, 12, 12, 12, 10)
MONEY_COLUMNS = (8, 9)
DATE_COLUMNS = (10, 11, 12)


def _headers() -> list[str]:
    return [
        _("Number"),
        _("Brand"),
        _("Agreement"),
        _("Agreement title"),
        _("Kind"),
        _("Period"),
        _("Status"),
        _("Payment status"),
        _("Total (¥)"),
        _("Outstanding (¥)"),
        _("Issued on"),
        _("Receipt due"),
        _("Payment due"),
        _("Days overdue"),
    ]


def export_filename(today: date) -> str:
    return f"statements-{today.isoformat()}.xlsx"


def _row(statement: Statement, today: date) -> list[object]:
    paid = getattr(statement, "paid_total", None) or Decimal("0.00")
    agreement = statement.agreement
    return [
        statement.number,
        agreement.brand.name,
        agreement.number,
        agreement.title,
        statement.get_kind_display(),
        statement.period or "",
        statement.get_status_display(),
        statement.get_payment_status_display(),
        statement.total_due,
        statement.total_due - paid if statement.is_open else None,
        statement.issued_on,
        statement.receipt_due_on,
        statement.payment_due_on,
        days_overdue(statement, today) or None,
    ]


def statements_xlsx(statements: Iterable[Statement], *, today: date) -> bytes:
    """One sheet of ``statements`` (each with ``paid_total`` annotated, as the admin's
    list queryset has it), one row each."""
    return xlsx_table(
        title=_("Statements"),
        columns=list(zip(_headers(), WIDTHS, strict=True)),
        rows=(_row(statement, today) for statement in statements),
        money=MONEY_COLUMNS,
        dates=DATE_COLUMNS,
        freeze_header=True,
    )
