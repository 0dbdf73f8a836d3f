"""Reading sales import files: the columns and their headers, CSV and XLSX streams, and
the log of errors found in a file.

``kpis.imports`` runs an import over these; nothing here touches the database.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

from django.core.files import File
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from kpis.models import SalesImport
from kpis.services import cell_text

# --- messages (module constants so tests assert them exactly) ---------------------------

# Columns the importer does not know are ignored (a shop export's 商品名称, 备注); when a
# required column is missing they are named, in case one of them was meant.
UNRECOGNISED_COLUMNS = (
    "未识别的列：{names}（已忽略）；可用的列：{known_zh} / columns not recognised (ignored): "
    "{names}; the columns are: {known_en}"
)
DUPLICATE_COLUMN = '「{name}」与前面的列重复（都是 {field}）/ column "{name}" repeats {field}'
MISSING_COLUMN = "缺少必需的列「{label}」/ the required column {field} is missing"
EMPTY_FILE = "文件是空的，没有表头 / the file is empty: there is no header row"
NO_HEADER_CELL = "第 {letter} 列有数据但没有表头 / column {letter} has a value but no header"
BAD_ENCODING = (
    "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV / cannot read the text: "
    "save the CSV in UTF-8 or GBK"
)
BAD_CSV = "CSV 格式错误：{error} / malformed CSV: {error}"
BAD_XLSX = "无法读取 Excel 文件，请另存为 .xlsx / cannot read the Excel file: save it as .xlsx"
NUL_IN_CELL = (
    "第 {letter} 列含有空字符（NUL），请删除后重新导入 "
    "/ column {letter} holds a NUL character: remove it and import again"
)
FILE_TOO_LARGE = (
    "文件超过 {limit_mb} MB 的上限 / the file is larger than the limit of {limit_mb} MB"
)
TOO_MANY_ROWS = "数据行超过 {limit} 行的上限 / the file has more than {limit} data rows"
TOO_MANY_COLUMNS = "列数超过 {limit} 列的上限 / the row has more than {limit} columns"
CELL_TOO_LONG = (
    "第 {letter} 列的内容超过 {limit} 个字符的上限 "
    "/ column {letter} holds more than {limit} characters"
)
LINE_TOO_LONG = (
    "此行超过 {limit} 个字符的上限 / the row is longer than the limit of {limit} characters"
)
XLSX_TOO_LARGE = (
    "Excel 文件解压后超过 {limit_mb} MB 的上限 "
    "/ the Excel file unpacks to more than the limit of {limit_mb} MB"
)
XLSX_RATIO = (
    "Excel 文件的压缩比异常（超过 {limit} 倍）/ the Excel file is compressed more "
    "than {limit} times: it is refused as a zip bomb"
)
SHARED_STRINGS_TOO_LARGE = (
    "Excel 文件的共享文本超过 {limit_mb} MB 的上限 "
    "/ the Excel file's shared strings exceed the limit of {limit_mb} MB"
)
ERRORS_TRUNCATED = (
    "共 {total} 个错误，只列出前 {shown} 个 / {total} errors in all; the first {shown} are listed"
)

# --- columns ------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    # API field name: (Chinese label first, then further aliases)
    "product": ("产品", "SKU", "商品编码", "产品编码"),
    "sold_on": ("日期", "销售日期"),
    "quantity": ("数量",),
    "unit_price": ("单价", "销售单价", "售价"),
    "factory_price": ("出厂价",),
    "distributor_price": ("经销价",),
    "tax": ("税费", "税"),
    "logistics": ("物流费", "物流"),
    "channel": ("渠道",),
    "distributor": ("经销商",),
    "external_ref": ("外部单号", "单号", "订单号"),
    "promotion": ("促销", "促销编码"),
}
REQUIRED_COLUMNS = ("product", "sold_on", "quantity", "unit_price")
# How columns of non-file errors are called (sale_row_clean may name the agreement).
LABELS = {name: aliases[0] for name, aliases in COLUMNS.items()} | {"agreement": "协议"}


def _header_key(text: str) -> str:
    """Headers compare without case, spaces, underscores or hyphens (全角空格 too)."""
    return re.sub(r"[\s_\-\ufeff]+", "", text).lower()


HEADER_ALIASES = {
    _header_key(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)
}

MAX_STORED_ERRORS = 1_000
READ_BLOCK = 1 << 20

# --- limits (module constants: tests and deployments may patch them) -------------------------

MAX_FILE_BYTES = 20 * 1024 * 1024  # the stored upload, CSV or XLSX
MAX_ROWS = 200_000  # data rows below the header
MAX_COLUMNS = 50  # cells in one row
MAX_CELL_CHARS = 1_000  # characters in one cell
# XLSX only, checked on the zip before openpyxl reads anything:
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024  # all members together, uncompressed
MAX_XLSX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024  # xl/sharedStrings.xml, uncompressed
DIMENSION_PEEK = 4_096  # bytes of a sheet read to find its <dimension ref=...>


def limit_mb_text(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _line_limit() -> int:
    """The longest physical CSV line a file within the limits can need (quotes doubled)."""
    return MAX_COLUMNS * (2 * MAX_CELL_CHARS + 3)


# --- errors -------------------------------------------------------------------------------

# The Chinese half of a message ends at " / ", or at "/ " right after full-width
# closing punctuation, as in kpis/messages.py.
_HALVES = re.compile(r"\s/\s|(?<=[）」』】》])/\s")


def error_text(row: int | None, column: str | None, message: str) -> str:
    """The bilingual sentence for one error, e.g. "第 5 行，数量：… / Row 5, quantity: …"."""
    zh_where = "，".join(
        part
        for part in (f"第 {row} 行" if row else "", LABELS.get(column or "", column or ""))
        if part
    )
    en_where = ", ".join(part for part in (f"Row {row}" if row else "", column or "") if part)
    match = _HALVES.search(message)
    if match is None:
        return f"{zh_where} / {en_where}: {message}" if zh_where else message
    zh_and_separator, en = message[: match.end()], message[match.end() :]
    if not zh_where:
        return message
    return f"{zh_where}：{zh_and_separator}{en_where}: {en}"


def _error(row: int | None, column: str | None, message: str) -> dict[str, Any]:
    return {
        "row": row,
        "column": column,
        "message": message,
        "text": error_text(row, column, message),
    }


class ErrorLog:
    """Every error is counted; the first ``cap`` are kept for the people who fix the file."""

    def __init__(self, cap: int = MAX_STORED_ERRORS) -> None:
        self.cap = cap
        self.total = 0
        self.items: list[dict[str, Any]] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(_error(row, column, message))

    def as_json(self) -> list[dict[str, Any]]:
        if self.total <= len(self.items):
            return list(self.items)
        summary = _error(
            None, None, ERRORS_TRUNCATED.format(total=self.total, shown=len(self.items))
        )
        return [*self.items, {**summary, "total": self.total}]


class FileUnreadable(Exception):
    """The file itself (not one row) cannot be read; nothing is imported."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


# --- reading files ------------------------------------------------------------------------


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _numbered(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Non-blank rows with the number a spreadsheet shows for them (first row = 1)."""
    for number, cells in enumerate(rows, start=1):
        if cells and not all(_blank(cell) for cell in cells):
            yield number, cells


def _csv_cells(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileUnreadable(BAD_CSV.format(error=error), row=number + 1) from error
        number += 1
        _check_width(number, cells)
        for index, cell in enumerate(cells):
            if "\x00" in cell:  # no column can store it; the header is refused the same way
                letter = get_column_letter(index + 1)
                raise FileUnreadable(NUL_IN_CELL.format(letter=letter), row=number)
        yield cells


def _check_width(number: int, cells: Sequence[Any]) -> None:
    """Refuse a row of more than MAX_COLUMNS cells or a cell over MAX_CELL_CHARS."""
    if len(cells) > MAX_COLUMNS:
        raise FileUnreadable(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS), row=number)
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            letter = get_column_letter(index + 1)
            raise FileUnreadable(
                CELL_TOO_LONG.format(letter=letter, limit=MAX_CELL_CHARS), row=number
            )


def _limited_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The CSV's physical lines, none read whole into memory if over the line limit."""
    limit = _line_limit()
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise FileUnreadable(LINE_TOO_LONG.format(limit=limit), row=number)
        yield line


def _xlsx_cells(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    try:
        for number, cells in enumerate(rows, start=1):
            _check_width(number, cells)
            yield cells
    except FileUnreadable:
        raise
    except Exception as error:  # a damaged sheet fails mid-way with any parser error
        raise FileUnreadable(BAD_XLSX) from error


def _counted(rows: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Non-blank rows, refused past MAX_ROWS data rows (the header is the first)."""
    for seen, (number, cells) in enumerate(rows):
        if seen > MAX_ROWS:
            raise FileUnreadable(TOO_MANY_ROWS.format(limit=MAX_ROWS), row=number)
        yield number, cells


# --- XLSX bombs: checked on the zip before openpyxl reads it ---------------------------------


def _sheet_scan(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a sheet that declares or holds more rows or columns than the limits.

    Reads the declared ``<dimension ref>`` first, then streams the XML counting cells per
    row and stops at the first row over the limit, never holding more than one cell.
    """
    with archive.open(name) as member:
        head = member.read(DIMENSION_PEEK)
    if b"<!DOCTYPE" in head.upper():
        raise FileUnreadable(BAD_XLSX)  # Excel writes none; entities could expand
    match = re.search(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3}\d*(?::[A-Z]{1,3}\d*)?)"', head)
    if match is not None:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode())
        except ValueError:
            min_col = min_row = max_col = max_row = None
        if max_col is not None and max_col - (min_col or 1) + 1 > MAX_COLUMNS:
            raise FileUnreadable(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS), row=min_row)
        if max_row is not None and max_row - 1 > MAX_ROWS:
            raise FileUnreadable(TOO_MANY_ROWS.format(limit=MAX_ROWS))
    rows = 0
    cells = 0
    with archive.open(name) as member:
        events = ElementTree.iterparse(member, events=("start", "end"))
        parent: Any = None
        for event, element in events:
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    rows += 1
                    cells = 0
                    if rows - 1 > MAX_ROWS:
                        raise FileUnreadable(TOO_MANY_ROWS.format(limit=MAX_ROWS))
                elif tag == "c":
                    cells += 1
                    if cells > MAX_COLUMNS:
                        number = rows or None
                        raise FileUnreadable(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS), row=number)
                elif tag == "sheetData":
                    parent = element
            elif tag == "row" and parent is not None:
                parent.clear()  # keep no rows behind


def xlsx_check(handle: Any) -> None:
    """Refuse an XLSX whose zip would unpack into more than the limits allow."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileUnreadable(BAD_XLSX) from error
    with archive:
        members = archive.infolist()
        if sum(info.file_size for info in members) > MAX_XLSX_UNPACKED_BYTES:
            raise FileUnreadable(
                XLSX_TOO_LARGE.format(limit_mb=limit_mb_text(MAX_XLSX_UNPACKED_BYTES))
            )
        for info in members:
            if info.filename.lower() == "xl/sharedstrings.xml" and (
                info.file_size > MAX_SHARED_STRINGS_BYTES
            ):
                raise FileUnreadable(
                    SHARED_STRINGS_TOO_LARGE.format(
                        limit_mb=limit_mb_text(MAX_SHARED_STRINGS_BYTES)
                    )
                )
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_XLSX_RATIO * max(
                info.compress_size, 1
            ):
                raise FileUnreadable(XLSX_RATIO.format(limit=MAX_XLSX_RATIO))
        try:
            for info in members:
                name = info.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _sheet_scan(archive, name)
        except FileUnreadable:
            raise
        except Exception as error:  # damaged XML or a bad zip member
            raise FileUnreadable(BAD_XLSX) from error


def _binary(handle: File) -> Any:
    """The underlying binary stream of a storage file, for io.TextIOWrapper."""
    return getattr(handle, "file", handle)


@dataclass
class SourceFile:
    """The stored upload; each ``rows()`` call streams it again from the start."""

    file: Any  # a FieldFile
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    checked: bool = False  # the size limits and the XLSX bomb guard passed

    @classmethod
    def of(cls, sales_import: SalesImport) -> "SourceFile":
        suffix = PurePath(sales_import.original_name or sales_import.file.name).suffix.lower()
        return cls(file=sales_import.file, kind="xlsx" if suffix == ".xlsx" else "csv")

    def _open(self) -> File:
        return self.file.storage.open(self.file.name, "rb")

    def check(self) -> None:
        """Refuse a file over the size limit, or an XLSX that unpacks into a bomb.

        Costs one pass over the sheets' XML (no Python objects per cell), done once.
        """
        if self.checked:
            return
        if self.file.storage.size(self.file.name) > MAX_FILE_BYTES:
            raise FileUnreadable(FILE_TOO_LARGE.format(limit_mb=limit_mb_text(MAX_FILE_BYTES)))
        if self.kind == "xlsx":
            with self._open() as handle:
                xlsx_check(_binary(handle))
        self.checked = True

    def detect_encoding(self) -> str:
        """UTF-8 (a BOM is fine) if the whole file decodes as UTF-8, else GB18030.

        GB18030 is a superset of GBK and GB2312, what Chinese Excel saves CSV in. The
        file is decoded block by block, never held as one string.
        """
        for encoding in ("utf-8-sig", "gb18030"):
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                with self._open() as handle:
                    while block := handle.read(READ_BLOCK):
                        decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            self.encoding = encoding
            return encoding
        raise FileUnreadable(BAD_ENCODING)

    @contextmanager
    def rows(self) -> Iterator[Iterator[tuple[int, Sequence[Any]]]]:
        """Non-blank rows (the header included) with their spreadsheet row numbers."""
        self.check()
        if self.kind == "xlsx":
            with self._xlsx() as (sheet, _declared_rows):
                yield _counted(_numbered(_xlsx_cells(sheet.iter_rows(values_only=True))))
            return
        if self.encoding is None:
            self.detect_encoding()
        with self._open() as handle:
            text = io.TextIOWrapper(_binary(handle), encoding=self.encoding, newline="")
            try:
                yield _counted(_numbered(_csv_cells(csv.reader(_limited_lines(text)))))
            finally:
                text.close()

    @contextmanager
    def _xlsx(self) -> Iterator[tuple[Any, int | None]]:
        """The first worksheet, read-only, and the number of rows it declares."""
        self.check()
        with self._open() as handle:
            try:
                workbook = load_workbook(handle, read_only=True, data_only=True)
            except Exception as error:  # not a zip, not a workbook, damaged XML...
                raise FileUnreadable(BAD_XLSX) from error
            try:
                if not workbook.worksheets:
                    raise FileUnreadable(EMPTY_FILE)
                sheet = workbook.worksheets[0]
                declared_rows = sheet.max_row
                # The declared size may be wrong; reading past it never loses rows.
                sheet.reset_dimensions()
                yield sheet, declared_rows
            finally:
                workbook.close()

    def count_rows(self) -> int:
        """Data rows below the header: exact for CSV, the sheet's declared size for XLSX.

        An XLSX sheet declares its size, so counting costs nothing; pass 1 replaces the
        figure with the exact count of non-blank rows.
        """
        self.check()
        if self.kind == "xlsx":
            with self._xlsx() as (_sheet, declared_rows):
                if declared_rows:
                    return max(declared_rows - 1, 0)
            with self.rows() as rows:
                return max(sum(1 for _ in rows) - 1, 0)
        self.detect_encoding()
        with self.rows() as rows:
            return max(sum(1 for _ in rows) - 1, 0)


@dataclass
class Header:
    """Which sale-line field each column holds: None for a column without a header or
    one the importer does not know (``ignored``: its values are skipped)."""

    row: int
    fields: list[str | None] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    ignored: set[int] = field(default_factory=set)

    def values(self, row: int, cells: Sequence[Any], errors: ErrorLog) -> dict[str, Any]:
        """The row as ``{field: cell}``; a value under no header is an error."""
        values: dict[str, Any] = {}
        for index, cell in enumerate(cells):
            name = self.fields[index] if index < len(self.fields) else None
            if name is not None:
                values[name] = cell
            elif index not in self.ignored and not _blank(cell):
                errors.add(row, None, NO_HEADER_CELL.format(letter=get_column_letter(index + 1)))
        return values

    def columns(self) -> dict[str, list[Any]]:
        """What the import used and ignored: ``{"used": [[header, field], ...],
        "ignored": [header, ...]}``, in the file's order."""
        return {
            "used": [[self.texts[index], name] for index, name in enumerate(self.fields) if name],
            "ignored": [self.texts[index] for index in sorted(self.ignored)],
        }


def header_parse(rows: Iterator[tuple[int, Sequence[Any]]], errors: ErrorLog) -> Header | None:
    """Map the first non-blank row to fields, errors added for what does not fit; None if
    the file has no row at all.

    Headers the importer does not know are ignored, not refused; a header given twice
    and a missing required column are errors.
    """
    first = next(rows, None)
    if first is None:
        errors.add(None, None, EMPTY_FILE)
        return None
    number, cells = first
    header = Header(row=number)
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        name = HEADER_ALIASES.get(_header_key(text)) if text else None
        if text and name is None:
            header.ignored.add(index)
        elif name is not None and name in header.fields:
            errors.add(number, text, DUPLICATE_COLUMN.format(name=text, field=name))
            name = None
        header.fields.append(name)
        header.texts.append(text)
    missing = [name for name in REQUIRED_COLUMNS if name not in header.fields]
    for name in missing:
        errors.add(number, name, MISSING_COLUMN.format(label=LABELS[name], field=name))
    if missing and header.ignored:
        errors.add(
            number,
            None,
            UNRECOGNISED_COLUMNS.format(
                names="、".join(header.columns()["ignored"]),
                known_zh="、".join(LABELS[name] for name in COLUMNS),
                known_en=", ".join(COLUMNS),
            ),
        )
    return header


def header_read(rows: Iterator[tuple[int, Sequence[Any]]], errors: ErrorLog) -> Header | None:
    """The header if it fits (``header_parse``); None, with its errors, if it does not."""
    before = errors.total
    header = header_parse(rows, errors)
    return header if errors.total == before else None
