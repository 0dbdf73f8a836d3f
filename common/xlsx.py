"""One-sheet XLSX tables for the admin's exports: a header row in the page's language,
then one row per object; money cells are numbers written ¥ #,##0.00 and dates are date
cells, so a spreadsheet adds and sorts them."""

import io
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MONEY_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"


def xlsx_table(
    *,
    title: str,
    columns: Sequence[tuple[Any, int]],
    rows: Iterable[Sequence[Any]],
    money: Collection[int] = (),
    dates: Collection[int] = (),
    freeze_header: bool = False,
) -> bytes:
    """``columns`` are (header, width in characters); ``money`` and ``dates`` are the
    indexes of the columns to format. Empty (None) cells stay empty."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title))
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze_header:
        sheet.freeze_panes = "A2"
    sheet.append([str(header) for header, _width in columns])

    def formatted(index: int, value: Any) -> Any:
        if value is None or (index not in money and index not in dates):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT if index in money else DATE_FORMAT
        return cell

    for row in rows:
        sheet.append([formatted(index, value) for index, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
