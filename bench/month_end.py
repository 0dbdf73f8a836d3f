"""Month-end benchmark: 2,000 agreements × 50 sale lines on PostgreSQL.

Usage::

    .venv/bin/python bench/month_end.py [--agreements 2000] [--lines 50] [--pdfs 400]

``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/daiyunying_bench_month``
(created and migrated if missing; the bench's rows are deleted first). Prints:

1. statements generated per second (the month-end job for 2026-08, every agreement, run
   item by item in this process exactly as a worker runs it);
2. statements issued per second (freeze, snapshot, due dates; PDFs not yet rendered);
3. the PDF step per statement (``statement_pdf_store``: load, build HTML, render, save,
   record) against WeasyPrint rendering the same HTML bare (``render_pdf`` only), and
   their ratio (target ≤ 1.15×);
4. PDFs per second with one and with two worker processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/daiyunying_bench_month"


def _setup_django(database_url: str, media_root: str) -> None:
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def _ensure_database(database_url: str) -> None:
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _populate(n_agreements: int, n_lines: int) -> list[int]:
    """Bulk-create agencies, brands, agreements (active, revenue share) and sale lines."""
    from datetime import date
    from decimal import Decimal

    from django.db import transaction

    from accounts.models import BankAccount, Organization
    from contracts.models import Agreement, Product, RevenueShareTerms
    from kpis.models import SaleLine

    with transaction.atomic():
        agency = Organization.objects.create(name="基准代运营公司", kind="agency")
        account = BankAccount.objects.create(
            organization=agency,
            bank_name="招商银行杭州分行",
            account_name="基准代运营公司",
            account_number="3301040012345678",
        )
        brands = Organization.objects.bulk_create(
            Organization(
                name=f"基准品牌{i:05d}有限公司",
                kind="brand",
                agency=agency,
                address="浙江省杭州市西湖区文三路 100 号",
            )
            for i in range(n_agreements)
        )
        products = Product.objects.bulk_create(
            Product(
                brand=b,
                sku="SKU-1",
                name="大红袍礼盒",
                factory_price=Decimal("80.00"),
                distributor_price=Decimal("120.00"),
                min_retail_price=Decimal("199.00"),
            )
            for b in brands
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                number=f"HT-B-{i:05d}",
                kind="revenue_share",
                brand=b,
                agency=agency,
                title="网络销售平台合作协议",
                signed_on=date(2026, 5, 20),
                starts_on=date(2026, 6, 1),
                ends_on=date(2027, 5, 31),
                status="active",
                penalty_rate_per_day=Decimal("0.003"),
                bank_account=account,
                auto_renew=True,
            )
            for i, b in enumerate(brands)
        )
        RevenueShareTerms.objects.bulk_create(RevenueShareTerms(agreement=a) for a in agreements)
        batch = []
        for agreement, product in zip(agreements, products, strict=True):
            for j in range(n_lines):
                quantity = 5 + j % 20
                batch.append(
                    SaleLine(
                        agreement=agreement,
                        product=product,
                        sold_on=date(2026, 8, 1 + j % 31),
                        quantity=quantity,
                        unit_price=Decimal("199.00"),
                        amount=Decimal("199.00") * quantity,
                        factory_price=Decimal("80.00"),
                        distributor_price=Decimal("120.00"),
                        min_retail_price=Decimal("199.00"),
                        tax=Decimal("19.90") * quantity,
                        logistics=Decimal("6.00") * quantity,
                        channel="tmall",
                        external_ref=f"B-{agreement.pk}-{j}",
                    )
                )
            if len(batch) >= 20_000:
                SaleLine.objects.bulk_create(batch)
                batch = []
        SaleLine.objects.bulk_create(batch)
    return [a.pk for a in agreements]


def _clean() -> None:
    """Empty the bench database's business tables (it is the bench's own database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE core_event, settlements_payment, settlements_statementline, "
            "settlements_flagseen, settlements_statementrunitem, settlements_statementrun, "
            "kpis_saleline, settlements_expense, settlements_penaltywaiver, settlements_statement, "
            "settlements_documentsequence, contracts_revenueshareterms, "
            "contracts_b2bcommissionterms, contracts_consultingterms, contracts_installment, "
            "contracts_agreement_products, contracts_agreement, contracts_productprice, "
            "contracts_product, accounts_bankaccount, accounts_organization CASCADE"
        )


def _pdf_worker(ids: list[int]) -> tuple[int, float]:
    """One worker process: warm up like a Celery worker, then store PDFs."""
    import django
    from django.db import connection

    connection.close()
    django.setup()
    import gc

    from settlements.documents import statement_pdf_store
    from settlements.models import Statement
    from settlements.pdf import warm_up

    warm_up()
    gc.freeze()
    started = time.perf_counter()
    for statement in Statement.objects.filter(pk__in=ids).select_related("agreement"):
        statement_pdf_store(statement)
    return len(ids), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument(
        "--pdfs", type=int, default=400, help="statements rendered per PDF measurement"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    _ensure_database(database_url)
    media_root = tempfile.mkdtemp(prefix="bench-month-media-")
    _setup_django(database_url, media_root)
    from datetime import date

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _clean()

    started = time.perf_counter()
    _populate(args.agreements, args.lines)
    print(
        f"setup: {args.agreements} agreements × {args.lines} lines in {time.perf_counter() - started:.1f} s"
    )

    from settlements import services, tasks
    from settlements.documents import statement_html, statement_pdf_store
    from settlements.models import Statement
    from settlements.pdf import render_pdf, warm_up

    # 1. generation, exactly as the workers run it (one item per agreement)
    run = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    items = list(run.items.values_list("pk", flat=True))
    started = time.perf_counter()
    for item_id in items:
        services.statement_run_item_process(item_id=item_id)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    print(
        f"generate: {run.created} statements in {elapsed:.1f} s = {run.created / elapsed:.1f} statements/s"
    )

    # 2. issuing (PDF rendering measured separately below)
    # The services enqueue through the tasks module; stub the PDF task out for this step.
    tasks.statement_pdf_task = SimpleNamespace(delay=lambda statement_id: None)  # type: ignore[assignment]
    drafts = list(Statement.objects.filter(kind="monthly", status="draft"))
    started = time.perf_counter()
    for statement in drafts:
        services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=None)
    elapsed = time.perf_counter() - started
    print(
        f"issue: {len(drafts)} statements in {elapsed:.1f} s = {len(drafts) / elapsed:.1f} statements/s"
    )

    # 3. the PDF step against bare WeasyPrint on the same HTML, one process, warm
    warm_up()
    sample = list(
        Statement.objects.filter(kind="monthly")
        .select_related("agreement")
        .order_by("pk")[: args.pdfs]
    )
    bare_times, step_times = [], []
    for statement in sample:
        html = statement_html(statement)
        t0 = time.perf_counter()
        data = render_pdf(html, base_url=str(PROJECT_ROOT))
        bare_times.append(time.perf_counter() - t0)
        fresh = Statement.objects.select_related("agreement").get(pk=statement.pk)
        t0 = time.perf_counter()
        statement_pdf_store(fresh)
        step_times.append(time.perf_counter() - t0)
    bare, step = statistics.median(bare_times), statistics.median(step_times)
    print(f"pdf bare WeasyPrint: median {bare * 1000:.1f} ms/page, {len(data) / 1024:.0f} KB")
    print(f"pdf step (statement_pdf_store): median {step * 1000:.1f} ms/statement")
    print(f"ratio step / bare: {step / bare:.3f}× (target ≤ 1.15×)")

    # 4. throughput with 1 and 2 processes on statements without a PDF yet
    remaining = list(Statement.objects.filter(kind="monthly", pdf="").values_list("pk", flat=True))
    n = min(len(remaining), args.pdfs * 2)
    chunk = remaining[:n]
    ctx = get_context("fork")
    from django.db import connections

    connections.close_all()
    half = n // 2
    with ctx.Pool(1) as pool:
        done, seconds = pool.apply(_pdf_worker, (chunk[:half],))
    print(f"pdfs, 1 process: {done} in {seconds:.1f} s = {done / seconds:.1f} PDFs/s")
    connections.close_all()
    rest = chunk[half:]
    started = time.perf_counter()
    with ctx.Pool(2) as pool:
        results = pool.map(_pdf_worker, [rest[0::2], rest[1::2]])
    wall = time.perf_counter() - started
    total = sum(r[0] for r in results)
    print(
        f"pdfs, 2 processes: {total} in {wall:.1f} s wall = {total / wall:.1f} PDFs/s "
        f"(includes each process's warm-up)"
    )


if __name__ == "__main__":
    main()
