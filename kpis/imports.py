"""Sales imports: CSV and XLSX files of sale lines, all-or-nothing, streamed.

A file goes through three passes, each streaming the stored file again, so a
100,000-row file never needs 100,000 rows of Python objects at once:

0. count the rows (for a CSV, also detect its encoding: UTF-8, else GB18030/GBK);
1. clean every row with ``sale_row_clean`` (the one validation of a sale line, shared
   with the API) and check external references chunk by chunk; collect every error;
2. only for a file without errors: stream again and ``bulk_create`` the new lines in
   chunks, all inside one transaction, skipping lines already stored.

Re-importing a file creates nothing twice: a row whose ``external_ref`` is already
stored with the same content is skipped as a duplicate (rows without an external
reference cannot be recognised and are created again). Errors are stored as
``{"row", "column", "message", "text"}``; ``row`` is the row number a spreadsheet shows
(the header is row 1) and ``text`` the bilingual sentence shown to people.
"""

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath
from typing import Any

from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from common import clock
from common.events import event_record
from common.models import Event
from contracts.models import Agreement
from core.exceptions import RuleViolation
from kpis import import_files, tasks
from kpis import messages as msg
from kpis.import_files import (  # noqa: F401  (re-exported: callers read them here)
    BAD_ENCODING,
    COLUMNS,
    DUPLICATE_COLUMN,
    EMPTY_FILE,
    ERRORS_TRUNCATED,
    FILE_TOO_LARGE,
    LABELS,
    MISSING_COLUMN,
    NO_HEADER_CELL,
    REQUIRED_COLUMNS,
    ErrorLog,
    FileUnreadable,
    SourceFile,
    header_parse,
    header_read,
)
from kpis.models import SaleLine, SalesImport
from kpis.services import SaleContext, cell_text, sale_line_from, sale_row_clean, same_line

logger = logging.getLogger(__name__)

# --- messages (module constants so tests assert them exactly) ---------------------------

UNSUPPORTED_FILE = "只能导入 .csv 或 .xlsx 文件 / only .csv and .xlsx files can be imported"
NO_DATA_ROWS = "文件只有表头，没有数据行 / the file has a header but no data rows"
ROW_UNREADABLE = (
    "此行有无法计算的数值（过大？）/ a number in this row cannot be computed (too large?)"
)
IMPORT_FAILED = (
    "导入中断，没有写入任何数据，可以重新导入：{error} / the import stopped and wrote "
    "nothing; it can be run again: {error}"
)

VALIDATE_CHUNK = 1_000
CREATE_CHUNK = 2_000

Progress = Callable[[str, int, int], None]


def sales_import_error_count(sales_import: SalesImport) -> int:
    """All errors of an import, including those beyond the stored list."""
    errors = sales_import.errors or []
    if errors and "total" in errors[-1]:
        return int(errors[-1]["total"])
    return len(errors)


class _RowsChanged(Exception):
    """Pass 2 met a row that pass 1 accepted: the data changed in between."""

    def __init__(self, errors: ErrorLog) -> None:
        super().__init__("rows changed since validation")
        self.errors = errors


# --- progress -----------------------------------------------------------------------------


class ProgressWriter:
    """Stores rows_done on the import row so the admin can show it while it runs.

    Pass 2 runs in one transaction, whose writes nobody sees before it commits; on
    PostgreSQL the progress then goes through a second, autocommit connection. The run
    never touches the import row inside that transaction before its last progress
    write, so the two connections cannot wait on each other.
    """

    def __init__(self, sales_import: SalesImport, callback: Progress | None) -> None:
        self.sales_import = sales_import
        self.callback = callback
        self._side: Any = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "count":
            pass  # rows_total is stored by the run itself
        elif self._side is not None:
            self.sales_import.rows_done = done
            try:
                with self._side.cursor() as cursor:
                    table = self._side.ops.quote_name(SalesImport._meta.db_table)
                    cursor.execute(
                        f"UPDATE {table} SET rows_done = %s WHERE id = %s",  # noqa: S608
                        [done, self.sales_import.pk],
                    )
            except DatabaseError:
                logger.warning("sales import %s: progress connection failed", self.sales_import.pk)
                self.close_side()
        else:
            self.sales_import.rows_done = done
            SalesImport.objects.filter(pk=self.sales_import.pk).update(rows_done=done)
        if self.callback is not None:
            self.callback(phase, done, total)

    def open_side(self) -> None:
        """Use a second connection if the run's own transaction would hide progress."""
        main = connections[DEFAULT_DB_ALIAS]
        if main.vendor != "postgresql" or main.in_atomic_block:
            return  # inside a caller's transaction a second connection could wait on it
        try:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
        except DatabaseError:
            logger.warning("sales import %s: no progress connection", self.sales_import.pk)
            self.close_side()

    def close_side(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- the import ---------------------------------------------------------------------------


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _clean(values: dict[str, Any], ctx: SaleContext) -> tuple[dict[str, Any], dict[str, list[str]]]:
    try:
        return sale_row_clean(values, ctx=ctx)
    except ArithmeticError as error:  # e.g. decimal.InvalidOperation on "1e30"
        logger.info("sales row not computable: %r", error)
        return {}, {"": [ROW_UNREADABLE]}


def _stored_lines(agreement: Agreement, refs: list[str]) -> dict[str, SaleLine]:
    if not refs:
        return {}
    # Repeating the unique index's condition (external_ref <> '') lets PostgreSQL use
    # that partial index: it cannot prove it from an IN list of more than 100 values,
    # and would otherwise scan every line of the agreement for each chunk.
    lines = (
        SaleLine.objects.filter(agreement=agreement, external_ref__in=refs)
        .exclude(external_ref="")
        .order_by()
    )
    return {line.external_ref: line for line in lines}


def _agreement_errors(agreement: Agreement) -> list[str]:
    """Whether the agreement takes sales at all, asked of the shared row validation."""
    _, errors = sale_row_clean({}, ctx=SaleContext(agreement=agreement, today=clock.today()))
    return errors.get("agreement", [])


def _save(sales_import: SalesImport, **values: Any) -> None:
    for name, value in values.items():
        setattr(sales_import, name, value)
    sales_import.save(update_fields=list(values))


def _validate(
    *,
    source: SourceFile,
    ctx: SaleContext,
    errors: ErrorLog,
    report: ProgressWriter,
    total: int,
    columns: dict[str, Any],
) -> int:
    """Pass 1: every row cleaned and every external reference checked; returns the rows.

    ``columns`` receives the header's used and ignored columns (``Header.columns``).
    """
    checked = 0
    first_row: dict[str, int] = {}  # external_ref -> the row it first appeared on
    with source.rows() as rows:
        before = errors.total
        header = header_parse(rows, errors)
        if header is not None:
            columns.update(header.columns())
        if header is None or errors.total > before:
            return 0
        for chunk in _chunked(rows, VALIDATE_CHUNK):
            with_refs: list[tuple[int, dict[str, Any]]] = []
            for number, cells in chunk:
                values = header.values(number, cells, errors)
                cleaned, problems = _clean(values, ctx)
                for column, messages in problems.items():
                    for message in messages:
                        errors.add(number, column or None, message)
                ref = cleaned["external_ref"] if cleaned else cell_text(values.get("external_ref"))
                if not ref:
                    continue
                if ref in first_row:
                    errors.add(
                        number,
                        "external_ref",
                        msg.EXTERNAL_REF_TWICE_ROW.format(ref=ref, first=first_row[ref]),
                    )
                    continue
                first_row[ref] = number
                if cleaned:
                    with_refs.append((number, cleaned))
            stored = _stored_lines(
                ctx.agreement, [cleaned["external_ref"] for _, cleaned in with_refs]
            )
            for number, cleaned in with_refs:
                line = stored.get(cleaned["external_ref"])
                if line is not None and not same_line(line, cleaned):
                    errors.add(
                        number,
                        "external_ref",
                        msg.EXTERNAL_REF_CONFLICT.format(ref=cleaned["external_ref"]),
                    )
            checked += len(chunk)
            report("validate", checked, max(total, checked))
    if checked == 0 and not errors.total:
        errors.add(None, None, NO_DATA_ROWS)
    return checked


def _create(
    *,
    source: SourceFile,
    ctx: SaleContext,
    sales_import: SalesImport,
    report: ProgressWriter,
    total: int,
) -> tuple[int, int]:
    """Pass 2: stream again and insert the lines not stored yet; returns (created, duplicates).

    Runs inside the caller's transaction. A row refused now although pass 1 accepted it
    (the products or prices changed meanwhile) aborts it with ``_RowsChanged``.
    """
    created = duplicates = done = 0
    with source.rows() as rows:
        header = header_read(rows, ErrorLog())
        assert header is not None  # pass 1 read the same header
        for chunk in _chunked(rows, CREATE_CHUNK):
            problems = ErrorLog()
            cleaned_rows: list[dict[str, Any]] = []
            for number, cells in chunk:
                cleaned, row_errors = _clean(header.values(number, cells, problems), ctx)
                for column, messages in row_errors.items():
                    for message in messages:
                        problems.add(number, column or None, message)
                cleaned_rows.append(cleaned)
            if problems.total:
                raise _RowsChanged(problems)
            stored = _stored_lines(
                ctx.agreement, [c["external_ref"] for c in cleaned_rows if c["external_ref"]]
            )
            new_lines: list[SaleLine] = []
            for (number, _cells), cleaned in zip(chunk, cleaned_rows, strict=True):
                line = stored.get(cleaned["external_ref"]) if cleaned["external_ref"] else None
                if line is None:
                    new_lines.append(sale_line_from(cleaned, import_batch=sales_import))
                elif same_line(line, cleaned):
                    duplicates += 1
                else:
                    problems.add(
                        number,
                        "external_ref",
                        msg.EXTERNAL_REF_CONFLICT.format(ref=cleaned["external_ref"]),
                    )
                    raise _RowsChanged(problems)
            SaleLine.objects.bulk_create(new_lines, batch_size=CREATE_CHUNK)
            created += len(new_lines)
            done += len(chunk)
            report("import", done, max(total, done))
    return created, duplicates


def sales_import_run(*, sales_import: SalesImport, progress: Progress | None = None) -> SalesImport:
    """Validate the whole file, then import it all or nothing; returns the updated import.

    ``progress(phase, done, total)`` is called as rows are processed; phases are
    "count", "validate" and "import". A finished (done or rejected) import is returned
    as it is; a failed or interrupted one runs again from the start, which is safe: its
    lines were never committed, and lines already stored are recognised by
    ``external_ref``.
    """
    if sales_import.status in (SalesImport.Status.DONE, SalesImport.Status.REJECTED):
        return sales_import
    agreement = sales_import.agreement
    report = ProgressWriter(sales_import, progress)
    errors = ErrorLog()
    columns: dict[str, Any] = {}
    _save(
        sales_import,
        status=SalesImport.Status.VALIDATING,
        rows_total=0,
        rows_done=0,
        rows_created=0,
        rows_duplicate=0,
        errors=[],
        finished_at=None,
    )
    try:
        for message in _agreement_errors(agreement):
            errors.add(None, "agreement", message)
        if errors.total:
            return _reject(sales_import, errors, rows=0)
        source = SourceFile.of(sales_import)
        try:
            total = source.count_rows()
            _save(sales_import, rows_total=total)
            report("count", total, total)
            ctx = SaleContext.load(agreement)
            rows = _validate(
                source=source,
                ctx=ctx,
                errors=errors,
                report=report,
                total=total,
                columns=columns,
            )
        except FileUnreadable as error:
            errors.add(error.row, error.column, error.message)
            return _reject(sales_import, errors, rows=0, columns=columns)
        if errors.total:
            return _reject(sales_import, errors, rows=rows, columns=columns)
        total = rows
        _save(sales_import, status=SalesImport.Status.IMPORTING, rows_total=total, rows_done=0)
        report.open_side()
        try:
            with transaction.atomic():
                created, duplicates = _create(
                    source=source, ctx=ctx, sales_import=sales_import, report=report, total=total
                )
                report.close_side()
                _save(
                    sales_import,
                    status=SalesImport.Status.DONE,
                    rows_done=total,
                    rows_created=created,
                    rows_duplicate=duplicates,
                    finished_at=timezone.now(),
                )
                event_record(
                    action="sales.imported",
                    obj=agreement,
                    actor=sales_import.created_by,
                    agreement=agreement,
                    detail={
                        "import": sales_import.pk,
                        "file": sales_import.original_name,
                        "rows": total,
                        "created": created,
                        "duplicates": duplicates,
                        "columns": columns,
                    },
                )
        finally:
            report.close_side()
        return sales_import
    except _RowsChanged as changed:
        return _reject(sales_import, changed.errors, rows=sales_import.rows_total)
    except Exception as error:
        logger.exception("sales import %s failed", sales_import.pk)
        failure = ErrorLog()
        failure.add(None, None, IMPORT_FAILED.format(error=f"{type(error).__name__}: {error}"))
        _save(
            sales_import,
            status=SalesImport.Status.FAILED,
            errors=failure.as_json(),
            rows_created=0,
            rows_duplicate=0,
            finished_at=timezone.now(),
        )
        return sales_import


def _reject(
    sales_import: SalesImport, errors: ErrorLog, *, rows: int, columns: dict[str, Any] | None = None
) -> SalesImport:
    _save(
        sales_import,
        status=SalesImport.Status.REJECTED,
        rows_total=rows,
        rows_done=rows,
        rows_created=0,
        rows_duplicate=0,
        errors=errors.as_json(),
        finished_at=timezone.now(),
    )
    event_record(
        action="sales.import_rejected",
        obj=sales_import.agreement,
        actor=sales_import.created_by,
        agreement=sales_import.agreement,
        detail={
            "import": sales_import.pk,
            "file": sales_import.original_name,
            "errors": errors.total,
            **({"columns": columns} if columns else {}),
        },
    )
    return sales_import


IMPORT_EVENTS = ("sales.imported", "sales.import_rejected")


def sales_import_columns(sales_import: SalesImport) -> dict[str, list[Any]] | None:
    """The columns the import used and ignored, once it has read the file's header:
    ``{"used": [[header, field], ...], "ignored": [header, ...]}``; None before that.

    The import's outcome event keeps them (``sales.imported`` or
    ``sales.import_rejected``); the latest run's counts.
    """
    details = (
        Event.objects.filter(
            agreement_id=sales_import.agreement_id,
            action__in=IMPORT_EVENTS,
            detail__import=sales_import.pk,
        )
        .order_by("-pk")
        .values_list("detail", flat=True)
    )
    for detail in details[:1]:
        columns = detail.get("columns")
        if columns:
            return {
                "used": list(columns.get("used", [])),
                "ignored": list(columns.get("ignored", [])),
            }
    return None


def sales_import_progress(sales_import: SalesImport) -> dict[str, Any]:
    """What the admin's progress display polls: status, phase and counts.

    ``percent`` covers the whole run: validation is the first half, writing the second.
    """
    status = sales_import.status
    phase_percent = sales_import.percent_done
    if status == SalesImport.Status.VALIDATING:
        percent = phase_percent // 2
    elif status == SalesImport.Status.IMPORTING:
        percent = 50 + phase_percent // 2
    elif status in (SalesImport.Status.PENDING,):
        percent = 0
    else:
        percent = 100
    return {
        "id": sales_import.pk,
        "status": status,
        "status_display": str(sales_import.get_status_display()),
        "finished": status
        in (SalesImport.Status.DONE, SalesImport.Status.REJECTED, SalesImport.Status.FAILED),
        "percent": percent,
        "rows_total": sales_import.rows_total,
        "rows_done": sales_import.rows_done,
        "rows_created": sales_import.rows_created,
        "rows_duplicate": sales_import.rows_duplicate,
        "error_count": sales_import_error_count(sales_import),
    }


@transaction.atomic
def sales_import_create(
    *, agreement: Agreement, uploaded_file: File, by: Any, enqueue: bool = True
) -> SalesImport:
    """Store an uploaded .csv or .xlsx file as a pending import of ``agreement``.

    With ``enqueue`` (the default) the import runs in a Celery task once this
    transaction commits; the management command passes False and runs it itself.
    """
    name = PurePath(uploaded_file.name or "").name
    if PurePath(name).suffix.lower() not in (".csv", ".xlsx"):
        raise RuleViolation({"file": [UNSUPPORTED_FILE]})
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > import_files.MAX_FILE_BYTES:
        raise RuleViolation(
            {
                "file": [
                    FILE_TOO_LARGE.format(
                        limit_mb=import_files.limit_mb_text(import_files.MAX_FILE_BYTES)
                    )
                ]
            }
        )
    agreement_errors = _agreement_errors(agreement)
    if agreement_errors:
        raise RuleViolation({"agreement": agreement_errors})
    sales_import = SalesImport(
        agreement=agreement,
        original_name=name[-255:],
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    sales_import.file.save(name, uploaded_file, save=False)
    sales_import.save()
    if enqueue:
        import_id = sales_import.pk
        transaction.on_commit(lambda: tasks.sales_import_task.delay(import_id))
    return sales_import
