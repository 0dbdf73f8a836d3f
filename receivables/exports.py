"""A balance confirmation's items as XLSX (``common.xlsx``), in the reader's language:
one row per item as issued, then the totals."""

from datetime import date
from decimal import Decimal

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from common.xlsx import XLSX_CONTENT_TYPE, xlsx_table
from receivables.models import BalanceConfirmation
from settlements.models import Statement
from settlements.workbench import BUCKET_LABELS

KINDS = dict(Statement.Kind.choices)


def confirmation_xlsx(confirmation: BalanceConfirmation) -> bytes:
    columns = [
        (_("Document"), 20),
        (_("Kind"), 16),
        (_("Period"), 10),
        (_("Payment due"), 12),
        (_("Days past due"), 10),
        (_("Ageing bucket"), 22),
        (_("Outstanding"), 16),
        (_("Penalty to date"), 16),
    ]
    rows: list[list[object]] = [
        [
            item["number"],
            str(KINDS.get(item["kind"], item["kind"])),
            item.get("period") or None,
            date.fromisoformat(item["payment_due_on"]) if item.get("payment_due_on") else None,
            item.get("days_past_due", 0),
            str(BUCKET_LABELS.get(item["bucket"], item["bucket"])),
            Decimal(item["outstanding"]),
            Decimal(item["penalty"]),
        ]
        for item in confirmation.items
    ]
    rows.append(
        [
            _("Total"),
            None,
            None,
            None,
            None,
            None,
            confirmation.total_outstanding,
            confirmation.total_penalty,
        ]
    )
    return xlsx_table(
        title=confirmation.number,
        columns=columns,
        rows=rows,
        money={6, 7},
        dates={3},
        freeze_header=True,
    )


def confirmation_xlsx_response(confirmation: BalanceConfirmation) -> HttpResponse:
    """The items as an XLSX download (the API, the portal and the admin serve this)."""
    response = HttpResponse(confirmation_xlsx(confirmation), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{confirmation.number}.xlsx"'
    return response


def confirmation_pdf_response(confirmation: BalanceConfirmation) -> FileResponse | None:
    """The stored PDF as a download; None until a worker has rendered it."""
    if not confirmation.pdf or not confirmation.pdf.storage.exists(confirmation.pdf.name):
        return None
    return FileResponse(
        confirmation.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{confirmation.number}.pdf",
    )
