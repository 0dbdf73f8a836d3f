"""The sale lines of a list, as filtered, as an XLSX workbook in the active language.

Money cells are numbers formatted ``¥#,##0.00`` (Excel adds and sorts them), dates are
date cells; the caller gives a queryset already cut to the user's scope and filters.
"""

import io
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"
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


def sale_lines_xlsx(queryset: Any) -> bytes:
    """One sheet: a header row in the active language, then one row per line."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("Sale lines"))
    for index, (_title, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([str(title) for title, _width in COLUMNS])

    def cell(value: Any, number_format: str) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, value=value)
        written.number_format = number_format
        return written

    yes = gettext("Yes")
    lines = queryset.select_related("agreement__brand", "product").order_by("sold_on", "pk")
    for line in lines.iterator(chunk_size=CHUNK):
        sheet.append(
            [
                cell(line.sold_on, DATE_FORMAT),
                line.agreement.number,
                line.agreement.brand.name,
                line.product.sku,
                line.product.name,
                line.quantity,
                cell(line.unit_price, MONEY_FORMAT),
                cell(line.amount, MONEY_FORMAT),
                cell(line.factory_price, MONEY_FORMAT),
                cell(line.distributor_price, MONEY_FORMAT),
                cell(line.tax, MONEY_FORMAT),
                cell(line.logistics, MONEY_FORMAT),
                str(line.get_channel_display()),
                line.distributor,
                line.external_ref,
                yes if line.price_violation else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
