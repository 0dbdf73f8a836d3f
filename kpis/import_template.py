"""Sales import templates: every column the importer knows, with headers in the page's
language, and one example row that the importer accepts for the agreement it names.

Made on request (CSV or XLSX), never stored: the headers follow ``import_files.COLUMNS``,
so a template can never drift from what the import reads. Chinese headers are each
column's first Chinese name (产品, 日期, 数量 …), English ones the column names
(``product``, ``sold_on`` …); the importer accepts both.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common import clock
from contracts.models import Agreement, Product
from contracts.selectors import product_prices_on
from kpis.import_files import COLUMNS, LABELS, REQUIRED_COLUMNS

MONEY_FORMAT = "#,##0.00"
EXAMPLE_REF = "EXAMPLE-0001"


def template_headers(*, zh: bool) -> list[str]:
    return [LABELS[name] if zh else name for name in COLUMNS]


def _example_day(agreement: Agreement) -> date:
    """The latest day of the agreement up to today (an import refuses future dates)."""
    last = min(clock.today(), agreement.effective_ends_on)
    return max(last, agreement.starts_on)


def _example_product(agreement: Agreement) -> Product | None:
    covered = agreement.products.order_by("sku").first()
    if covered is not None:
        return covered
    return Product.objects.filter(brand_id=agreement.brand_id).order_by("sku").first()


def template_example(agreement: Agreement | None, *, zh: bool) -> dict[str, Any]:
    """One sale of the agreement's first product on its latest day, at its minimum
    retail price; placeholders when no agreement (or product) is known."""
    product = _example_product(agreement) if agreement is not None else None
    if agreement is None or product is None:
        day, sku, price = clock.today(), "SKU-0001", Decimal("199.00")
    else:
        day, sku = _example_day(agreement), product.sku
        price = product_prices_on(product=product, day=day).min_retail_price
    b2b = agreement is not None and agreement.kind == Agreement.Kind.B2B_COMMISSION
    channel = ("经销商" if zh else "b2b_distributor") if b2b else ("天猫" if zh else "tmall")
    return {
        "product": sku,
        "sold_on": day,
        "quantity": 1,
        "unit_price": price,
        "factory_price": None,
        "distributor_price": None,
        "tax": Decimal("0.00"),
        "logistics": Decimal("0.00"),
        "channel": channel,
        "distributor": ("示例经销商" if zh else "Example distributor") if b2b else "",
        "external_ref": EXAMPLE_REF,
        "promotion": "",
    }


def template_csv(agreement: Agreement | None, *, zh: bool) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese headers intact."""
    example = template_example(agreement, zh=zh)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(template_headers(zh=zh))
    writer.writerow(
        [
            value.isoformat() if isinstance(value, date) else ("" if value is None else value)
            for value in (example[name] for name in COLUMNS)
        ]
    )
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(agreement: Agreement | None, *, zh: bool) -> bytes:
    """The first sheet: the header row, then the example row with a date cell and
    numeric prices; required columns' headers in bold."""
    example = template_example(agreement, zh=zh)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("销售明细" if zh else "Sales")
    for index, _name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    bold = Font(bold=True)
    header = []
    for name, text in zip(COLUMNS, template_headers(zh=zh), strict=True):
        cell = WriteOnlyCell(sheet, value=text)
        if name in REQUIRED_COLUMNS:
            cell.font = bold
        header.append(cell)
    sheet.append(header)
    row = []
    for name in COLUMNS:
        value = example[name]
        cell = WriteOnlyCell(sheet, value=value if value != "" else None)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        row.append(cell)
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
