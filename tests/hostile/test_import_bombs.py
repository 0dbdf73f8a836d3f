"""Issue 11, import limits: oversized files, rows, columns and cells, and XLSX bombs are
refused as the import's error, before openpyxl or the csv module can eat a worker."""

import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kpis import import_files
from kpis.import_files import (
    CELL_TOO_LONG,
    FILE_TOO_LARGE,
    LINE_TOO_LONG,
    SHARED_STRINGS_TOO_LARGE,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    XLSX_RATIO,
    XLSX_TOO_LARGE,
)
from kpis.imports import sales_import_create, sales_import_run
from kpis.models import SaleLine, SalesImport

IMPORT = "/api/v1/sales/import/"
HEADER = ["product", "sold_on", "quantity", "unit_price", "channel"]
ROW = ["TEA-1", "2026-08-05", "1", "199.00", "tmall"]
MEMORY_CAP = 50 * 1024 * 1024


def _agreement(world):
    return world["agreements"][world["brand_a1"].pk]


def _xlsx(rows=(HEADER, ROW)):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(content, *, sheet=None, shared_strings=None):
    """The workbook's zip again, its sheet XML rewritten and sharedStrings.xml replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet(data.decode()).encode()
            if info.filename == "xl/sharedStrings.xml" and shared_strings is not None:
                continue
            target.writestr(info.filename, data)
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def _forged_dimension(xml):
    return re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1"', xml)


def _wide_row(cells):
    def rewrite(xml):
        row = '<row r="3">' + "<c><v>1</v></c>" * cells + "</row>"
        return xml.replace("</sheetData>", row + "</sheetData>")

    return rewrite


def _padded_strings(size):
    head = '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    body = "<si><t>" + "x" * size + "</t></si>"
    return (head + body + "</sst>").encode()


def _run(world, content, name):
    """Store the file and validate it, measuring Python's peak memory meanwhile."""
    sales_import = sales_import_create(
        agreement=_agreement(world),
        uploaded_file=SimpleUploadedFile(name, content),
        by=None,
        enqueue=False,
    )
    tracemalloc.start()
    try:
        sales_import_run(sales_import=sales_import)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    sales_import.refresh_from_db()
    return sales_import, peak


def _refused(sales_import, message):
    assert sales_import.status == SalesImport.Status.REJECTED
    assert [error["message"] for error in sales_import.errors] == [message]
    assert not SaleLine.objects.exists()


def test_a_forged_dimension_is_refused_before_openpyxl(world):
    sales_import, peak = _run(world, _rezip(_xlsx(), sheet=_forged_dimension), "bomb.xlsx")
    _refused(sales_import, TOO_MANY_COLUMNS.format(limit=import_files.MAX_COLUMNS))
    assert peak < MEMORY_CAP
    print(f"forged dimension: peak {peak / 2**20:.1f} MiB")


def test_a_row_of_a_million_cells_is_refused_as_a_zip_bomb(world):
    content = _rezip(_xlsx(), sheet=_wide_row(1_000_000))
    assert len(content) < 300_000
    sales_import, peak = _run(world, content, "wide.xlsx")
    _refused(sales_import, XLSX_RATIO.format(limit=import_files.MAX_XLSX_RATIO))
    assert peak < MEMORY_CAP
    print(f"million-cell row ({len(content) // 1024} KB): peak {peak / 2**20:.1f} MiB")


def test_a_wide_row_under_an_honest_ratio_stops_at_the_column_limit(world, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_XLSX_RATIO", 10**9)
    sales_import, peak = _run(world, _rezip(_xlsx(), sheet=_wide_row(1_000_000)), "wide.xlsx")
    _refused(sales_import, TOO_MANY_COLUMNS.format(limit=import_files.MAX_COLUMNS))
    assert sales_import.errors[0]["row"] == 3
    assert peak < MEMORY_CAP
    print(f"wide row: peak {peak / 2**20:.1f} MiB")


def test_a_shared_strings_bomb_is_refused(world):
    content = _rezip(_xlsx(), shared_strings=_padded_strings(25 * 1024 * 1024))
    assert len(content) < 100_000
    sales_import, peak = _run(world, content, "strings.xlsx")
    _refused(
        sales_import,
        SHARED_STRINGS_TOO_LARGE.format(
            limit_mb=import_files.limit_mb_text(import_files.MAX_SHARED_STRINGS_BYTES)
        ),
    )
    assert peak < MEMORY_CAP
    print(f"shared strings: peak {peak / 2**20:.1f} MiB")


def test_an_xlsx_unpacking_past_the_cap_is_refused(world, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_XLSX_UNPACKED_BYTES", 100_000)
    content = _rezip(_xlsx(), shared_strings=_padded_strings(200_000))
    sales_import, _peak = _run(world, content, "big.xlsx")
    _refused(sales_import, XLSX_TOO_LARGE.format(limit_mb=import_files.limit_mb_text(100_000)))


def test_an_xlsx_declaring_too_many_rows_is_refused(world, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 10)
    forged = _rezip(
        _xlsx(),
        sheet=lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:E5000"', xml),
    )
    sales_import, _peak = _run(world, forged, "rows.xlsx")
    _refused(sales_import, TOO_MANY_ROWS.format(limit=10))


def test_an_xlsx_cell_over_the_length_limit_is_refused(world):
    sales_import, _peak = _run(world, _xlsx([HEADER, [*ROW[:4], "x" * 1_001]]), "long.xlsx")
    _refused(sales_import, CELL_TOO_LONG.format(letter="E", limit=1_000))
    assert sales_import.errors[0]["row"] == 2


def _csv(*rows):
    return ("\n".join(",".join(row) for row in rows) + "\n").encode()


def test_csv_rows_over_the_limit_are_refused(world, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    sales_import, _peak = _run(world, _csv(HEADER, *[ROW] * 4), "rows.csv")
    _refused(sales_import, TOO_MANY_ROWS.format(limit=3))
    assert sales_import.errors[0]["row"] == 5


def test_csv_columns_over_the_limit_are_refused(world):
    sales_import, _peak = _run(world, _csv(HEADER, [*ROW, *[""] * 46]), "wide.csv")
    _refused(sales_import, TOO_MANY_COLUMNS.format(limit=50))
    assert sales_import.errors[0]["row"] == 2


def test_a_csv_cell_over_the_length_limit_is_refused(world):
    sales_import, _peak = _run(world, _csv(HEADER, [*ROW[:4], "y" * 1_001]), "long.csv")
    _refused(sales_import, CELL_TOO_LONG.format(letter="E", limit=1_000))


def test_a_csv_line_of_megabytes_is_never_read_whole(world):
    content = _csv(HEADER) + b"," * (5 * 1024 * 1024)
    sales_import, peak = _run(world, content, "commas.csv")
    _refused(sales_import, LINE_TOO_LONG.format(limit=import_files._line_limit()))
    assert peak < MEMORY_CAP
    print(f"5 MB CSV line: peak {peak / 2**20:.1f} MiB")


def test_a_stored_file_over_the_size_limit_is_refused(world, monkeypatch):
    sales_import = sales_import_create(
        agreement=_agreement(world),
        uploaded_file=SimpleUploadedFile("s.csv", _csv(HEADER, ROW)),
        by=None,
        enqueue=False,
    )
    monkeypatch.setattr(import_files, "MAX_FILE_BYTES", 10)
    sales_import_run(sales_import=sales_import)
    _refused(sales_import, FILE_TOO_LARGE.format(limit_mb=import_files.limit_mb_text(10)))


def test_the_api_refuses_a_file_over_the_size_limit_before_storing_it(world, clients, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_FILE_BYTES", 1024 * 1024)
    response = clients["staff_a"].post(
        IMPORT,
        {
            "agreement": _agreement(world).pk,
            "file": SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1)),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"file": [FILE_TOO_LARGE.format(limit_mb="1")]}
    assert not SalesImport.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_within_the_limits_still_imports(world, kind):
    content = _csv(HEADER, ROW) if kind == "csv" else _xlsx()
    sales_import, _peak = _run(world, content, f"ok.{kind}")
    assert sales_import.status == SalesImport.Status.DONE, sales_import.errors
    assert SaleLine.objects.count() == 1
