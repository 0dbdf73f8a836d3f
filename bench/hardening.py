"""Issue 11's attacks, replayed over HTTP against the product as production runs it.

Usage::

    .venv/bin/python bench/hardening.py [--keep-logs]   # about 1.5 minutes on 2 cores

It drops and recreates its own PostgreSQL database (``daiyunying_bench_hardening``),
migrates it and builds a small world with the project's services: agencies ALPHA and
BRAVO (staff, a brand finance user, API tokens, a revenue-share and a B2B agreement, a
month of sales, a KPI record, a promotion, an expense, issued statements, a payment, a
waiver, a run) and a third agency of 300 revenue-share agreements (``bench.month_end``)
for the faults. Then it starts ``gunicorn config.wsgi -w 3`` and ``celery -A config worker
-c 2`` (prefork) with production settings on Redis databases 13 (broker) and 12 (cache),
which no test uses, fires the attacks with real concurrency and prints every figure
against the one issue 11 measured. It exits 1 if any expectation fails; its processes,
database and Redis databases are removed at the end, whatever happens.

The settings are ``config.settings.production`` with one change, written to a temporary
module: static files are served unhashed (``StaticFilesStorage``), which spares a
collectstatic of 80 s that no attack depends on. Cookies are Secure in production and
this is plain HTTP on localhost, so the client keeps them by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg2
import redis
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
BIN = PROJECT_ROOT / ".venv" / "bin"
DB_NAME = "daiyunying_bench_hardening"
SERVER = "postgres://postgres@127.0.0.1:5432"
BROKER_DB, CACHE_DB = 13, 12  # the tests use 15 and 14 (.ci/run)
BROKER = f"redis://127.0.0.1:6379/{BROKER_DB}"
CACHE = f"redis://127.0.0.1:6379/{CACHE_DB}"
DEAD_BROKER = f"redis://127.0.0.1:1/{BROKER_DB}"  # nothing listens on port 1
SETTINGS_MODULE = "bench_hardening_settings"
SETTINGS_TEXT = """from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
"""
PASSWORD = "pw-Test-1234"  # tests.factories.user's
FAULT_AGREEMENTS = 300
ISSUE_UNDER_FIRE = 100


# --- figures -------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    before: str
    now: str
    ok: bool | None


ROWS: list[Row] = []
SECTION = ["setup"]
STATUSES: dict[str, Counter] = defaultdict(Counter)
FIVE_XX: list[str] = []
_LOCK = threading.Lock()


def figure(name: str, before: str, now: Any, ok: bool | None = None) -> None:
    ROWS.append(Row(name, before, str(now), ok))
    mark = {True: "ok", False: "FAIL", None: ""}[ok]
    print(f"  {name}: {now} {mark}", flush=True)


def five_xx(section: str) -> int:
    return sum(n for code, n in STATUSES[section].items() if isinstance(code, int) and code >= 500)


# --- processes -------------------------------------------------------------------------


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole
            )  # fmt: skip

    def kill(self, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def children(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.popen.pid:
                    found.append(int(entry))
        return found

    def max_hwm_mib(self) -> float:
        """The largest VmHWM (peak resident set) among the process and its children."""
        peaks = []
        for pid in [self.popen.pid, *self.children()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            peaks.append(int(found.group(1)) / 1024 if found else 0)
        return max(peaks, default=0.0)


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs, self.worker = tmp, [], None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": f"{tmp}:{PROJECT_ROOT}",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "PORTAL_BASE_URL": "http://127.0.0.1",
            "DATABASE_URL": f"{SERVER}/{DB_NAME}",
            "CELERY_BROKER_URL": BROKER,
            "DJANGO_CACHE_URL": CACHE,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_MEDIA_ROOT": str(tmp / "media"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "SWEEP_AFTER_MINUTES": "0",  # the bench sweeps at once instead of after 10 min
        }

    def web(self, name: str, *, workers: int = 3, **env: str) -> tuple[Proc, str]:
        env.setdefault("DATABASE_URL", f"{SERVER}/{DB_NAME}?application_name=bench-web")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cmd = [str(BIN / "gunicorn"), "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--access-logfile", str(self.tmp / f"{name}-access.log")]  # fmt: skip
        proc = Proc(name, cmd, {**self.env, **env}, self.tmp / f"{name}.log")
        self.procs.append(proc)
        return proc, f"http://127.0.0.1:{port}"

    def start_worker(self) -> Proc:
        log = self.tmp / "celery.log"
        offset = log.stat().st_size if log.exists() else 0
        cmd = [str(BIN / "celery"), "-A", "config", "worker", "-c", "2", "--pool", "prefork",
               "--loglevel", "INFO", "-n", "bench-hardening@%h"]  # fmt: skip
        env = {**self.env, "DATABASE_URL": f"{SERVER}/{DB_NAME}?application_name=bench-celery"}
        self.worker = Proc("celery", cmd, env, log)
        self.procs.append(self.worker)
        deadline = time.monotonic() + 120
        while b" ready." not in log.read_bytes()[offset:]:
            if time.monotonic() > deadline or self.worker.popen.poll() is not None:
                raise RuntimeError(f"the Celery worker did not start: see {log}")
            time.sleep(0.2)
        return self.worker

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.stop()


def wait_http(url: str, *, want: int | None = 200, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = requests.get(url, timeout=10).status_code
            if want is None or status == want:
                return status
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer {want or 'at all'}")
        time.sleep(0.2)


# --- HTTP ------------------------------------------------------------------------------


class Client:
    """One caller: a token, or a browser session whose cookies are kept by hand."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.cookies = base, {}
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def call(self, method: str, path: str, *, body: Any = None, raw: Any = None, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        if raw is not None:
            headers.setdefault("Content-Type", "application/json")
            kw["data"] = raw
        try:
            response = requests.request(
                method, self.base + path, json=body, headers=headers, cookies=self.cookies,
                allow_redirects=False, timeout=120, **kw,
            )  # fmt: skip
        except requests.RequestException:
            with _LOCK:
                STATUSES[SECTION[0]]["no answer"] += 1
            raise
        self.cookies.update(response.cookies.get_dict())
        with _LOCK:
            STATUSES[SECTION[0]][response.status_code] += 1
            if response.status_code >= 500:
                FIVE_XX.append(f"[{SECTION[0]}] {method} {path} → {response.status_code}: "
                               f"{response.text[:300]}")  # fmt: skip
        return response

    def csrf(self, path: str) -> str:
        """The CSRF secret, which Django takes as the form's token too (read from the
        cookie: the login rotates it, and the admin's templates may change)."""
        if "csrftoken" not in self.cookies:
            self.call("GET", path)
        return self.cookies["csrftoken"]

    def submit(self, path: str, fields: dict[str, Any]) -> Any:
        return self.call("POST", path, data={**fields, "csrfmiddlewaretoken": self.csrf(path)})

    def login(self, path: str, username: str, password: str) -> Any:
        return self.submit(path, {"username": username, "password": password})


def is_json(response: Any) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/json")


# --- the world -------------------------------------------------------------------------


def setup_django(tmp: Path, env: dict[str, str]) -> None:
    (tmp / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_TEXT)
    sys.path.insert(0, str(tmp))
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    import django

    django.setup()


def recreate_database() -> None:
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()


def drop_database() -> None:
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    connection.close()


def build_world() -> SimpleNamespace:
    from datetime import date
    from decimal import Decimal

    from accounts.models import Organization, User
    from accounts.tokens import api_token_issue
    from bench.month_end import _populate
    from core.periods import Period
    from kpis.models import Promotion
    from kpis.services import kpi_record_save, sale_lines_record
    from settlements import services
    from settlements.models import PenaltyWaiver
    from tests import factories as f

    october = Period(2026, 10)

    def tenant(tag: str) -> SimpleNamespace:
        agency = f.agency(f"{tag}代运营")
        brand = f.brand(agency, f"{tag}品牌")
        staff = f.user(agency, User.Role.AGENCY_STAFF, username=f"{tag.lower()}_staff")
        finance = f.user(
            brand, User.Role.BRAND_FINANCE, username=f"{tag.lower()}_finance",
            email=f"reset-{tag.lower()}@brand.example",
        )  # fmt: skip
        product = f.product(brand, sku=f"SKU-{tag}-1")
        common = {"brand_org": brand, "activate": True, "products": [product], "by": staff}
        rs = f.agreement("revenue_share", number=f"HT-{tag}-RS", **common)
        b2b = f.agreement(
            "b2b_commission", number=f"HT-{tag}-B2B", **common,
            terms={"monthly_service_fee": Decimal("8000.00"), "min_distributors": 2,
                   "min_cartons": 10, "min_sales_amount": Decimal("10000.00")},
        )  # fmt: skip
        sale_lines_record(agreement=rs, by=staff, rows=[
            {"product": product.sku, "sold_on": f"2026-10-{day:02d}", "quantity": 20 + day % 7,
             "unit_price": "199.00", "tax": "398.00", "logistics": "120.00",
             "channel": "tmall", "external_ref": f"{tag}-OCT-{day}"}
            for day in range(1, 32)
        ])  # fmt: skip
        sale_lines_record(agreement=b2b, by=staff, rows=[
            {"product": product.sku, "sold_on": f"2026-10-{2 + 3 * i:02d}", "quantity": 240,
             "unit_price": "120.00", "channel": "b2b_distributor",
             "distributor": f"{tag} 经销商 {i}", "external_ref": f"{tag}-B2B-{i}"}
            for i in range(8)
        ])  # fmt: skip
        kpi = kpi_record_save(agreement=b2b, period=str(october), values={}, by=staff)
        promotion = Promotion.objects.create(
            agreement=rs, code=f"PROMO-{tag}", name=f"{tag} 促销", starts_on=date(2026, 10, 1),
            ends_on=date(2026, 10, 31), approved_by_brand_on=date(2026, 9, 20),
        )  # fmt: skip
        expense = services.expense_record(
            agreement=rs, period=october, amount=Decimal("500.00"), description=f"{tag} 推广费",
            receipt_ref=f"RCPT-{tag}", approved_by_brand_on=date(2026, 10, 10), by=staff,
        )  # fmt: skip
        statements = []
        for agreement in (rs, b2b):
            draft = services.statement_generate(agreement=agreement, period=october, by=staff)
            statements.append(
                services.statement_issue(
                    statement=draft.statement, issued_on=date(2026, 11, 5), by=staff
                )
            )
        payment = services.payment_record(
            statement=statements[0], amount=Decimal("100.00"), paid_on=date(2026, 11, 6),
            by=staff, external_ref=f"{tag}-SEED",
        ).payment  # fmt: skip
        waiver = PenaltyWaiver.objects.create(
            statement=statements[0], amount=Decimal("1.00"), reason=f"{tag} 减免"
        )
        run = services.statement_run_start(period=str(october), by=staff, agreement=rs)
        return SimpleNamespace(
            agency=agency, brand=brand, staff=staff, finance=finance, product=product, rs=rs,
            b2b=b2b, kpi=kpi, promotion=promotion, expense=expense, statement=statements[0],
            payment=payment, waiver=waiver, run=run,
            token=api_token_issue(user=staff, by=None).key,
            finance_token=api_token_issue(user=finance, by=None).key,
        )  # fmt: skip

    a, b = tenant("ALPHA"), tenant("BRAVO")
    a.victim = f.user(a.agency, User.Role.AGENCY_STAFF, username="alpha_victim")
    ids = _populate(FAULT_AGREEMENTS, 20)  # agency 基准代运营公司: August sales, no statements
    agency = Organization.objects.get(name="基准代运营公司")
    staff = f.user(agency, User.Role.AGENCY_STAFF, username="gamma_staff")
    c = SimpleNamespace(agency=agency, ids=ids, token=api_token_issue(user=staff, by=None).key)
    return SimpleNamespace(a=a, b=b, c=c)


# --- waiting on the workers ----------------------------------------------------------------


def stranded_counts() -> dict[str, int]:
    from settlements.services.sweeper import stranded

    return {kind: row["count"] for kind, row in stranded().items()}


def queue_length() -> int:
    return redis.Redis(db=BROKER_DB).llen("celery")


def quiesce(progress: Callable[[], Any], *, still: float = 3.0, timeout: float = 180) -> None:
    """Wait until the queue is empty and ``progress()`` has not changed for ``still`` s."""
    deadline, last, since = time.monotonic() + timeout, object(), time.monotonic()
    while time.monotonic() < deadline:
        now = (queue_length(), progress())
        if now != last:
            last, since = now, time.monotonic()
        elif now[0] == 0 and time.monotonic() - since >= still:
            return
        time.sleep(0.25)


def sweep_until_clean(
    done: Callable[[], bool] = lambda: True, timeout: float = 180
) -> tuple[float, int]:
    """Run the sweeper (as beat would, every few seconds here) until nothing is stranded."""
    from settlements.services.sweeper import sweep

    started, sweeps = time.monotonic(), 0
    while time.monotonic() - started < timeout:
        sweep()
        sweeps += 1
        for _ in range(40):
            time.sleep(0.25)
            if not sum(stranded_counts().values()) and done():
                return time.monotonic() - started, sweeps
    return time.monotonic() - started, sweeps


def race(copies: int, work: Callable[[int], Any]) -> list[Any]:
    from tests.concurrency.conftest import race as test_race

    return test_race(copies, work)


# --- attacks ---------------------------------------------------------------------------

PAYMENTS, SALES, IMPORT = "/api/v1/payments/", "/api/v1/sales/", "/api/v1/sales/import/"
ACTIVE_IMPORT = ("pending", "validating", "importing")


def _sale(agreement: Any, ref: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"agreement": agreement.pk, "product": agreement.products.first().sku,
            "sold_on": "2026-11-11", "quantity": quantity, "unit_price": "199.00",
            "channel": "tmall", "external_ref": ref, **extra}  # fmt: skip


def attack_idempotency(w: SimpleNamespace, base: str) -> None:
    from kpis.models import SaleLine
    from settlements.models import Payment

    client, a = Client(base, w.a.token), w.a
    paid = Payment.objects.filter(statement=a.statement).count()
    lines = SaleLine.objects.filter(agreement=a.rs, external_ref="").count()
    not_replayed = 0
    for trial in range(20):
        for path, body, key in (
            (PAYMENTS, {"statement": a.statement.pk, "amount": "1.00", "paid_on": "2026-11-20"},
             f"pay-{trial}"),
            (SALES, [_sale(a.rs, ""), _sale(a.rs, "", quantity=2)], f"sales-{trial}"),
        ):  # fmt: skip
            answers = race(3, lambda i, p=path, b=body, k=key: client.call(
                "POST", p, body=b, headers={"Idempotency-Key": k}))  # fmt: skip
            failed = any(isinstance(r, Exception) or r.status_code != 201 for r in answers)
            not_replayed += failed or any(r.json() != answers[0].json() for r in answers)
    created = Payment.objects.filter(statement=a.statement).count() - paid
    lines = SaleLine.objects.filter(agreement=a.rs, external_ref="").count() - lines
    figure("Idempotency-Key: payments from 20 trials × 3 copies", "55", created, created == 20)
    figure("Idempotency-Key: sale lines from 20 trials × 3 copies of 2 lines", "40 for 15",
           lines, lines == 40)  # fmt: skip
    figure("Idempotency-Key: trials whose copies did not all get the first 201", "—",
           not_replayed, not_replayed == 0)  # fmt: skip
    figure("Idempotency-Key: 5xx of 120 answers", "—", five_xx(SECTION[0]), not five_xx(SECTION[0]))


def attack_external_refs(w: SimpleNamespace, base: str) -> None:
    from django.db.models import Count

    from kpis.models import SaleLine
    from settlements.models import Payment

    client, a, odd = Client(base, w.a.token), w.a, 0
    for trial in range(50):
        for body in (
            {"statement": a.statement.pk, "amount": "1.00", "paid_on": "2026-11-21",
             "external_ref": f"BANK-{trial}"},
            _sale(a.rs, f"TM-{trial}"),
            [_sale(a.rs, f"JD-{trial}-a"), _sale(a.rs, f"JD-{trial}-b", quantity=2)],
        ):  # fmt: skip
            path = PAYMENTS if isinstance(body, dict) and "statement" in body else SALES
            answers = race(3, lambda i, p=path, b=body: client.call("POST", p, body=b))
            codes = sorted(getattr(r, "status_code", 0) for r in answers)
            odd += codes != [200, 200, 201]
    stored = [
        Payment.objects.filter(external_ref__startswith="BANK-"),
        SaleLine.objects.filter(external_ref__startswith="TM-"),
        SaleLine.objects.filter(external_ref__startswith="JD-"),
    ]
    extra = sum(
        row["n"] - 1
        for rows in stored
        for row in rows.values("external_ref").annotate(n=Count("pk")).filter(n__gt=1)
    )
    counts = [rows.count() for rows in stored]
    errors = five_xx(SECTION[0])
    figure("external_ref races: 5xx of 450 answers (50 trials × 3 copies × 3 kinds)", "74 of 150",
           errors, errors == 0)  # fmt: skip
    figure("external_ref races: duplicate rows", "—", extra, extra == 0)
    figure("external_ref races: rows stored (payments, sales, listed sales)", "—",
           "/".join(map(str, counts)), counts == [50, 50, 100])  # fmt: skip
    figure("external_ref races: trials not answered 201 + 200 + 200", "—", odd, odd == 0)


def attack_api_walls(w: SimpleNamespace, base: str) -> None:
    from accounts.models import ApiToken
    from common.models import Event
    from config.api_urls import router
    from kpis.models import KpiRecord, SaleLine
    from settlements.models import Expense, Payment, StatementRun
    from tests.api.test_scoping_matrix import MISSING_ID, NOT_BRAND_DATA, _requests

    a, client = w.a, Client(base, w.b.token)
    theirs = {
        "organizations": a.brand, "users": a.finance, "products": a.product, "agreements": a.rs,
        "tokens": ApiToken.objects.filter(user=a.finance).first(),
        "sales": SaleLine.objects.filter(agreement=a.rs).first(), "kpis": a.kpi,
        "statements": a.statement, "payments": a.payment, "expenses": a.expense,
        "statement-runs": a.run, "events": Event.objects.filter(agreement=a.rs).first(),
    }  # fmt: skip
    before = {name: _state(obj) for name, obj in theirs.items()}
    probes = breaches = leaks = listed = unprobed = 0

    def answer(method: str, path: str, body: Any = None) -> tuple[int, str]:
        if method != "get" and body is None:
            body = {}
        response = client.call(method.upper(), path, body=body)
        return response.status_code, response.text if is_json(response) else ""

    for prefix, viewset, _basename in router.registry:
        if prefix in NOT_BRAND_DATA:
            continue
        if prefix not in theirs:
            unprobed += 1
            continue
        pairs = zip(_requests(prefix, viewset, theirs[prefix].pk), _requests(prefix, viewset, MISSING_ID), strict=True)  # fmt: skip
        for (method, path), (_m, missing) in pairs:
            got = answer(method, path)
            probes += 1
            breaches += got[0] not in (403, 404, 405)
            leaks += got != answer(method, missing)
        page: str | None = f"/api/v1/{prefix}/"
        while page:
            response = client.call("GET", page.replace(base, ""))
            if response.status_code != 200:
                break
            data = response.json()
            rows = data["results"] if isinstance(data, dict) else data
            listed += theirs[prefix].pk in {row.get("id") for row in rows}
            page = data.get("next") if isinstance(data, dict) else None
    # Creating on A's objects with their ids in the body: 404, as for an id that is missing.
    writes = {
        PAYMENTS: {"statement": a.statement.pk, "amount": "1.00", "paid_on": "2026-11-20"},
        SALES: _sale(a.rs, "STOLEN-1"),
        "/api/v1/kpis/": {"agreement": a.b2b.pk, "period": "2026-11", "cartons_shipped": 999,
                          "sales_amount": "1.00"},
        "/api/v1/expenses/": {"agreement": a.rs.pk, "period": "2026-11", "amount": "88888.00",
                              "description": "x", "receipt_ref": "x",
                              "approved_by_brand_on": "2026-11-10"},
        "/api/v1/statement-runs/": {"period": "2026-10", "agreement": a.rs.pk},
    }  # fmt: skip
    rows = [Payment, SaleLine, KpiRecord, Expense, StatementRun]
    counts = [model.objects.count() for model in rows]
    for path, body in writes.items():
        key = "statement" if "statement" in body else "agreement"
        got = answer("POST", path, body)
        probes += 1
        breaches += got[0] not in (400, 403, 404)
        leaks += got != answer("POST", path, {**body, key: MISSING_ID})
    files = {"file": ("s.csv", b"product,sold_on,quantity,unit_price\n")}
    got = client.call("POST", IMPORT, data={"agreement": a.rs.pk}, files=files).status_code
    probes, breaches = probes + 1, breaches + (got != 404)
    changed = sum(_state(obj) != before[name] for name, obj in theirs.items())
    changed += [model.objects.count() for model in rows] != counts
    figure("API walls: B's staff token on A's objects (every method and action, POSTs with "
           "A's ids): answers other than 403/404/405", "0 of ~2,300 (held)",
           f"{breaches} of {probes}", breaches == 0)  # fmt: skip
    figure("API walls: answers that differ from a missing id's (leaks)", "0", leaks, leaks == 0)
    figure("API walls: A's objects in B's lists", "0", listed, listed == 0)
    figure("API walls: A's objects changed or rows created", "0", changed, changed == 0)
    figure("API walls: resources with no object to probe", "—", unprobed, unprobed == 0)


def attack_portal_walls(w: SimpleNamespace, base: str) -> None:
    """Brand BRAVO's finance user in the portal, on ALPHA's statement and sales."""
    a, client = w.a, Client(base)
    logged = client.login("/portal/login/", w.b.finance.username, PASSWORD)
    assert logged.status_code == 302, f"B's finance could not log in: {logged.status_code}"
    statement = f"/portal/statements/{a.statement.pk}/"
    probes = [
        ("GET", statement + view) for view in ("", "pdf/", "detail.xlsx", "confirm/", "dispute/")
    ]
    probes += [("POST", statement + view) for view in ("confirm/", "dispute/", "withdraw-dispute/")]
    probes += [
        ("GET", f"/portal/sales/{a.rs.pk}/2026-10/"),
        ("GET", f"/portal/sales/{a.b2b.pk}/2026-10/"),
    ]
    breaches = 0
    for method, path in probes:
        data = {"csrfmiddlewaretoken": client.csrf("/portal/")} if method == "POST" else None
        breaches += client.call(method, path, data=data).status_code not in (403, 404, 405)
    pages = ["/portal/", "/portal/statements/", "/portal/sales/", "/portal/kpis/",
             "/portal/sales/export.csv", "/portal/kpis/export.csv"]  # fmt: skip
    leaked = sum("ALPHA" in client.call("GET", page).text for page in pages)
    figure("portal walls: B's brand finance on A's statement, PDF, receipt and sales pages: "
           "answers other than 403/404/405", "0 (held)", f"{breaches} of {len(probes)}",
           breaches == 0)  # fmt: skip
    figure("portal walls: B's portal pages and exports showing A's names", "0 (held)",
           f"{leaked} of {len(pages)}", leaked == 0)  # fmt: skip


def attack_admin_walls(w: SimpleNamespace, base: str) -> None:
    from kpis.models import KpiRecord, Promotion
    from settlements.models import Expense, PenaltyWaiver, Statement
    from tests.security.walls import only_theirs, tenant_admins

    a, b = w.a, w.b
    client = Client(base)
    logged = client.login("/admin/login/?next=/admin/", b.staff.username, PASSWORD)
    assert logged.status_code == 302, f"B's staff could not log in: {logged.status_code}"
    markers = ["ALPHA", *Statement.objects.filter(agreement__agency=a.agency).values_list("number", flat=True)]  # fmt: skip
    probes = breaches = pages = leaked = 0
    snapshots = {}
    for _label, model_admin in tenant_admins():
        opts = model_admin.model._meta
        root = f"/admin/{opts.app_label}/{opts.model_name}/"
        for view in ("", "add/"):
            response = client.call("GET", root + view)
            pages += 1
            leaked += response.status_code == 200 and any(m in response.text for m in markers)
        obj = only_theirs(model_admin.model, a.staff, b.staff).first()
        if obj is None:
            continue
        snapshots[obj] = _state(obj)
        for view in ("change/", "history/", "delete/"):
            response = client.call("GET", f"{root}{obj.pk}/{view}")
            probes += 1
            breaches += not _refused(response)
        response = client.submit(f"{root}{obj.pk}/delete/", {"post": "yes"})
        probes += 1
        breaches += not _refused(response)
    counts = (
        KpiRecord.objects.filter(agreement__agency=a.agency).count(),
        Promotion.objects.filter(agreement__agency=a.agency).count(),
        Expense.objects.filter(agreement__agency=a.agency).count(),
        PenaltyWaiver.objects.filter(statement__agreement__agency=a.agency).count(),
    )
    own = {b.expense: _state(b.expense), b.waiver: _state(b.waiver)}
    forms = [
        ("kpis/kpirecord/add/", {"agreement": a.b2b.pk, "period": "2026-11", "cartons_shipped": "999",
                                 "sales_amount": "1", "distributors_recruited": "0",
                                 "unique_visitors": "0", "daily_inquiries": "0",
                                 "conversion_rate": "0"}),
        ("kpis/promotion/add/", {"agreement": a.rs.pk, "code": "STOLEN", "name": "x",
                                 "starts_on": "2026-11-01", "ends_on": "2026-11-30",
                                 "approved_by_brand_on": "2026-10-30"}),
        ("settlements/expense/add/", {"agreement": a.rs.pk, "period": "2026-11",
                                      "amount": "88888.00", "description": "推广费",
                                      "receipt_ref": "R-1", "approved_by_brand_on": "2026-11-10"}),
        ("settlements/penaltywaiver/add/", {"statement": a.statement.pk, "amount": "999999.00",
                                            "reason": "x"}),
        (f"settlements/expense/{b.expense.pk}/change/", {
            "agreement": a.rs.pk, "period": "2026-10", "amount": "88888.00", "description": "x",
            "receipt_ref": "x", "approved_by_brand_on": "2026-10-10"}),
        (f"settlements/penaltywaiver/{b.waiver.pk}/change/", {
            "statement": a.statement.pk, "amount": "999999.00", "reason": "改"}),
    ]  # fmt: skip
    form_breaches = 0
    for path, fields in forms:
        response = client.submit(f"/admin/{path}", fields)
        # A save redirects (302); a refused form is shown again with its errors (200), or
        # 403. Whether anything was written is read from the database below.
        form_breaches += response.status_code not in (200, 403, 404)
    after = (
        KpiRecord.objects.filter(agreement__agency=a.agency).count(),
        Promotion.objects.filter(agreement__agency=a.agency).count(),
        Expense.objects.filter(agreement__agency=a.agency).count(),
        PenaltyWaiver.objects.filter(statement__agreement__agency=a.agency).count(),
    )
    changed = sum(_state(obj) != snap for obj, snap in {**snapshots, **own}.items())
    figure("admin walls: A's change/history/delete pages and delete posts opened by B's staff",
           "—", f"{breaches} of {probes}", breaches == 0)  # fmt: skip
    figure("admin walls: B's lists and add forms showing A's names or numbers",
           "every filter and select", f"{leaked} of {pages}", leaked == 0)  # fmt: skip
    figure("admin walls: add/change forms posted with A's ids not refused (KPI, promotion, "
           "expense, waiver; own expense and waiver moved to A)", "6 holes, two 500s",
           f"{form_breaches} of {len(forms)}", form_breaches == 0)  # fmt: skip
    figure("admin walls: rows created on A's objects / objects changed", "KPI, promotion, expense",
           f"{sum(after) - sum(counts)} / {changed}", after == counts and not changed)  # fmt: skip
    figure("admin walls: 5xx", "2", five_xx(SECTION[0]), not five_xx(SECTION[0]))


def _state(obj: Any) -> Any:
    """The object's fields now (``tests.security.walls.snapshot``), None once deleted."""
    from django.core.exceptions import ObjectDoesNotExist

    from tests.security.walls import snapshot

    try:
        return snapshot(obj)
    except ObjectDoesNotExist:
        return None


def _refused(response: Any) -> bool:
    """403/404, or the admin's answer for an object the user may not see: back to the index."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.headers.get("Location") == "/admin/"


def attack_hostile(w: SimpleNamespace, base: str) -> None:
    from kpis.models import SaleLine

    a, client = w.a, Client(base, w.a.token)
    deep = "[" * 950 + "]" * 950
    cases: list[tuple[str, str, dict[str, Any], set[int]]] = [
        (f"deep JSON {path}", path, {"raw": deep}, {400})
        for path in (SALES, PAYMENTS, "/api/v1/agreements/", "/api/v1/daily-runs/",
                     "/api/v1/statement-runs/", "/api/v1/kpis/", "/api/v1/expenses/")
    ]  # fmt: skip
    for field, text in (("distributor", "经销商\x00甲"), ("external_ref", "TM-\x00"),
                        ("distributor", "\ud800"), ("external_ref", "A\udfffB")):  # fmt: skip
        one = json.dumps(_sale(a.rs, "H-1", **{field: text}))
        many = json.dumps([_sale(a.rs, "H-2"), _sale(a.rs, "H-3", **{field: text})])
        cases += [(f"{field} {text!a}", SALES, {"raw": one}, {400}),
                  (f"{field} {text!a} in a list", SALES, {"raw": many}, {400})]  # fmt: skip
    pay = f'{{"statement": {a.statement.pk}, "amount": "1.00", "paid_on": "2026-11-20", '
    cases += [
        ("escaped surrogate in a payment", PAYMENTS, {"raw": pay + '"reference": "a\\ud800"}'}, {400}),
        ("NUL in a JSON key", PAYMENTS, {"raw": '{"a\\u0000": 1}'}, {400}),
        ("NUL in a form field", SALES, {"data": _sale(a.rs, "H-4", distributor="a\x00b")}, {400}),
        ("3 MB JSON body", SALES, {"raw": json.dumps({"distributor": "x" * 3_000_000})}, {413}),
        ("3 MB JSON body with a key", SALES, {"raw": json.dumps({"x": "y" * 3_000_000}),
                                              "headers": {"Idempotency-Key": "big-1"}}, {413}),
        ("3 MB form body", SALES, {"data": _sale(a.rs, "H-5", distributor="x" * 3_000_000)}, {413}),
        ("amount 1_000", PAYMENTS, {"body": {"statement": a.statement.pk, "amount": "1_000",
                                              "paid_on": "2026-11-20"}}, {400}),
        ("amount １２３.００", PAYMENTS, {"body": {"statement": a.statement.pk,
                                                 "amount": "１２３.００", "paid_on": "2026-11-20"}}, {400}),
        ("paid_on 0001-01-01", PAYMENTS, {"body": {"statement": a.statement.pk, "amount": "1.00",
                                                    "paid_on": "0001-01-01"}}, {400}),
        ("unit_price 1e2", SALES, {"body": _sale(a.rs, "H-6", unit_price="1e2")}, {400}),
        ("KPI period 9999-12", "/api/v1/kpis/", {"body": {"agreement": a.b2b.pk, "period": "9999-12"}}, {400}),
    ]  # fmt: skip
    header = "product,sold_on,quantity,unit_price,channel,distributor,external_ref"
    for name, lines in (("NUL in a CSV cell", [header, f"{a.product.sku},2026-11-05,1,199.00,tmall,经销商\x00,R-1"]),
                        ("NUL in a CSV header", [header.replace("distributor", "dist\x00ributor"),
                                                 f"{a.product.sku},2026-11-05,1,199.00"])):  # fmt: skip
        content = ("\n".join(lines) + "\n").encode()
        cases.append(
            (
                name,
                IMPORT,
                {"data": {"agreement": a.rs.pk}, "files": {"file": ("s.csv", content)}},
                {400},
            )
        )
    dispute = f"/api/v1/statements/{a.statement.pk}/dispute/"
    body = '{"comment": "x", "evidence": ' + deep + "}"
    results = [(n, p, client.call("POST", p, **kw), want) for n, p, kw, want in cases]
    results.append(("deep JSON in a brand's dispute", dispute,
                    Client(base, a.finance_token).call("POST", dispute, raw=body), {400}))  # fmt: skip
    unexpected = [
        f"{n} → {r.status_code}" for n, _p, r, want in results if r.status_code not in want
    ]
    not_json = [n for n, _p, r, _w in results if r.status_code >= 400 and not is_json(r)]
    stored = SaleLine.objects.filter(external_ref__startswith="H-").count()
    figure(f"hostile input: 5xx of {len(results)} (deep JSON, NUL, surrogates, 3 MB bodies, "
           "CSV with NUL, lenient numbers and dates)", "all 500 (RecursionError, NUL)",
           five_xx(SECTION[0]), not five_xx(SECTION[0]))  # fmt: skip
    figure("hostile input: error answers not in JSON", "oversized body: an HTML page",
           len(not_json), not not_json)  # fmt: skip
    figure("hostile input: answers other than the expected 400/413", "1_000, １２３.００, 1e2, "
           "0001-01-01, 9999-12 accepted", ", ".join(unexpected) or 0, not unexpected)  # fmt: skip
    figure("hostile input: sale lines stored", "—", stored, stored == 0)


def attack_brute_force(w: SimpleNamespace, base: str, log: Path) -> None:
    from django.conf import settings

    a = w.a
    for where, path, user, after in (("admin", "/admin/login/", a.victim, "/admin/"),
                                     ("portal", "/portal/login/", a.finance, "/portal/")):  # fmt: skip
        client = Client(base)
        token = client.csrf(path)
        wrong = Counter(
            client.call("POST", path, data={"username": user.username, "password": f"wrong-{i}",
                                            "csrfmiddlewaretoken": token}).status_code
            for i in range(40)
        )  # fmt: skip
        right = client.call("POST", path, data={"username": user.username, "password": PASSWORD,
                                                "csrfmiddlewaretoken": token})  # fmt: skip
        inside = client.call("GET", after).status_code == 200
        figure(f"brute force, {where} login: 40 wrong passwords, then the right one",
               "the right one logged in",
               f"wrong: {dict(wrong)}; right: {right.status_code}, logged in: {inside}",
               right.status_code == 429 and not inside)  # fmt: skip
    client = Client(base)
    token = client.csrf("/portal/password/reset/")
    resets = Counter(
        client.call("POST", "/portal/password/reset/",
                    data={"email": a.finance.email, "csrfmiddlewaretoken": token}).status_code
        for _ in range(30)
    )  # fmt: skip
    time.sleep(0.5)
    sent = log.read_text(errors="replace").count(f"To: {a.finance.email}")
    digest = hashlib.sha256(a.finance.email.encode()).hexdigest()
    counted = redis.Redis(db=CACHE_DB).get(f"daiyunying:1:password-reset:email:{digest}")
    limit = settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR
    figure("password reset: 30 requests for one address", "30 e-mails",
           f"{sent} e-mails; answers {dict(resets)}; counted in Redis: "
           f"{int(counted) if counted else 0}", sent == limit)  # fmt: skip


def attack_imports(w: SimpleNamespace, base: str, web: Proc, worker: Proc) -> None:
    from kpis.models import SalesImport
    from tests.hostile.test_import_bombs import (
        _forged_dimension,
        _padded_strings,
        _rezip,
        _wide_row,
        _xlsx,
    )

    a, client = w.a, Client(base, w.a.token)
    header = b"product,sold_on,quantity,unit_price,channel\n"
    row = f"{a.product.sku},2026-11-05,1,199.00,tmall\n".encode()
    bombs = [
        ("XLSX with a forged dimension A1:XFD1", _rezip(_xlsx(), sheet=_forged_dimension), "x"),
        ("XLSX, a row of 1,000,000 cells", _rezip(_xlsx(), sheet=_wide_row(1_000_000)), "x"),
        ("XLSX, a row of 2,000,000 cells", _rezip(_xlsx(), sheet=_wide_row(2_000_000)), "x"),
        ("XLSX, 25 MB of shared strings", _rezip(_xlsx(), shared_strings=_padded_strings(25 << 20)), "x"),
        ("XLSX, 2,000,000 cells + 1.2 MB padding (worker)",
         _padded(_rezip(_xlsx(), sheet=_wide_row(2_000_000)), 1_200_000), "x"),
        ("XLSX, a row of 1,000,000 random cells, honest ratio (worker)",
         _rezip(_xlsx(), sheet=_random_row(1_000_000)), "x"),
        ("CSV, a 5 MB line of commas (worker)", header + b"," * (5 << 20), "c"),
        ("CSV, 50 MB", header + row * ((50 << 20) // len(row)), "c"),
    ]  # fmt: skip
    before = (web.max_hwm_mib(), worker.max_hwm_mib())
    outcomes, done = [], 0
    for name, content, kind in bombs:
        filename = "bomb.xlsx" if kind == "x" else "bomb.csv"
        started = time.monotonic()
        response = client.call("POST", IMPORT, data={"agreement": a.rs.pk},
                               files={"file": (filename, content)})  # fmt: skip
        answer, final = response.status_code, response.json() if is_json(response) else {}
        while answer == 202 and final.get("status") in ACTIVE_IMPORT:
            time.sleep(0.3)
            final = client.call("GET", f"{IMPORT}{final['id']}/").json()
        done += final.get("status") == "done"
        message = (final.get("errors") or [{}])[0].get("message") or final.get("file", [""])[0]
        outcomes.append(f"API {name} ({len(content) // 1024:,} KB): {answer}"
                        f"{' → ' + final.get('status', '') if answer == 202 else ''} "
                        f"in {time.monotonic() - started:.1f} s: {_english(message)}")  # fmt: skip
    # The admin's upload always imports in a worker (issue 11: 1.9 GB there).
    admin = Client(base)
    admin.login("/admin/login/?next=/admin/", a.staff.username, PASSWORD)
    uploaded = 0
    for name, content, kind in bombs[2:7]:
        started, count = time.monotonic(), SalesImport.objects.count()
        response = admin.call(
            "POST", "/admin/kpis/salesimport/upload/",
            data={"agreement": a.rs.pk, "csrfmiddlewaretoken": admin.csrf("/admin/")},
            files={"file": ("bomb.xlsx" if kind == "x" else "bomb.csv", content)},
        )  # fmt: skip
        sales_import = SalesImport.objects.order_by("-pk").first()
        if response.status_code != 302 or SalesImport.objects.count() == count:
            outcomes.append(f"admin {name}: {response.status_code}, no import started")
            continue
        uploaded += 1
        while sales_import.status in ACTIVE_IMPORT and time.monotonic() - started < 120:
            time.sleep(0.3)
            sales_import.refresh_from_db()
        done += sales_import.status == "done"
        message = (sales_import.errors or [{}])[0].get("message", "")
        outcomes.append(f"admin {name}: {response.status_code} → {sales_import.status} in "
                        f"{time.monotonic() - started:.1f} s: {_english(message)}")  # fmt: skip
    after = (web.max_hwm_mib(), worker.max_hwm_mib())
    for line in outcomes:
        print("    " + line)
    growth = max(after[0] - before[0], after[1] - before[1])
    figure(f"import bombs ({len(bombs)} through the API, {uploaded} in the admin): 5xx / imported",
           "50 MB CSV: 500 after 30 s", f"{five_xx(SECTION[0])} / {done}",
           not five_xx(SECTION[0]) and not done and uploaded == 5)  # fmt: skip
    figure("import bombs: max RSS (VmHWM) of gunicorn workers, before → after",
           "+1.1 GB (2M cells), +665 MB (shared strings)",
           f"{before[0]:.0f} → {after[0]:.0f} MiB", after[0] - before[0] < 100)  # fmt: skip
    figure("import bombs: max RSS (VmHWM) of Celery processes, before → after",
           "1.9 GB (admin upload)", f"{before[1]:.0f} → {after[1]:.0f} MiB",
           after[1] - before[1] < 100)  # fmt: skip
    ROWS[-1].now += f" (largest growth {growth:.0f} MiB)"


def _english(message: str) -> str:
    """The English half of a bilingual message."""
    return re.split(r" ?/ ", message)[-1]


def _random_row(cells: int) -> Callable[[str], str]:
    """A sheet rewrite adding one row of random numbers: it compresses only ~4 times, so
    no zip-bomb ratio stops it; only the column limit, while streaming, can."""
    import random

    def rewrite(xml: str) -> str:
        values = "".join(f"<c><v>{random.randrange(10**9)}</v></c>" for _ in range(cells))
        return xml.replace("</sheetData>", f'<row r="3">{values}</row></sheetData>')

    return rewrite


def _padded(content: bytes, size: int) -> bytes:
    """The workbook with an incompressible member added, to pass the 1 MB in-request limit."""
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as book:
        book.writestr("xl/media/padding.bin", os.urandom(size))
    return out.getvalue()


def fault_worker_killed(w: SimpleNamespace, base: str, servers: Servers) -> None:
    from django.db.models import Count

    from settlements.models import Statement, StatementRun

    client = Client(base, w.c.token)
    mine = Statement.objects.filter(agreement__agency=w.c.agency, period="2026-08", kind="monthly")
    answer = client.call("POST", "/api/v1/statement-runs/", body={"period": "2026-08"}).json()
    run = StatementRun.objects.filter(pk=answer["id"])
    at_kill = _kill_when(
        servers, lambda: run.get().done, lambda done: done >= 0.3 * answer["total"]
    )
    right_after = sum(stranded_counts().values())
    servers.start_worker()
    quiesce(lambda: run.get().done)
    left = run.get()
    seconds, sweeps = sweep_until_clean(lambda: run.get().status != "running")
    final = run.get()
    duplicates = mine.values("agreement").annotate(n=Count("pk")).filter(n__gt=1).count()
    figure(f"worker killed mid month-end run ({answer['total']} agreements): done at the kill / "
           "stranded right after / left by the kill without the sweeper", "299/300 running forever",
           f"{at_kill} / {right_after} / {left.total - left.done - left.failed} pending, "
           f"{left.status}", None)  # fmt: skip
    figure("  … after restart and the sweeper: run, statements, duplicates, stranded",
           "stranded forever", f"{final.status} {final.done}/{final.total}, {mine.count()} "
           f"statements, {duplicates} duplicates, {sum(stranded_counts().values())} stranded "
           f"({sweeps} sweeps, {seconds:.1f} s)",
           final.status == "done" and mine.count() == answer["total"] and not duplicates
           and not sum(stranded_counts().values()))  # fmt: skip
    # Issuing 100 statements (each queues its PDF) while the workers are killed.
    drafts = list(mine.filter(status="draft").order_by("pk").values_list("pk", flat=True))
    chosen, issued, lock = drafts[:ISSUE_UNDER_FIRE], [0], threading.Lock()

    def issue(ids: list[int]) -> None:
        for pk in ids:
            client.call("POST", f"/api/v1/statements/{pk}/issue/", body={"issued_on": "2026-09-08"})
            with lock:
                issued[0] += 1

    threads = [threading.Thread(target=issue, args=(chosen[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    pdfs = Statement.objects.filter(pk__in=chosen).exclude(pdf="")
    at_kill = _kill_when(servers, lambda: (issued[0], pdfs.count()), lambda n: n[0] >= 50)
    for thread in threads:
        thread.join()
    right_after = stranded_counts()["statements_without_pdf"]
    servers.start_worker()
    quiesce(lambda: pdfs.count())
    left = len(chosen) - pdfs.count()
    seconds, sweeps = sweep_until_clean(lambda: pdfs.count() == len(chosen))
    on_disk = sum(s.pdf.storage.exists(s.pdf.name) for s in Statement.objects.filter(pk__in=chosen).exclude(pdf=""))  # fmt: skip
    status = Counter(Statement.objects.filter(pk__in=chosen).values_list("status", flat=True))
    figure(f"worker killed while issuing {len(chosen)} statements: issued / PDFs at the kill / "
           "without a PDF right after / left by the kill without the sweeper",
           "2 of 100 PDFs missing forever", f"{at_kill[0]} / {at_kill[1]} / {right_after} / {left}",
           None)  # fmt: skip
    figure("  … after restart and the sweeper: PDFs missing (on disk)", "2",
           f"{len(chosen) - on_disk} ({dict(status)}; {sweeps} sweeps, {seconds:.1f} s)",
           on_disk == len(chosen) and status == {"issued": len(chosen)})  # fmt: skip


def _kill_when(servers: Servers, read: Callable[[], Any], ready: Callable[[Any], bool]) -> Any:
    """SIGKILL the worker's whole process group once ``ready(read())``; the value then."""
    deadline = time.monotonic() + 120
    while not ready(value := read()) and time.monotonic() < deadline:
        time.sleep(0.02)
    servers.worker.kill()
    return value


def fault_broker_down(w: SimpleNamespace, servers: Servers) -> None:
    from kpis.models import SalesImport
    from settlements.models import Statement, StatementRun

    web, base = servers.web("web-broker-down", workers=1, CELERY_BROKER_URL=DEAD_BROKER)
    health = wait_http(f"{base}/healthz", want=None)
    draft = (
        Statement.objects.filter(agreement__agency=w.c.agency, status="draft")
        .order_by("pk")
        .first()
    )
    client = Client(base, w.c.token)
    issued = client.call("POST", f"/api/v1/statements/{draft.pk}/issue/", body={})
    started = client.call("POST", "/api/v1/statement-runs/",
                          body={"period": "2026-09", "agreement": w.c.ids[0]})  # fmt: skip
    rows = b"".join(f"{w.a.product.sku},2026-11-{1 + i % 28:02d},1,199.00,tmall,,OUT-{i}\n".encode()
                    for i in range(26_000))  # fmt: skip
    content = b"product,sold_on,quantity,unit_price,channel,distributor,external_ref\n" + rows
    imported = Client(base, w.a.token).call("POST", IMPORT, data={"agreement": w.a.rs.pk},
                                            files={"file": ("big.csv", content)})  # fmt: skip
    web.stop()
    statement = Statement.objects.get(pk=draft.pk)
    run = StatementRun.objects.get(pk=started.json()["id"]) if started.status_code == 201 else None
    sales_import = SalesImport.objects.filter(
        pk=(imported.json() if is_json(imported) else {}).get("id")
    ).first()
    during = (f"issue {issued.status_code} ({statement.status}, PDF {bool(statement.pdf)}), "
              f"run {started.status_code} ({run and run.status} {run and run.done}/{run and run.total}), "
              f"import {imported.status_code} ({sales_import and sales_import.status}); "
              f"/healthz {health}")  # fmt: skip

    def finished() -> bool:
        return (
            bool(Statement.objects.get(pk=draft.pk).pdf)
            and run is not None and StatementRun.objects.get(pk=run.pk).status == "done"
            and sales_import is not None
            and SalesImport.objects.get(pk=sales_import.pk).status == "done"
        )  # fmt: skip

    seconds, sweeps = sweep_until_clean(finished)
    ok_during = (issued.status_code, started.status_code, imported.status_code) == (200, 201, 202)
    figure("broker down (web on a closed port): issue / run / 1.2 MB import, and /healthz",
           "issue 500 but committed; run 0/1 forever; /healthz 200", during,
           ok_during and statement.status == "issued" and health == 503)  # fmt: skip
    figure("  … after the sweeper with the broker back: PDF, run, import",
           "never", f"{'all done' if finished() else 'NOT done'} ({sweeps} sweeps, {seconds:.1f} s)",
           finished())  # fmt: skip
    figure("broker down: 5xx", "1 (the issue)", five_xx(SECTION[0]), not five_xx(SECTION[0]))


def fault_connections_killed(w: SimpleNamespace, base: str) -> None:
    from django.db import connection

    client = Client(base, w.a.token)
    paths = ["/api/v1/statements/", "/api/v1/agreements/", "/healthz"]
    race(3, lambda i: [client.call("GET", p) for p in paths])  # every worker holds a connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name, count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 1",
            [DB_NAME],
        )
        killed = ", ".join(f"{n} {name or 'other'}" for name, n in cursor.fetchall())
    answers = race(3, lambda i: [client.call("GET", p).status_code for p in paths * 10])
    codes = Counter(
        code for batch in answers for code in (batch if isinstance(batch, list) else [batch])
    )
    figure(f"database connections killed ({killed}), as a PostgreSQL restart does: "
           "5xx of the next 90 requests", "one 500 per web worker",
           f"{five_xx(SECTION[0])} ({dict(codes)})", not five_xx(SECTION[0]))  # fmt: skip


# --- main ------------------------------------------------------------------------------


def report(started: float) -> bool:
    width, before = (max(len(getattr(row, f)) for row in ROWS) for f in ("name", "before"))
    print(f"\n{'figure':<{width}} | {'issue 11 measured':<{before}} |      | now")
    for row in ROWS:
        mark = {True: "ok  ", False: "FAIL", None: "    "}[row.ok]
        print(f"{row.name:<{width}} | {row.before:<{before}} | {mark} | {row.now}")
    failed = [row.name for row in ROWS if row.ok is False]
    print(f"\n{len(ROWS)} figures, {len(failed)} failed, in {time.monotonic() - started:.0f} s")
    for line in FIVE_XX[:20]:
        print("5xx:", line)
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-hardening-"))
    servers, ok = Servers(tmp), False
    brokers = [redis.Redis(db=BROKER_DB), redis.Redis(db=CACHE_DB)]
    try:
        for db in brokers:
            db.flushdb()
        recreate_database()
        setup_django(tmp, servers.env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        world = build_world()
        print(f"setup: database and world in {time.monotonic() - started:.0f} s", flush=True)
        web, base = servers.web("web")
        worker = servers.start_worker()
        wait_http(f"{base}/healthz")
        quiesce(lambda: sum(stranded_counts().values()))
        left = sum(stranded_counts().values())
        figure("at the start, the world's PDFs and run done: stranded items", "—", left, left == 0)
        print(f"servers up at {base} after {time.monotonic() - started:.0f} s", flush=True)
        steps = [
            ("idempotency", lambda: attack_idempotency(world, base)),
            ("external refs", lambda: attack_external_refs(world, base)),
            ("API walls", lambda: attack_api_walls(world, base)),
            ("portal walls", lambda: attack_portal_walls(world, base)),
            ("admin walls", lambda: attack_admin_walls(world, base)),
            ("hostile input", lambda: attack_hostile(world, base)),
            ("brute force", lambda: attack_brute_force(world, base, web.log)),
            ("import bombs", lambda: attack_imports(world, base, web, worker)),
            ("worker killed", lambda: fault_worker_killed(world, base, servers)),
            ("broker down", lambda: fault_broker_down(world, servers)),
            ("connections killed", lambda: fault_connections_killed(world, base)),
        ]
        for name, step in steps:
            SECTION[0] = name
            print(f"{name} ({time.monotonic() - started:.0f} s)", flush=True)
            step()
        SECTION[0] = "end"
        left = sum(stranded_counts().values())
        health = requests.get(f"{base}/healthz", timeout=10).status_code
        figure("at the end: stranded items / /healthz", "—", f"{left} / {health}",
               left == 0 and health == 200)  # fmt: skip
        total = sum(five_xx(section) for section in STATUSES)
        logged = sum(log.read_text(errors="replace").count("Internal Server Error")
                     for log in tmp.glob("web*.log"))  # fmt: skip
        figure("all sections: 5xx answered / 500s in gunicorn's logs", "—", f"{total} / {logged}",
               total == 0 and logged == 0)  # fmt: skip
        failed = (tmp / "celery.log").read_text(errors="replace").count("raised unexpected")
        figure("all sections: Celery tasks failed (worker's log)", "—", failed, failed == 0)
        ok = report(started)
    finally:
        servers.stop_all()
        try:
            drop_database()
        except Exception as error:  # noqa: BLE001 - say so, and go on cleaning
            print(f"could not drop {DB_NAME}: {error}")
        finally:
            for db in brokers:
                db.flushdb()
            if ok and not args.keep_logs:
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                print(f"logs kept in {tmp}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
