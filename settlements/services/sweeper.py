"""The sweeper: queue again the work a broker outage or a killed worker left stranded.

Work is handed to workers after each commit. When the broker is down then (the task's
``delay`` logs and returns, see ``common.jobs.Enqueueable``), or a worker dies mid-task
and the message is lost, the rows say what is missing:

- an issued (or later) statement with no stored PDF;
- an issued statement whose "new statement" e-mail was never sent (the last
  ``OVERDUE_EVERY_DAYS`` days, as the daily job's catch-up);
- a month-end run item still pending; a run whose items are all done or failed but
  which still reads "running" is finished;
- a run item still waiting to be issued (the run's Issue button);
- a sales import still pending, validating or importing;
- a daily run still pending.

``sweep`` queues each again once it is older than ``SWEEP_AFTER_MINUTES`` (so work that
is merely waiting in the queue is not doubled often). Every task it queues is idempotent
and guarded (row locks, status checks, the import's running key), so a second delivery
does nothing. Work that stays stranded far longer than any task may run is given up:
run items are marked failed, items waiting to be issued are marked not issued, imports
are marked failed, after ``SWEEP_GIVE_UP_HOURS``.
``stranded`` reports what is left over, for ``/healthz``.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from common import clock
from common.models import Event
from kpis import tasks as kpi_tasks
from kpis.models import SalesImport
from settlements import tasks
from settlements.models import DailyRun, Statement, StatementRun, StatementRunItem
from settlements.notifications import ISSUED_EVENT, OVERDUE_EVERY_DAYS, brand_recipients
from settlements.services.bulk import ISSUE_BATCH
from settlements.services.run_issue import statement_run_issue_finish
from settlements.services.runs import statement_run_finish

logger = logging.getLogger(__name__)

BATCH = 200  # at most this many of each kind per sweep: a sweep stays short
IMPORT_ACTIVE = (
    SalesImport.Status.PENDING,
    SalesImport.Status.VALIDATING,
    SalesImport.Status.IMPORTING,
)
RUN_ITEM_GAVE_UP = "任务多次中断，未能生成 / the task was interrupted repeatedly; not generated"
ISSUE_GAVE_UP = "任务多次中断，未能出具 / the task was interrupted repeatedly; not issued"


def _after() -> timedelta:
    return timedelta(minutes=getattr(settings, "SWEEP_AFTER_MINUTES", 10))


def _give_up() -> timedelta:
    return timedelta(hours=getattr(settings, "SWEEP_GIVE_UP_HOURS", 6))


def _import_running_after() -> timedelta:
    """An import validating or importing is stranded only after its time limit."""
    return timedelta(seconds=kpi_tasks.IMPORT_LIMITS["time_limit"] + 300)


def _queue(task: Any, pk: Any) -> bool:
    """Queue one task (of one id, or a batch of ids); never let one failure (a broken row
    in-process) stop the sweep."""
    try:
        task.delay(pk)
    except Exception:
        logger.exception("sweeper: %s(%s) failed", task.name, pk)
        return False
    return True


def _statements_without_pdf(cutoff: datetime) -> Any:
    return Statement.objects.exclude(status=Statement.Status.DRAFT).filter(
        Q(pdf="") | Q(pdf__isnull=True), updated_at__lt=cutoff
    )


def _notices_unsent(cutoff: datetime) -> Any:
    noticed = Event.objects.filter(object_type="statement", action=ISSUED_EVENT).values("object_id")
    return (
        Statement.objects.open()
        .filter(
            issued_on__gte=clock.today() - timedelta(days=OVERDUE_EVERY_DAYS),
            updated_at__lt=cutoff,
        )
        .exclude(pk__in=noticed)
    )


def _pending_items(cutoff: datetime) -> Any:
    return StatementRunItem.objects.filter(
        status=StatementRunItem.Status.PENDING,
        run__status=StatementRun.Status.RUNNING,
        run__created_at__lt=cutoff,
    )


def _issue_waiting(cutoff: datetime) -> Any:
    """Run items waiting to be issued since before ``cutoff``."""
    return StatementRunItem.objects.filter(
        issue=StatementRunItem.Issue.PENDING, run__issue_started_at__lt=cutoff
    )


def _issue_requeue(now: datetime) -> list[int]:
    """Give up issue items waiting too long, finish those runs, queue the rest again."""
    stale_runs = set(
        _issue_waiting(now - _give_up()).values_list("run_id", flat=True).distinct()[:BATCH]
    )
    for run_id in stale_runs:
        StatementRunItem.objects.filter(run_id=run_id, issue=StatementRunItem.Issue.PENDING).update(
            issue=StatementRunItem.Issue.REFUSED, issue_error=ISSUE_GAVE_UP
        )
        statement_run_issue_finish(run_id=run_id)
    waiting = list(
        _issue_waiting(now - _after()).order_by("pk").values_list("pk", flat=True)[: BATCH * 5]
    )
    chunks = [waiting[i : i + ISSUE_BATCH] for i in range(0, len(waiting), ISSUE_BATCH)]
    return [pk for chunk in chunks if _queue(tasks.statement_run_issue_task, chunk) for pk in chunk]


def _imports_stranded(now: datetime) -> Any:
    return SalesImport.objects.filter(
        Q(status=SalesImport.Status.PENDING, created_at__lt=now - _after())
        | Q(
            status__in=(SalesImport.Status.VALIDATING, SalesImport.Status.IMPORTING),
            created_at__lt=now - _import_running_after(),
        )
    )


def _daily_runs_pending(cutoff: datetime) -> Any:
    return DailyRun.objects.filter(status=DailyRun.Status.PENDING, created_at__lt=cutoff)


def _runs_finish(now: datetime) -> list[int]:
    """Finish runs left "running": give up items pending too long, recount, finish."""
    finished = []
    for run in StatementRun.objects.filter(status=StatementRun.Status.RUNNING)[:BATCH]:
        if run.created_at < now - _give_up():
            with transaction.atomic():
                run.items.filter(status=StatementRunItem.Status.PENDING).update(
                    status=StatementRunItem.Status.FAILED, error=RUN_ITEM_GAVE_UP
                )
        counts = run.items.aggregate(
            pending=Count("pk", filter=Q(status=StatementRunItem.Status.PENDING)),
            done=Count("pk", filter=Q(status=StatementRunItem.Status.DONE)),
            failed=Count("pk", filter=Q(status=StatementRunItem.Status.FAILED)),
        )
        if counts["pending"]:
            continue
        # The counters follow the items (each item and its count commit together); this
        # only repairs a run whose items were given up above.
        StatementRun.objects.filter(pk=run.pk).update(done=counts["done"], failed=counts["failed"])
        statement_run_finish(run_id=run.pk)
        finished.append(run.pk)
    return finished


def _imports_give_up(now: datetime) -> list[int]:
    stale = SalesImport.objects.filter(
        status__in=IMPORT_ACTIVE, created_at__lt=now - _give_up()
    ).only("pk")[:BATCH]
    given_up = []
    for sales_import in stale:
        kpi_tasks.sales_import_interrupted(sales_import)
        given_up.append(sales_import.pk)
    return given_up


def sweep() -> dict[str, Any]:
    """Queue again whatever is stranded; returns the ids queued (or given up), per kind."""
    now = timezone.now()
    cutoff = now - _after()
    done: dict[str, Any] = {
        "runs_finished": _runs_finish(now),
        "imports_failed": _imports_give_up(now),
    }
    done["run_items"] = [
        pk
        for pk in _pending_items(cutoff).values_list("pk", flat=True)[:BATCH]
        if _queue(tasks.statement_run_item_task, pk)
    ]
    done["issue_items"] = _issue_requeue(now)
    done["pdfs"] = [
        pk
        for pk in _statements_without_pdf(cutoff)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:BATCH]
        if _queue(tasks.statement_pdf_task, pk)
    ]
    done["notices"] = [
        statement.pk
        for statement in _notices_unsent(cutoff).select_related("agreement__brand")[:BATCH]
        if brand_recipients(statement.agreement)
        and _queue(tasks.statement_issued_notify_task, statement.pk)
    ]
    done["imports"] = [
        pk
        for pk in _imports_stranded(now).values_list("pk", flat=True)[:BATCH]
        if _queue(kpi_tasks.sales_import_task, pk)
    ]
    done["daily_runs"] = [
        pk
        for pk in _daily_runs_pending(cutoff).values_list("pk", flat=True)[:BATCH]
        if _queue(tasks.daily_run_task, pk)
    ]
    if any(done.values()):
        logger.warning("sweeper: %s", done)
    return done


def stranded() -> dict[str, Any]:
    """What is stranded now and the age in seconds of the oldest of each kind (None when
    nothing is): the same tests as ``sweep``, read for ``/healthz``."""
    now = timezone.now()
    cutoff = now - _after()
    oldest = {
        "statements_without_pdf": _statements_without_pdf(cutoff).aggregate(
            at=Min("updated_at"), n=Count("pk")
        ),
        "run_items_pending": _pending_items(cutoff).aggregate(
            at=Min("run__created_at"), n=Count("pk")
        ),
        "issue_items_waiting": _issue_waiting(cutoff).aggregate(
            at=Min("run__issue_started_at"), n=Count("pk")
        ),
        "imports_unfinished": _imports_stranded(now).aggregate(at=Min("created_at"), n=Count("pk")),
        "daily_runs_pending": _daily_runs_pending(cutoff).aggregate(
            at=Min("created_at"), n=Count("pk")
        ),
    }
    return {
        kind: {
            "count": row["n"],
            "oldest_seconds": int((now - row["at"]).total_seconds()) if row["at"] else None,
        }
        for kind, row in oldest.items()
    }
