"""The statement list as XLSX, as filtered on the page: the list's columns plus the
agreement, the kind, the issue date and the receipt deadline; money as numbers written
¥ #,##0.00, dates as dates, headers in the page's language."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from settlements.admin.statement_page import days_overdue
from settlements.models import Statement

MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
# Column widths in characters, in the order of ``_headers``.
WIDTHS = (20, 18, 16, 30, 16, 10, 14, 12, 14, 14, 12, 12, 12, 10)


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


def statements_xlsx(statements: Iterable[Statement], *, today: date) -> bytes:
    """One sheet of ``statements`` (each with ``paid_total`` annotated, as the admin's
    list queryset has it), one row each."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Statements"))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_headers())

    def money(value: Decimal | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell

    def day(value: date | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    for statement in statements:
        paid = getattr(statement, "paid_total", None) or Decimal("0.00")
        agreement = statement.agreement
        overdue = days_overdue(statement, today)
        sheet.append(
            [
                statement.number,
                agreement.brand.name,
                agreement.number,
                agreement.title,
                statement.get_kind_display(),
                statement.period or "",
                statement.get_status_display(),
                statement.get_payment_status_display(),
                money(statement.total_due),
                money(statement.total_due - paid) if statement.is_open else None,
                day(statement.issued_on),
                day(statement.receipt_due_on),
                day(statement.payment_due_on),
                overdue or None,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
