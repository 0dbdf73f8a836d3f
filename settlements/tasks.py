"""Celery tasks: thin wrappers that take ids, load rows and call services.

The services enqueue these (``settlements.services`` imports this module at its top),
so each task imports the service it runs inside its function: this module never
imports ``settlements.services`` while it is itself being imported.
"""

import gc
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init, worker_process_shutdown
from django.db import OperationalError

from common import clock
from common.jobs import Enqueueable
from core.periods import Period
from settlements import pdf
from settlements.documents import statement_pdf_store
from settlements.models import Statement
from settlements.notifications import statement_issued_notify

logger = logging.getLogger(__name__)

# Every task's limits: CELERY_TASK_TIME_LIMIT / _SOFT_TIME_LIMIT by default (settings);
# the daily job and the month-end item get the larger ones LONG names.
RETRY = {
    "base": Enqueueable,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}
LONG = {"time_limit": 1800, "soft_time_limit": 1740}


@shared_task(**RETRY, **LONG)
def statement_run_item_task(item_id: int) -> None:
    """One agreement of a month-end run (idempotent: a redelivered task does nothing)."""
    from settlements.services import statement_run_item_process

    statement_run_item_process(item_id=item_id)


@shared_task(**RETRY, **LONG)
def statement_run_batch_task(item_ids: list[int]) -> None:
    """A batch of a month-end run's agreements, in one transaction (idempotent: the
    items already settled are skipped, so a redelivered batch creates nothing twice)."""
    from settlements.services import statement_run_batch_process

    statement_run_batch_process(item_ids=item_ids)


@shared_task(**RETRY, **LONG)
def statement_run_issue_task(item_ids: list[int]) -> int:
    """Issue a batch of a month-end run's drafts, in one transaction (idempotent: the
    items already issued or refused are skipped, so a redelivered batch issues nothing
    twice)."""
    from settlements.services import statement_run_issue_batch

    return statement_run_issue_batch(item_ids=item_ids)


@shared_task(**RETRY, **LONG)
def statement_pdfs_task(statement_ids: list[int]) -> int:
    """Render and keep the PDFs of a batch of issued statements (each skipped if done).

    One that fails is logged and left to the sweeper; the others are still rendered."""
    rendered = 0
    for statement in Statement.objects.filter(pk__in=statement_ids).select_related("agreement"):
        if statement.status == Statement.Status.DRAFT:
            continue
        try:
            rendered += statement_pdf_store(statement)
        except OperationalError:
            raise  # the database: retry the batch (what is stored is skipped)
        except Exception:
            logger.exception("PDF of statement %s failed; the sweeper will retry", statement.pk)
    return rendered


@shared_task(**RETRY)
def statement_pdf_task(statement_id: int) -> bool:
    """Render and keep the PDF of an issued statement version (returns early if done)."""
    statement = Statement.objects.select_related("agreement").get(pk=statement_id)
    if statement.status == Statement.Status.DRAFT:
        return False
    return statement_pdf_store(statement)


@shared_task(**RETRY)
def statement_issued_notify_task(statement_id: int) -> int:
    """E-mail the brand's users that a statement, bill or notice was issued."""
    statement = Statement.objects.select_related("agreement__brand").get(pk=statement_id)
    return statement_issued_notify(statement=statement) or 0


@shared_task(**RETRY)
def statements_issued_notify_task(statement_ids: list[int]) -> int:
    """The "new statement" e-mails of a batch issued together."""
    return sum(
        statement_issued_notify(statement=statement) or 0
        for statement in Statement.objects.filter(pk__in=statement_ids).select_related(
            "agreement__brand"
        )
    )


@shared_task(**RETRY, **LONG)
def daily_task() -> int:
    """The scheduled daily job, up to today (Celery beat, or the embedded scheduler)."""
    from settlements.services import daily_run

    return daily_run().pk


@shared_task(**RETRY, **LONG)
def daily_run_task(run_id: int) -> str:
    """A daily run started from the admin or the API (a redelivered task does nothing)."""
    from settlements.models import DailyRun
    from settlements.services import daily_run_execute

    return daily_run_execute(run=DailyRun.objects.get(pk=run_id)).status


@shared_task(**RETRY)
def month_end_task() -> int | None:
    """On the 1st: start the month-end run for the month that just closed, once (the
    embedded scheduler also calls it at start-up, to catch up)."""
    from settlements.models import StatementRun
    from settlements.services import statement_run_start

    period = Period.of(clock.today()).previous()
    if StatementRun.objects.filter(period=str(period), agreement=None).exists():
        return None  # already run for this month (by the schedule, or by staff)
    run = statement_run_start(period=str(period), by=None)
    return run.pk


@shared_task(base=Enqueueable)
def sweep_task() -> dict[str, Any]:
    """Every few minutes: queue again what a broker outage or a killed worker left
    stranded (``settlements.services.sweep``); idempotent."""
    from settlements.services import sweep

    return sweep()


@worker_process_init.connect
def _warm_pdf_engine(**_: object) -> None:
    """Load fonts once per worker process; later renders reuse them (PDF-NOTES)."""
    pdf.warm_up()
    gc.freeze()


@worker_process_shutdown.connect
def _cleanup_pdf_engine(**_: object) -> None:
    pdf.cleanup()
