"""A balance confirmation's items as XLSX (``common.xlsx``), in the reader's language:
one row per item as issued, then the totals."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from common.xlsx import xlsx_table
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
