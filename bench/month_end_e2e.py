"""Month-end end to end, as production runs it: the run started through the API, the
statements issued from the run's page in the admin, every PDF rendered by the workers.

Usage::

    .venv/bin/python bench/month_end_e2e.py [--agreements 2000] [--workers 2] [--lines 20]
        [--detail pdf|xlsx] [--keep]

It drops and recreates its own PostgreSQL database (``daiyunying_bench_e2e``), migrates it
and builds N agreements of one agency with ``bench.month_end._populate`` and the same bulk
inserts for the other kinds: 60% revenue share and 35% B2B with ``--lines`` August sale
lines each (the B2B ones with an August KPI record), 5% fixed-fee consulting (not settled
monthly: the run skips them). Then it starts what production runs, with the processes of
``bench/hardening.py`` (``config.settings.production``, unhashed static files):
``gunicorn config.wsgi -w 2`` and ``celery -A config worker -c K --pool prefork``, on Redis
databases 11 (broker) and 10 (cache), which neither the tests nor hardening.py use.

Steps, each timed: a staff API token POSTs ``/api/v1/statement-runs/`` and polls the run
until it is done; staff log in to the admin and press the run page's Issue button (the
request queues the drafts; the workers issue them 100 per transaction, each batch's PDFs
queued as it commits), and the bench polls until no draft waits, then until every issued
statement has its PDF stored. It prints statements/s and PDFs/s, the workers' CPU per statement (utime +
stime from /proc of the worker processes) and as a share of wall time × processes, their
peak RSS (VmHWM), the PDF size, the queries per statement of a generation batch and an
issue batch (measured in this process on 100 agreements, rolled back), and the PDF step
against bare WeasyPrint on the same HTML. Run it with ``--workers 1`` for the comparison.
Everything it started is stopped, and its database dropped, at the end (``--keep`` keeps
the database and the logs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg2
import redis

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench import hardening as hb  # noqa: E402  (the processes, HTTP client, settings)
from bench.month_end import _populate  # noqa: E402

DB_NAME = "daiyunying_bench_e2e"
DATABASE_URL = f"{hb.SERVER}/{DB_NAME}"
BROKER_DB, CACHE_DB = 11, 10
PERIOD = "2026-08"
ISSUED_ON = "2026-09-08"
POLL = 0.25  # seconds between looks at the run / the PDFs
SAMPLE = 100  # agreements of the in-process query counts


def recreate_database() -> None:
    connection = psycopg2.connect(f"{hb.SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    connection = psycopg2.connect(f"{hb.SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    connection.close()


def populate_other_kinds(n_b2b: int, n_consulting: int, n_lines: int) -> None:
    """B2B agreements with sale lines and an August KPI record, and consulting ones, for
    the agency ``_populate`` made (bulk inserts, as it does)."""
    from datetime import date
    from decimal import Decimal

    from django.db import transaction

    from accounts.models import BankAccount, Organization
    from contracts.models import Agreement, B2BCommissionTerms, ConsultingTerms, Product
    from kpis.models import KpiRecord, SaleLine

    agency = Organization.objects.get(kind="agency", name="基准代运营公司")
    account = BankAccount.objects.filter(organization=agency).first()
    n = n_b2b + n_consulting
    with transaction.atomic():
        brands = Organization.objects.bulk_create(
            Organization(name=f"基准经销品牌{i:05d}有限公司", kind="brand", agency=agency)
            for i in range(n)
        )
        products = Product.objects.bulk_create(
            Product(
                brand=b,
                sku="SKU-B2B",
                name="岩茶经销装",
                factory_price=Decimal("80.00"),
                distributor_price=Decimal("120.00"),
                min_retail_price=Decimal("199.00"),
            )
            for b in brands[:n_b2b]
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                number=f"HT-E-{i:05d}",
                kind="b2b_commission" if i < n_b2b else "consulting_fixed_fee",
                brand=b,
                agency=agency,
                title="经销商招募合作协议" if i < n_b2b else "品牌咨询服务协议",
                signed_on=date(2026, 5, 20),
                starts_on=date(2026, 6, 1),
                ends_on=date(2027, 5, 31),
                status="active",
                penalty_rate_per_day=Decimal("0.003"),
                bank_account=account,
            )
            for i, b in enumerate(brands)
        )
        B2BCommissionTerms.objects.bulk_create(
            B2BCommissionTerms(
                agreement=a, monthly_service_fee=Decimal("3000.00"), min_distributors=2
            )
            for a in agreements[:n_b2b]
        )
        ConsultingTerms.objects.bulk_create(
            ConsultingTerms(agreement=a, total_fee=Decimal("120000.00")) for a in agreements[n_b2b:]
        )
        KpiRecord.objects.bulk_create(
            KpiRecord(
                agreement=a,
                period=PERIOD,
                distributors_recruited=1 + i % 4,  # a quarter miss the minimum
                cartons_shipped=Decimal("40"),
                sales_amount=Decimal("50000.00"),
            )
            for i, a in enumerate(agreements[:n_b2b])
        )
        SaleLine.objects.bulk_create(
            SaleLine(
                agreement=a,
                product=p,
                sold_on=date(2026, 8, 1 + j % 31),
                quantity=10 + j % 7,
                unit_price=Decimal("120.00"),
                amount=Decimal("120.00") * (10 + j % 7),
                factory_price=Decimal("80.00"),
                distributor_price=Decimal("120.00"),
                min_retail_price=Decimal("199.00"),
                channel="b2b_distributor",
                distributor=f"经销商{j % 5}",
                external_ref=f"E-{a.pk}-{j}",
            )
            for a, p in zip(agreements[:n_b2b], products, strict=True)
            for j in range(n_lines)
        )


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def start_worker(servers: hb.Servers, workers: int) -> hb.Proc:
    log = servers.tmp / "celery.log"
    cmd = [str(hb.BIN / "celery"), "-A", "config", "worker", "-c", str(workers),
           "--pool", "prefork", "--without-gossip", "--without-mingle",
           "--loglevel", "INFO", "-n", "bench-e2e@%h"]  # fmt: skip
    env = {**servers.env, "DATABASE_URL": f"{DATABASE_URL}?application_name=bench-celery"}
    proc = hb.Proc("celery", cmd, env, log)
    servers.procs.append(proc)
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():
        if time.monotonic() > deadline or proc.popen.poll() is not None:
            raise RuntimeError(f"the Celery worker did not start: see {log}")
        time.sleep(0.2)
    return proc


def queries_per_statement() -> tuple[float, float]:
    """Queries of one generation batch and one issue batch of ``SAMPLE`` agreements,
    per statement, in this process (everything rolled back)."""
    from datetime import date

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from settlements import services
    from settlements.models import Statement

    class Rollback(Exception):
        pass

    counts = []
    try:
        with transaction.atomic():
            run = services.statement_run_start(period=PERIOD, by=None, dispatch=False)
            items = list(run.items.order_by("pk").values_list("pk", flat=True)[:SAMPLE])
            with CaptureQueriesContext(connection) as generated:
                services.statement_run_batch_process(item_ids=items)
            counts.append(len(generated) / len(items))
            drafts = list(Statement.objects.filter(status="draft").order_by("pk")[:SAMPLE])
            with CaptureQueriesContext(connection) as issued:
                services.statements_issue(
                    statements=drafts, by=None, issued_on=date.fromisoformat(ISSUED_ON)
                )
            counts.append(len(issued) / len(drafts))
            raise Rollback
    except Rollback:
        pass
    return counts[0], counts[1]


def _bare_renders(htmls: list[str], start: Any, rounds: int) -> None:
    """One bare render process: warm, wait for the start, render every HTML ``rounds``
    times (spawned by ``bare_processes_rate``)."""
    from common.pdf import render_pdf, warm_up

    warm_up()
    render_pdf(htmls[0], base_url=str(PROJECT_ROOT))
    start.wait()
    for _ in range(rounds):
        for html in htmls:
            render_pdf(html, base_url=str(PROJECT_ROOT))


def bare_processes_rate(k: int, n: int = 30, rounds: int = 2) -> float:
    """PDFs/s of K bare render processes side by side on the same statements' HTML (each
    process renders the ``n`` sampled statements ``rounds`` times, after its warm-up)."""
    import multiprocessing

    from settlements.documents import statement_html
    from settlements.models import Statement

    sample = Statement.objects.exclude(pdf="").select_related("agreement").order_by("?")[:n]
    htmls = [statement_html(statement) for statement in sample]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(k + 1)
    processes = [
        context.Process(target=_bare_renders, args=(htmls, start, rounds)) for _ in range(k)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    for process in processes:
        process.join()
    return k * len(htmls) * rounds / (time.perf_counter() - began)


def pdf_step_against_bare(n: int = 30) -> tuple[float, float]:
    """Median seconds of bare WeasyPrint on a statement's HTML and of the PDF step
    (``statement_pdf_store``: load, HTML, render, save), in this process, warm."""
    from django.db import transaction

    from settlements.documents import statement_html, statement_pdf_store
    from settlements.models import Statement
    from settlements.pdf import render_pdf, warm_up

    warm_up()
    bare, step = [], []
    sample = list(Statement.objects.exclude(pdf="").select_related("agreement").order_by("?")[:n])
    for statement in sample:
        html = statement_html(statement)
        t0 = time.perf_counter()
        render_pdf(html, base_url=str(PROJECT_ROOT))
        bare.append(time.perf_counter() - t0)
        with transaction.atomic():
            Statement.objects.filter(pk=statement.pk).update(pdf="")
            fresh = Statement.objects.select_related("agreement").get(pk=statement.pk)
            t0 = time.perf_counter()
            statement_pdf_store(fresh)
            step.append(time.perf_counter() - t0)
    return statistics.median(bare), statistics.median(step)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (prefork -c)")
    parser.add_argument("--lines", type=int, default=20, help="sale lines per agreement")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument(
        "--detail",
        choices=("pdf", "xlsx"),
        default="pdf",
        help="the agency's statement detail: PDF appendix (the default) or XLSX only",
    )
    parser.add_argument(
        "--until-issued",
        action="store_true",
        help="stop once the drafts are issued (generation and issue only, no PDF wait)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    servers = hb.Servers(tmp)
    servers.env.update(
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{BROKER_DB}",
        DJANGO_CACHE_URL=f"redis://127.0.0.1:6379/{CACHE_DB}",
    )
    brokers = [redis.Redis(db=BROKER_DB), redis.Redis(db=CACHE_DB)]
    figures: dict[str, Any] = {}
    try:
        for db in brokers:
            db.flushdb()
        recreate_database()
        hb.setup_django(tmp, servers.env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        n = args.agreements
        n_rs, n_b2b = n * 60 // 100, n * 35 // 100
        n_consulting = n - n_rs - n_b2b
        started = time.perf_counter()
        _populate(n_rs, args.lines)
        populate_other_kinds(n_b2b, n_consulting, args.lines)
        print(f"setup: {n_rs} revenue share, {n_b2b} B2B, {n_consulting} consulting "
              f"× {args.lines} lines in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

        from accounts.models import Organization, User
        from accounts.tokens import api_token_issue
        from settlements.models import Statement, StatementRunItem
        from tests import factories as f

        gen_q, issue_q = queries_per_statement()
        agency = Organization.objects.get(kind="agency", name="基准代运营公司")
        agency.statement_detail = args.detail
        agency.save(update_fields=["statement_detail"])
        staff = f.user(agency, User.Role.AGENCY_STAFF, username="e2e_staff")
        token = api_token_issue(user=staff, by=None).key

        web, base = servers.web("web", workers=2, DATABASE_URL=DATABASE_URL)
        worker = start_worker(servers, args.workers)
        hb.wait_http(f"{base}/healthz")
        pool = worker.children()
        api = hb.Client(base, token)

        # 1. generation: the run through the API, polled until done
        cpu0, t0 = cpu_seconds(pool), time.perf_counter()
        created = api.call("POST", "/api/v1/statement-runs/", body={"period": PERIOD})
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]
        while True:
            run = api.call("GET", f"/api/v1/statement-runs/{run_id}/").json()
            if run["status"] in ("done", "failed"):
                break
            time.sleep(POLL)
        t1, cpu1 = time.perf_counter(), cpu_seconds(pool)
        made = run["created"]
        figures["generate"] = (t1 - t0, made, cpu1 - cpu0)
        print(f"generate: {made} statements in {t1 - t0:.1f} s = {made / (t1 - t0):.1f}/s; "
              f"run {run['status']} {run['done']}/{run['total']}", flush=True)  # fmt: skip

        # 2. issue: the run page's Issue button, as staff press it; the workers issue the
        # drafts in batches and the bench polls the run's items until none waits
        admin = hb.Client(base)
        admin.login("/admin/login/?next=/admin/", staff.username, hb.PASSWORD)
        page = f"/admin/settlements/statementrun/{run_id}/"
        t2 = time.perf_counter()
        answer = admin.submit(f"{page}issue/", {"issued_on": ISSUED_ON})
        t_request = time.perf_counter() - t2
        assert answer.status_code == 302, answer.status_code
        waiting = StatementRunItem.objects.filter(run_id=run_id, issue="pending")
        while waiting.exists():
            time.sleep(POLL)
        t3, cpu3 = time.perf_counter(), cpu_seconds(pool)
        issued = Statement.objects.filter(period=PERIOD).exclude(status="draft").count()
        figures["issue_request"] = t_request
        print(f"issue: {issued} statements in {t3 - t2:.1f} s = {issued / (t3 - t2):.1f}/s "
              f"(the button's request {t_request:.2f} s; PDFs already stored by then: "
              f"{Statement.objects.filter(period=PERIOD).exclude(pdf='').count()})", flush=True)  # fmt: skip

        if args.until_issued:
            gen_wall, made, gen_cpu = figures["generate"]
            print(f"\n=== generation and issue, {args.workers} worker processes ===")
            print(f"generation: {gen_wall:.1f} s, {made / gen_wall:.1f}/s; issue: "
                  f"{t3 - t2:.1f} s, {issued / (t3 - t2):.1f}/s; worker CPU "
                  f"{(cpu3 - cpu1) / max(issued, 1) * 1000:.1f} ms per issued statement")  # fmt: skip
            return 0

        # 3. PDFs: until every issued statement has its file (or none comes for 2 minutes)
        missing = Statement.objects.filter(period=PERIOD).exclude(status="draft").filter(pdf="")
        last, moved = missing.count(), time.perf_counter()
        while last:
            time.sleep(POLL)
            now = missing.count()
            if now < last:
                last, moved = now, time.perf_counter()
            elif time.perf_counter() - moved > 120:
                print(f"pdfs: {now} still missing after 2 minutes without progress; see the log")
                break
        t4, cpu4 = time.perf_counter(), cpu_seconds(pool)
        print(f"pdfs: all {issued} stored {t4 - t3:.1f} s after the last draft was issued; "
              f"{issued / (t4 - t2):.1f} PDFs/s from the start of issuing", flush=True)  # fmt: skip

        sizes = [p.stat().st_size for p in (tmp / "media").rglob("*.pdf")]
        hwm = worker.max_hwm_mib()
        left = hb.stranded_counts() if hasattr(hb, "stranded_counts") else {}
        bare, step = pdf_step_against_bare()
        bare_rate = bare_processes_rate(args.workers)
        gen_wall, made, gen_cpu = figures["generate"]
        k = args.workers
        print("\n=== month-end end to end ===")
        print(f"agreements: {n} ({n_rs} revenue share, {n_b2b} B2B, {n_consulting} consulting); "
              f"worker processes: {k}; statement detail: {args.detail}")  # fmt: skip
        rows = [
            ("generation", gen_wall, made, gen_cpu),
            ("issue + PDFs (from the Issue button to the last PDF)", t4 - t2, issued, cpu4 - cpu1),
            (
                "  of which the issue (button to the last draft issued)",
                t3 - t2,
                issued,
                cpu3 - cpu1,
            ),
        ]
        for name, wall, count, cpu in rows:
            print(f"{name}: {wall:.1f} s, {count / wall:.1f}/s; worker CPU "
                  f"{cpu / max(count, 1) * 1000:.1f} ms per statement, "
                  f"{cpu / (wall * k) * 100:.0f}% of wall × {k}")  # fmt: skip
        print(f"end to end (run started → last PDF): {t4 - t0:.1f} s")
        print(f"queries per statement (in-process batch of {SAMPLE}): generation {gen_q:.2f}, "
              f"issue {issue_q:.2f}")  # fmt: skip
        print(f"workers' peak RSS (VmHWM): {hwm:.0f} MiB")
        if sizes:
            print(f"PDF size: median {statistics.median(sizes) / 1024:.0f} KB")
        print(f"PDF step {step * 1000:.1f} ms against bare WeasyPrint {bare * 1000:.1f} ms "
              f"on the same HTML: {step / bare:.3f}×")  # fmt: skip
        pdf_rate = issued / (t4 - t2)
        print(f"PDFs/s with {k} worker processes ({pdf_rate:.1f}/s, from the Issue button) "
              f"against {k} bare render processes side by side ({bare_rate:.1f}/s): "
              f"{pdf_rate / bare_rate:.2f}× (against {k} × one process's median, "
              f"{k / bare:.1f}/s: {pdf_rate / (k / bare):.2f}×)")  # fmt: skip
        if left:
            print(f"stranded at the end: {left}")
    finally:
        servers.stop_all()
        for db in brokers:
            db.flushdb()
        if args.keep:
            print(f"database {DB_NAME} and logs in {tmp} kept")
        else:
            try:
                drop_database()
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
