"""A real Celery worker killed in the middle of a task (PostgreSQL and Redis; runs in CI).

The attack in issue 11 killed a worker mid-run: the run stayed "running" at 299/300 and
2 of 100 PDFs were missing, with nothing to queue them again. Here a worker process is
started from ``tests/faults/worker_app.py`` against the test database, made to hold one
task (the test keeps that row locked from its own connection), and killed with SIGKILL:

- only its pool process: late acknowledgement with ``reject_on_worker_lost`` puts the
  message back at once and the worker's next process settles the item, once;
- the whole worker: the message waits in Redis's unacknowledged set for the visibility
  timeout. ``/healthz``'s stranded check reports the item, the sweeper queues it again,
  and the visibility timeout's own redelivery, when it comes, changes nothing.

The test blocks on the worker's reports (a Redis list, ``BLPOP``), never on the clock.
"""

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import redis
from django.db import connection

from kpis.services import sale_line_record
from settlements import services
from settlements.models import Statement, StatementRun, StatementRunItem
from settlements.services import sweeper
from tests import factories as f

BROKER = os.environ.get("CELERY_BROKER_URL", "")
DATABASE = os.environ.get("DATABASE_URL", "")
ROOT = Path(__file__).resolve().parents[2]
WAIT = 90  # seconds a report may take before the test gives up (a hung worker)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not (BROKER.startswith("redis://") and DATABASE.startswith("postgres")),
        reason="needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL; set by .ci/run)",
    ),
]


class Worker:
    """One ``celery worker`` process group, with the reports it pushes."""

    def __init__(self, reports, log):
        self.reports = reports
        self.key = reports.key
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "FAULT_TEST_DB": connection.settings_dict["NAME"],
            "FAULT_TEST_MEDIA": os.environ["FAULT_TEST_MEDIA"],
            "FAULT_TEST_REDIS": BROKER,
            "FAULT_TEST_KEY": self.key,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.faults.worker_app",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=fault-{uuid.uuid4().hex[:8]}@%h",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = log
        self.reports.wait(lambda r: r["phase"] == "ready", what="the worker to start")

    def kill(self):
        """SIGKILL the worker and its pool processes: no shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)


class Reports:
    """The worker's reports, read in order from the Redis list it pushes to."""

    def __init__(self, log_path):
        self.redis = redis.Redis.from_url(BROKER)
        self.key = f"fault-test:{uuid.uuid4().hex}"
        self.log_path = log_path
        self.seen = []

    def wait(self, match, what):
        """Block until a report matches; returns it (earlier ones are kept in ``seen``)."""
        while True:
            popped = self.redis.blpop([self.key], timeout=WAIT)
            if popped is None:
                log = self.log_path.read_text(errors="replace")[-4000:]
                pytest.fail(f"no report of {what} within {WAIT} s; worker log:\n{log}")
            report = json.loads(popped[1])
            self.seen.append(report)
            if match(report):
                return report

    def wait_all_done(self, task, ids, what):
        """Block until each id has a finished ``task`` reported after this call."""
        waiting = set(ids)
        while waiting:
            report = self.wait(
                lambda r: r["phase"] == "post" and r["task"] == task and r["args"][0] in waiting,
                what=f"{what} {sorted(waiting)}",
            )
            waiting.discard(report["args"][0])

    def starts(self, task, pk):
        return sum(
            1 for r in self.seen if r["phase"] == "pre" and r["task"] == task and r["args"] == [pk]
        )


@contextlib.contextmanager
def row_locked(table, pk):
    """Hold a row lock from a connection of our own, so the worker's task waits on it."""
    lock = psycopg2.connect(
        **{
            k: v
            for k, v in {
                "dbname": connection.settings_dict["NAME"],
                "user": connection.settings_dict["USER"],
                "host": connection.settings_dict["HOST"],
                "port": connection.settings_dict["PORT"],
                "password": connection.settings_dict["PASSWORD"],
            }.items()
            if v
        }
    )
    try:
        with lock.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])
            assert cursor.fetchone() == (pk,)
            yield
    finally:
        lock.rollback()
        lock.close()


@pytest.fixture
def harness(transactional_db, settings, tmp_path):
    """A broker-backed Celery app in this process and a way to start real workers.

    Every worker started is killed at the end, before the test database is flushed."""
    from config.celery import app

    settings.SWEEP_AFTER_MINUTES = 0  # the sweeper treats anything not done as stranded
    os.environ["FAULT_TEST_MEDIA"] = settings.MEDIA_ROOT
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=BROKER)
    reports_redis = redis.Redis.from_url(BROKER)
    # A clean broker: nothing queued, and nothing a dead consumer left unacknowledged
    # (kombu would hand that out again when a worker starts).
    app.control.purge()
    reports_redis.delete("unacked", "unacked_index")
    log = (tmp_path / "worker.log").open("ab")
    reports = Reports(tmp_path / "worker.log")
    workers = []

    def start():
        workers.append(Worker(reports, log))
        return workers[-1]

    yield app, reports, start
    for worker in workers:
        worker.kill()
    app.control.purge()
    reports.redis.delete(reports.key, "unacked", "unacked_index")
    app.conf.update(saved)
    log.close()


def _month(n):
    """n revenue-share agreements with August sales, and the August run's items, in order."""
    for i in range(n):
        agreement = f.agreement("revenue_share", activate=True)
        f.product(agreement.brand, sku="SKU-1", factory_price=Decimal("80.00"))
        sale_line_record(
            agreement=agreement,
            by=None,
            data={
                "product": "SKU-1",
                "sold_on": "2026-08-05",
                "quantity": 10 + i,
                "unit_price": "199.00",
                "channel": "tmall",
                "external_ref": f"W-{i}",
            },
        )
    run = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    return run, list(run.items.order_by("pk").values_list("pk", flat=True))


def _settled_once(run, n):
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.created, run.failed) == (
        StatementRun.Status.DONE,
        n,
        n,
        n,
        0,
    )
    per_agreement = Statement.objects.filter(kind="monthly", period="2026-08")
    assert per_agreement.count() == n
    assert per_agreement.values("agreement").distinct().count() == n
    assert not StatementRunItem.objects.exclude(status=StatementRunItem.Status.DONE).exists()


def _unacked(reports, task, pk):
    """The messages Redis holds for a dead consumer until the visibility timeout."""
    found = []
    for tag, raw in reports.redis.hgetall("unacked").items():
        message = json.loads(raw)[0]
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"]["task"] == task and args == [pk]:
            found.append(tag)
    return found


ITEM_TASK = "settlements.tasks.statement_run_item_task"
PDF_TASK = "settlements.tasks.statement_pdf_task"


def test_a_pool_process_killed_mid_item_is_redelivered_at_once_and_settles_once(harness):
    from settlements.tasks import statement_run_item_task

    app, reports, start = harness
    run, items = _month(3)
    victim = items[1]
    with row_locked("settlements_statementrunitem", victim):
        start()
        for pk in items:
            statement_run_item_task.delay(pk)
        started = reports.wait(
            lambda r: r["phase"] == "pre" and r["task"] == ITEM_TASK and r["args"] == [victim],
            what="the victim's start",
        )
        os.kill(started["pid"], signal.SIGKILL)  # the pool process, mid-task
    reports.wait_all_done(ITEM_TASK, items[1:], what="the items")

    # The killed delivery was rejected and handed out again at once: two starts, one result.
    assert reports.starts(ITEM_TASK, victim) == 2
    _settled_once(run, 3)


def test_a_whole_worker_killed_mid_run_leaves_nothing_stranded_after_the_sweeper(harness):
    from settlements.tasks import statement_run_item_task

    app, reports, start = harness
    run, items = _month(3)
    victim = items[1]
    with row_locked("settlements_statementrunitem", victim):
        first = start()
        for pk in items:
            statement_run_item_task.delay(pk)
        reports.wait(
            lambda r: r["phase"] == "pre" and r["task"] == ITEM_TASK and r["args"] == [victim],
            what="the victim's start",
        )
        first.kill()
    # Its message waits in Redis's unacknowledged set until the visibility timeout.
    held = _unacked(reports, ITEM_TASK, victim)
    assert len(held) == 1

    start()
    # Whatever was still queued is settled by the new worker; the victim is stranded.
    for pk in items:
        if pk != victim and StatementRunItem.objects.get(pk=pk).status == "pending":
            reports.wait_all_done(ITEM_TASK, [pk], what="the queued item")
    run.refresh_from_db()
    assert run.status == StatementRun.Status.RUNNING
    assert run.done == 2
    assert sweeper.stranded()["run_items_pending"]["count"] == 1

    queued = sweeper.sweep()["run_items"]
    assert queued == [victim]
    reports.wait_all_done(ITEM_TASK, [victim], what="the swept item")
    _settled_once(run, 3)
    assert sweeper.stranded()["run_items_pending"]["count"] == 0

    # The visibility timeout passes: kombu's restore hands the dead worker's message out
    # again (``restore_visible`` restores each expired tag this way). It finds the item done.
    with app.connection_for_write() as conn:
        conn.default_channel.qos.restore_by_tag(held[0])
    reports.wait_all_done(ITEM_TASK, [victim], what="the redelivered item")
    assert reports.starts(ITEM_TASK, victim) == 3
    _settled_once(run, 3)


def test_a_worker_killed_while_rendering_pdfs_leaves_none_missing_after_the_sweeper(harness):
    app, reports, start = harness
    run, items = _month(3)
    for pk in items:
        services.statement_run_item_process(item_id=pk)
    statements = list(Statement.objects.filter(period="2026-08").order_by("pk"))
    for statement in statements:
        # Each issue queues its PDF (and the brand's e-mail) once it commits.
        services.statement_issue(statement=statement, by=None)
    victim = statements[1].pk
    with row_locked("settlements_statement", victim):
        first = start()
        reports.wait(
            lambda r: r["phase"] == "pre" and r["task"] == PDF_TASK and r["args"] == [victim],
            what="the victim's PDF start",
        )
        first.kill()
    start()
    others = [s.pk for s in statements if s.pk != victim]
    for pk in others:
        if not Statement.objects.get(pk=pk).pdf:
            reports.wait_all_done(PDF_TASK, [pk], what="the queued PDF")
    assert not Statement.objects.get(pk=victim).pdf
    assert sweeper.stranded()["statements_without_pdf"]["count"] == 1

    assert sweeper.sweep()["pdfs"] == [victim]
    reports.wait_all_done(PDF_TASK, [victim], what="the swept PDF")
    for statement in Statement.objects.filter(pk__in=[s.pk for s in statements]):
        assert statement.status == Statement.Status.ISSUED
        assert statement.pdf.open("rb").read(5) == b"%PDF-"
    assert sweeper.stranded()["statements_without_pdf"]["count"] == 0
