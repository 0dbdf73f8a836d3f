"""Import 50,000 bank credits (CSV) against 10,000 open items; suggest matches for all.

Usage::

    .venv/bin/python bench/bank_import.py [--rows 50000] [--items 10000] [--brands 500]

``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/daiyunying_bench_bank``;
it must be PostgreSQL. The database is created if missing and migrated; each run adds a
new agency (unique names), so runs never collide.

1. Setup (bulk inserts, not timed as the import): an agency, ``--brands`` brands each
   with one active agreement, a payer name and a payer account, and ``--items`` issued,
   unpaid statements spread over them (the open items).
2. A GBK CSV as 招商银行 exports it (title rows, Chinese headers, thousands separators,
   one debit in twenty): payers are the brands by name (60%), by account (20%) or
   strangers (20%); a third of the remarks quote a statement number.
3. ``banking.services.bank_transactions_import`` of the file: rows/s; then the same file
   again (every row already imported).
4. ``banking.selectors.suggestions_for`` over every credit, in pages of 500 as the API
   and the admin ask for them: rows/s.

Printed also: the process's max RSS (``resource.getrusage``) after each step.
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
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/daiyunying_bench_bank"
HEADER = [
    "交易日",
    "交易时间",
    "借方金额",
    "贷方金额",
    "余额",
    "摘要",
    "流水号",
    "收(付)方名称",
    "收(付)方帐号",
    "用途",
]
PAGE = 500


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"DATABASE_URL must be PostgreSQL, not {parts.scheme}: {url}")
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        conn.close()


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(run: str, n_brands: int, n_items: int) -> tuple[object, list[tuple[str, str]], list[str]]:
    """The agency, its brands' (name, account) and the open items' numbers."""
    from django.db import transaction

    from accounts.models import BankAccount, Organization
    from contracts.models import Agreement, RevenueShareTerms
    from settlements.models import Statement

    rng = random.Random(7)
    with transaction.atomic():
        agency = Organization.objects.create(name=f"银行基准代运营{run}", kind="agency")
        account = BankAccount.objects.create(
            organization=agency,
            bank_name="招商银行",
            account_name=agency.name,
            account_number=f"5719{run}",
        )
        payers = [
            (f"基准品牌{run}-{i:04d}有限公司", f"6222 {run[-8:]} {i:06d}") for i in range(n_brands)
        ]
        brands = Organization.objects.bulk_create(
            Organization(
                name=name,
                kind="brand",
                agency=agency,
                payer_names=[f"基准控股{run}-{i:04d}"],
                payer_accounts=[number],
            )
            for i, (name, number) in enumerate(payers)
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                number=f"HT-BK-{run}-{i:04d}",
                kind="revenue_share",
                brand=b,
                agency=agency,
                title="网络销售平台合作协议",
                signed_on=date(2025, 5, 20),
                starts_on=date(2025, 6, 1),
                ends_on=date(2027, 5, 31),
                status="active",
                penalty_rate_per_day=Decimal("0.003"),
                bank_account=account,
            )
            for i, b in enumerate(brands)
        )
        RevenueShareTerms.objects.bulk_create(RevenueShareTerms(agreement=a) for a in agreements)
        numbers = [f"ST-{run[:4]}-{run[-4:]}{i:05d}"[:40] for i in range(n_items)]
        statements = []
        for i, number in enumerate(numbers):
            issued = date(2025, 7, 1) + timedelta(days=rng.randrange(480))
            statements.append(
                Statement(
                    number=number,
                    base_number=number[:30],
                    agreement=agreements[i % n_brands],
                    kind="setup_fee",
                    installment_number=i // n_brands,
                    status="issued",
                    issued_on=issued,
                    payment_due_on=issued + timedelta(days=20),
                    total_due=Decimal(rng.randrange(50_000, 5_000_000)) / 100,
                    penalty_rate_per_day=Decimal("0.003"),
                )
            )
        Statement.objects.bulk_create(statements, batch_size=2000)
    return agency, payers, numbers


def write_csv(
    path: Path, rows: int, payers: list[tuple[str, str]], numbers: list[str], run: str
) -> None:
    rng = random.Random(20260925)
    first = date(2026, 1, 1)
    with path.open("w", encoding="gbk", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["账户明细查询"])
        writer.writerow(["账号：571900000000001", "户名：基准代运营"])
        writer.writerow([])
        writer.writerow(HEADER)
        for n in range(rows):
            day = first + timedelta(days=rng.randrange(300))
            amount = f"{Decimal(rng.randrange(1_000, 2_000_000)) / 100:,.2f}"
            kind = rng.random()
            name, account = rng.choice(payers)
            if kind < 0.6:
                account = ""
            elif kind < 0.8:
                name = "某某贸易有限公司"
            else:
                name, account = f"陌生付款人{n}", f"9999{n:08d}"
            remark = f"货款 {rng.choice(numbers)}" if rng.random() < 0.33 else "货款"
            debit, credit = ("", amount) if n % 20 else (amount, "")
            writer.writerow(
                [
                    day.strftime("%Y%m%d"),
                    "10:00:00",
                    debit,
                    credit,
                    "",
                    "转账",
                    f"BK{run}{n:07d}",
                    name,
                    account,
                    remark,
                ]
            )
        writer.writerow(["合计"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--brands", type=int, default=500)
    args = parser.parse_args(argv)

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-bank-"))
    os.environ["DJANGO_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every query's SQL
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from banking.models import BankTransaction
    from banking.selectors import suggestions_for
    from banking.services import bank_transactions_import
    from common import clock

    assert connection.vendor == "postgresql", connection.vendor
    call_command("migrate", interactive=False, verbosity=0)
    clock.today = lambda: date(2026, 11, 20)  # type: ignore[assignment]  # the file's dates are past

    run = time.strftime("%Y%m%d%H%M%S")
    started = time.perf_counter()
    agency, payers, numbers = setup(run, args.brands, args.items)
    print(
        f"setup: {args.brands} brands, {args.items} open items in {time.perf_counter() - started:.1f} s"
    )
    path = workdir / "cmb.csv"
    write_csv(path, args.rows, payers, numbers, run)
    size = path.stat().st_size / (1024 * 1024)
    print(f"file: {args.rows} rows, {size:.1f} MiB GBK; max RSS {max_rss_mib():.0f} MiB")

    started = time.perf_counter()
    with path.open("rb") as handle:
        result = bank_transactions_import(agency=agency, upload=handle, name="cmb.csv", by=None)
    took = time.perf_counter() - started
    assert result.ok, result.parsed.errors.as_json()[:5]
    print(
        f"import: {result.created} credits, {result.parsed.debits} debits skipped in {took:.1f} s "
        f"= {args.rows / took:,.0f} rows/s; max RSS {max_rss_mib():.0f} MiB"
    )
    started = time.perf_counter()
    with path.open("rb") as handle:
        again = bank_transactions_import(agency=agency, upload=handle, name="cmb.csv", by=None)
    took = time.perf_counter() - started
    print(
        f"re-import: {again.created} created, {again.duplicates} already imported in {took:.1f} s "
        f"= {args.rows / took:,.0f} rows/s"
    )

    credits = BankTransaction.objects.filter(organization=agency).order_by("pk")
    total = credits.count()
    suggested = matched = 0
    started = time.perf_counter()
    last = 0
    while True:
        page = list(credits.filter(pk__gt=last)[:PAGE])
        if not page:
            break
        last = page[-1].pk
        found = suggestions_for(page)
        matched += sum(1 for c in page if c.payer_brand_id)
        suggested += sum(1 for s in found.values() if s)
    took = time.perf_counter() - started
    print(
        f"suggestions: {total} credits ({matched} matched a brand, {suggested} with suggestions) "
        f"in {took:.1f} s = {total / took:,.0f} rows/s; max RSS {max_rss_mib():.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
