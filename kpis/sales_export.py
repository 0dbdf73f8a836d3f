"""The sale lines of a list, as filtered, as an XLSX workbook in the active language.

Money cells are numbers formatted ``¥#,##0.00`` (Excel adds and sorts them), dates are
date cells; the caller gives a queryset already cut to the user's scope and filters.
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.xlsx import xlsx_table

CHUNK = 2_000

COLUMNS = [
    (_("Date"), 12),
    (_("Agreement"), 16),
    (_("Brand"), 24),
    (_("SKU"), 16),
    (_("Product"), 28),
    (_("Quantity"), 10),
    (_("Unit price"), 14),
    (_("Amount"), 16),
    (_("Factory price"), 14),
    (_("Distributor price"), 14),
    (_("Tax"), 12),
    (_("Logistics"), 12),
    (_("Channel"), 12),
    (_("Distributor"), 20),
    (_("External reference"), 20),
    (_("Below minimum retail price"), 12),
]


MONEY_COLUMNS = (6, 7, 8, 9, 10, 11)
DATE_COLUMNS = (0,)


def sale_lines_xlsx(queryset: Any) -> bytes:
    """One sheet: a header row in the active language, then one row per line."""
    yes = gettext("Yes")
    lines = queryset.select_related("agreement__brand", "product").order_by("sold_on", "pk")
    rows = (
        [
            line.sold_on,
            line.agreement.number,
            line.agreement.brand.name,
            line.product.sku,
            line.product.name,
            line.quantity,
            line.unit_price,
            line.amount,
            line.factory_price,
            line.distributor_price,
            line.tax,
            line.logistics,
            str(line.get_channel_display()),
            line.distributor,
            line.external_ref,
            yes if line.price_violation else "",
        ]
        for line in lines.iterator(chunk_size=CHUNK)
    )
    return xlsx_table(
        title=gettext("Sale lines"),
        columns=COLUMNS,
        rows=rows,
        money=MONEY_COLUMNS,
        dates=DATE_COLUMNS,
    )
