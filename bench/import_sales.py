"""Import a generated 100,000-row sales CSV into PostgreSQL; print time and peak memory.

Usage::

    .venv/bin/python bench/import_sales.py [--rows 100000] [--encoding utf-8|gbk] [--keep]

``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/daiyunying_bench``; it
must be PostgreSQL. The database is created if missing and migrated. The CSV (Chinese
headers, a realistic mix of products, channels, returns and prices below the minimum
retail price, one unique external reference per row) is written to a temporary
directory, which also serves as MEDIA_ROOT for the stored uploads.

Three imports of the same file, each through ``kpis.imports.sales_import_run``:

1. into agreement A, timed per pass (no tracing, so the times are real);
2. into agreement A again: every row is a duplicate, nothing is created;
3. into agreement B with ``tracemalloc`` on: the peak of memory allocated during the
   import (tracing slows Python down, so its time is shown but not the figure to quote).

After import 1 its lines are exported and loaded again with PostgreSQL's ``COPY ... FROM
STDIN`` into a plain table with the same columns (no index), timed: the baseline the
import is compared with. Also printed: the process's max RSS (``resource.getrusage``) before and after, and
whether pass 2's progress was visible from another connection while its transaction
was still open. The bench's sale lines and imports are deleted at the end unless
``--keep`` is given.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/daiyunying_bench"
HEADER = [
    "产品",
    "销售日期",
    "数量",
    "单价",
    "税费",
    "物流费",
    "渠道",
    "经销商",
    "外部单号",
    "促销",
]
# (sku, factory, distributor, min retail) until 2026-09-01; prices rise 5% from then.
PRODUCTS = [
    ("BN-TEA-250", "38.00", "58.00", "99.00"),
    ("BN-TEA-500", "70.00", "105.00", "189.00"),
    ("BN-CUP-01", "12.50", "19.00", "39.00"),
    ("BN-GIFT-A", "160.00", "230.00", "399.00"),
    ("BN-GIFT-B", "240.00", "330.00", "599.00"),
    ("BN-SAMPLE", "3.00", "4.50", "9.90"),
]
CHANNELS = (
    ["京东"] * 30
    + ["天猫"] * 30
    + ["微信小店"] * 15
    + ["经销商"] * 15
    + ["jd", "tmall"] * 4
    + [""] * 2
)
DISTRIBUTORS = [
    "杭州茗香商贸有限公司",
    "成都川府茶业",
    "广州岭南食品批发部",
    "北京京华贸易",
    "苏州吴门茶行",
]


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it does not exist (PostgreSQL only)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL, not {parts.scheme}: {url}")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    conn = psycopg2.connect(maintenance)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        conn.close()


def write_csv(path: Path, rows: int, run: str, encoding: str, seed: int = 20260801) -> None:
    """Stream ``rows`` sale rows to ``path``; nothing is held in memory."""
    rng = random.Random(seed)
    first_day, days = date(2026, 6, 1), (date(2026, 10, 31) - date(2026, 6, 1)).days + 1
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, rows + 1):
            sku, _factory, _distributor, min_retail = rng.choice(PRODUCTS)
            channel = rng.choice(CHANNELS)
            sold_on = first_day + timedelta(days=rng.randrange(days))
            retail = Decimal(min_retail)
            if sold_on >= date(2026, 9, 1):
                retail = (retail * Decimal("1.05")).quantize(Decimal("0.01"))
            if channel == "经销商":
                quantity = rng.randint(12, 240)
                unit_price = (retail * Decimal("0.62")).quantize(Decimal("0.01"))
                distributor = rng.choice(DISTRIBUTORS)
            else:
                quantity = rng.choices([1, 2, 3, 5, 10], weights=[60, 20, 10, 6, 4])[0]
                # 2% sold below the minimum retail price (flagged as violations)
                factor = (
                    Decimal("0.85")
                    if rng.random() < 0.02
                    else Decimal(rng.choice(["1", "1", "1.1"]))
                )
                unit_price = (retail * factor).quantize(Decimal("0.01"))
                distributor = ""
            if rng.random() < 0.03:  # returns: negative quantity, tax and logistics
                quantity = -quantity
            tax = (unit_price * quantity * Decimal("0.13")).quantize(Decimal("0.01"))
            logistics = Decimal(rng.choice(["0", "6.00", "8.00", "12.00"])) * (
                1 if quantity > 0 else -1
            )
            writer.writerow(
                [
                    sku,
                    sold_on.isoformat(),
                    quantity,
                    unit_price,
                    tax,
                    logistics,
                    channel,
                    distributor,
                    f"BENCH-{run}-{n:06d}",
                    "",
                ]
            )


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class PhaseClock:
    """Progress callback that notes when each pass ended (and peeks at pass 2's progress)."""

    def __init__(self, peek: bool = False) -> None:
        self.start = time.perf_counter()
        self.ends: dict[str, float] = {}
        self.peek = peek
        self.seen_from_outside: int | None = None
        self.pk: int | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.ends[phase] = time.perf_counter()
        if phase == "import" and self.peek and self.seen_from_outside is None:
            self.seen_from_outside = _rows_done_from_another_connection(self.pk)


def _rows_done_from_another_connection(pk: int | None) -> int | None:
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT rows_done FROM kpis_salesimport WHERE id = %s", [pk])
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        other.close()


def run_import(
    agreement: Any, path: Path, *, peek: bool = False, trace: bool = False
) -> dict[str, Any]:
    from django.core.files import File

    from kpis.imports import sales_import_create, sales_import_run

    with path.open("rb") as handle:
        sales_import = sales_import_create(
            agreement=agreement, uploaded_file=File(handle, name=path.name), by=None, enqueue=False
        )
    clock = PhaseClock(peek=peek)
    clock.pk = sales_import.pk
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    clock.start = time.perf_counter()
    sales_import_run(sales_import=sales_import, progress=clock)
    end = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    sales_import.refresh_from_db()
    if sales_import.status != "done":
        raise SystemExit(
            f"import {sales_import.pk} {sales_import.status}: {sales_import.errors[:5]}"
        )
    count_end = clock.ends.get("count", clock.start)
    validate_end = clock.ends.get("validate", count_end)
    return {
        "import": sales_import,
        "pass0": count_end - clock.start,
        "pass1": validate_end - count_end,
        "pass2": end - validate_end,
        "total": end - clock.start,
        "peak": peak,
        "seen": clock.seen_from_outside,
    }


def copy_baseline(import_id: int, workdir: Path) -> float:
    """Seconds PostgreSQL's ``COPY ... FROM`` takes for the same rows into a plain table with
    the sale lines' columns (no index, no constraint): import 1's lines, exported first."""
    from django.db import connection

    dump = workdir / "copy.csv"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        with dump.open("w", encoding="utf-8") as out:
            raw.copy_expert(
                f"COPY (SELECT * FROM kpis_saleline WHERE import_batch_id = {int(import_id)}) "
                "TO STDOUT WITH (FORMAT csv)",
                out,
            )
        cursor.execute("DROP TABLE IF EXISTS bench_copy_target")
        cursor.execute("CREATE TABLE bench_copy_target (LIKE kpis_saleline)")
        with dump.open("r", encoding="utf-8") as source:
            started = time.perf_counter()
            raw.copy_expert("COPY bench_copy_target FROM STDIN WITH (FORMAT csv)", source)
            elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_target")
    return elapsed


def setup_agreements(run: str) -> tuple[Any, Any]:
    from accounts.models import BankAccount, Organization
    from contracts.models import Agreement, Product
    from contracts.services import agreement_create, product_price_set

    agency = Organization.objects.create(name=f"Bench agency {run}", kind="agency")
    account = BankAccount.objects.create(
        organization=agency,
        bank_name="招商银行",
        account_name=agency.name,
        account_number=f"6225{run}",
    )
    brand = Organization.objects.create(name=f"Bench brand {run}", kind="brand", agency=agency)
    for sku, factory, distributor, min_retail in PRODUCTS:
        product = Product.objects.create(
            brand=brand,
            sku=sku,
            name=sku,
            factory_price=Decimal(factory),
            distributor_price=Decimal(distributor),
            min_retail_price=Decimal(min_retail),
        )
        for valid_from, factor in (
            (date(2026, 6, 1), Decimal("1")),
            (date(2026, 9, 1), Decimal("1.05")),
        ):
            product_price_set(
                product=product,
                valid_from=valid_from,
                by=None,
                factory_price=(Decimal(factory) * factor).quantize(Decimal("0.01")),
                distributor_price=(Decimal(distributor) * factor).quantize(Decimal("0.01")),
                min_retail_price=(Decimal(min_retail) * factor).quantize(Decimal("0.01")),
            )
    agreements = []
    for letter in "AB":
        # Entered as already active: activation would also issue the setup-fee bill,
        # which is not what this bench measures.
        agreements.append(
            agreement_create(
                by=None,
                number=f"HT-BENCH-{run}-{letter}",
                kind=Agreement.Kind.REVENUE_SHARE,
                brand=brand,
                agency=agency,
                title="导入基准测试",
                signed_on=date(2026, 5, 20),
                starts_on=date(2026, 6, 1),
                ends_on=date(2027, 5, 31),
                bank_account=account,
                status=Agreement.Status.ACTIVE,
            )
        )
    return agreements[0], agreements[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (100000)")
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gbk"])
    parser.add_argument("--keep", action="store_true", help="keep the imported lines")
    args = parser.parse_args(argv)

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-sales-"))
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # With DEBUG on, Django keeps the SQL of every query in memory (the last 9,000; a
    # 2,000-row INSERT is ~1 MB of text): a development artefact that would swamp the
    # figures. Production runs with DEBUG off; DJANGO_DEBUG=true measures it anyway.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from kpis.models import SaleLine, SalesImport

    assert connection.vendor == "postgresql", connection.vendor
    call_command("migrate", interactive=False, verbosity=0)

    run = time.strftime("%Y%m%d%H%M%S")
    agreement_a, agreement_b = setup_agreements(run)
    path = workdir / f"sales-{args.rows}.csv"
    started = time.perf_counter()
    write_csv(path, args.rows, run, args.encoding)
    generated = time.perf_counter() - started
    rss_before = max_rss_mib()

    first = run_import(agreement_a, path, peek=True)
    rss_after_first = max_rss_mib()
    copy_seconds = copy_baseline(first["import"].pk, workdir)
    again = run_import(agreement_a, path)
    traced = run_import(agreement_b, path, trace=True)
    rss_end = max_rss_mib()

    rows = first["import"].rows_total
    print(
        f"database            {connection.settings_dict['NAME']} (PostgreSQL "
        f"{connection.pg_version}), DEBUG={settings.DEBUG}"
    )
    print(
        f"file                {path.stat().st_size / 2**20:.1f} MiB, {rows} rows, {args.encoding}, "
        f"generated in {generated:.1f} s"
    )
    print("import 1 (new lines, untraced)")
    print(f"  pass 0 count      {first['pass0']:7.2f} s")
    print(f"  pass 1 validate   {first['pass1']:7.2f} s")
    print(f"  pass 2 write      {first['pass2']:7.2f} s")
    print(f"  total             {first['total']:7.2f} s  = {rows / first['total']:,.0f} rows/s")
    print(
        f"  created {first['import'].rows_created}, duplicates {first['import'].rows_duplicate}, "
        f"price violations {SaleLine.objects.filter(import_batch=first['import'], price_violation=True).count()}"
    )
    print(
        f"  pass-2 progress seen from another connection mid-transaction: rows_done={first['seen']}"
    )
    print(
        f"COPY of the same rows into a plain table with the same columns: {copy_seconds:.2f} s "
        f"= {rows / copy_seconds:,.0f} rows/s; the import runs at "
        f"{copy_seconds / first['total'] * 100:.1f}% of COPY"
    )
    print("import 2 (same file again)")
    print(
        f"  total             {again['total']:7.2f} s  = {rows / again['total']:,.0f} rows/s "
        f"(pass 1 {again['pass1']:.2f} s, pass 2 {again['pass2']:.2f} s)"
    )
    print(f"  created {again['import'].rows_created}, duplicates {again['import'].rows_duplicate}")
    print("import 3 (new agreement, tracemalloc on)")
    print(
        f"  tracemalloc peak  {traced['peak'] / 2**20:7.1f} MiB  (total {traced['total']:.2f} s while tracing)"
    )
    print(
        f"max RSS             {rss_before:7.1f} MiB before the imports, {rss_after_first:.1f} MiB after "
        f"import 1, {rss_end:.1f} MiB at the end"
    )

    if not args.keep:
        imports = [first["import"].pk, again["import"].pk, traced["import"].pk]
        SaleLine.objects.filter(agreement__in=[agreement_a, agreement_b]).delete()
        SalesImport.objects.filter(pk__in=imports).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
