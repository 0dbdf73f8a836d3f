"""``manage.py import_sales FILE --agreement NUMBER [--user USERNAME]``."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from contracts.models import Agreement
from core.exceptions import RuleViolation
from kpis.imports import sales_import_create, sales_import_error_count, sales_import_run
from kpis.models import SalesImport

PHASES = {
    "count": "清点 / counting",
    "validate": "校验 / validating",
    "import": "导入 / importing",
}
REJECTED = "导入被拒绝，没有写入任何数据 / the import was rejected; nothing was written"
FAILED = "导入失败，没有写入任何数据 / the import failed; nothing was written"


class _BarStream:
    """tqdm redraws a line with "\\r"; OutputWrapper would append a newline to each write."""

    def __init__(self, out: OutputWrapper) -> None:
        self._out = out

    def write(self, text: str) -> None:
        self._out.write(text, ending="")

    def flush(self) -> None:
        self._out.flush()


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file of sale lines into an agreement, all or nothing, with "
        "the same validation as the API. Exits with status 1 if the file is rejected."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="a .csv (UTF-8 or GBK) or .xlsx file")
        parser.add_argument(
            "--agreement", required=True, help="agreement number, e.g. HT-2026-0001"
        )
        parser.add_argument("--user", help="username recorded as the importer")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        agreement = Agreement.objects.filter(number=options["agreement"]).first()
        if agreement is None:
            raise CommandError(f"协议不存在 / no agreement numbered {options['agreement']}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户不存在 / no user named {options['user']}")

        try:
            with path.open("rb") as handle:
                sales_import = sales_import_create(
                    agreement=agreement,
                    uploaded_file=File(handle, name=path.name),
                    by=user,
                    enqueue=False,
                )
        except RuleViolation as error:
            raise CommandError(str(error)) from error

        bars: dict[str, tqdm] = {}
        stream = _BarStream(self.stderr)

        def progress(phase: str, done: int, total: int) -> None:
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[phase] = tqdm(
                    total=total or None,
                    desc=PHASES.get(phase, phase),
                    unit=" rows",
                    file=stream,
                    dynamic_ncols=True,
                    mininterval=0.5,
                )
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            sales_import = sales_import_run(sales_import=sales_import, progress=progress)
        finally:
            for bar in bars.values():
                bar.close()

        self._summary(sales_import)
        if sales_import.status != SalesImport.Status.DONE:
            for error in sales_import.errors:
                self.stdout.write(error["text"])
            raise CommandError(
                REJECTED if sales_import.status == SalesImport.Status.REJECTED else FAILED,
                returncode=1,
            )

    def _summary(self, sales_import: SalesImport) -> None:
        ok = sales_import.status == SalesImport.Status.DONE
        style = self.style.SUCCESS if ok else self.style.ERROR
        lines = [
            f"导入编号 / import: {sales_import.pk}",
            f"文件 / file: {sales_import.original_name}",
            f"协议 / agreement: {sales_import.agreement.number}",
            f"行数 / rows: {sales_import.rows_total}",
            f"新建 / created: {sales_import.rows_created}",
            f"已导入过（跳过）/ already imported (skipped): {sales_import.rows_duplicate}",
            f"错误 / errors: {sales_import_error_count(sales_import)}",
        ]
        self.stdout.write(style(f"状态 / status: {sales_import.get_status_display()}"))
        for line in lines:
            self.stdout.write(line)
