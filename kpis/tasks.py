"""Background jobs of the kpis app: thin wrappers that load rows and call a service.

``kpis.imports`` enqueues these (it imports this module at its top), so each task
imports the service it runs inside its function.
"""

from celery import shared_task

from common.jobs import Enqueueable
from kpis.models import SalesImport

# An import streams a whole file three times: it gets more time than the default task.
IMPORT_LIMITS = {"time_limit": 1800, "soft_time_limit": 1740}


# A run of an import holds this cache key (shared Redis with a broker) while it works, so a
# second delivery of the same import (the sweeper's, or the broker's) never runs beside it.
# A killed worker leaves the key until it expires, a little after the time limit.
RUNNING_KEY = "kpis:sales-import:{id}:running"
INTERRUPTED_KEY = "kpis:sales-import:{id}:interrupted"
INTERRUPTIONS_ALLOWED = 1  # the second interrupted attempt marks the import failed
INTERRUPTED = "处理此文件的进程两次中途停止（被终止或超时）/ the worker processing this file stopped twice (killed or out of time)"


@shared_task(base=Enqueueable, acks_late=True, **IMPORT_LIMITS)
def sales_import_task(import_id: int) -> str | None:
    """Run one uploaded sales import; safe to run again (see ``sales_import_run``).

    An import found validating or importing when its task starts was interrupted (the
    worker was killed or ran out of time): it runs again once; the second time it is
    marked failed, so a file that kills workers is not retried forever.
    """
    from django.core.cache import cache

    from kpis.imports import sales_import_run

    sales_import = SalesImport.objects.select_related("agreement").filter(pk=import_id).first()
    if sales_import is None:
        return None
    running = RUNNING_KEY.format(id=import_id)
    if not cache.add(running, 1, timeout=IMPORT_LIMITS["time_limit"] + 60):
        return "busy"  # another delivery is running it now
    try:
        if sales_import.status in (SalesImport.Status.VALIDATING, SalesImport.Status.IMPORTING):
            key = INTERRUPTED_KEY.format(id=import_id)
            cache.add(key, 0, timeout=7 * 24 * 3600)
            if cache.incr(key) > INTERRUPTIONS_ALLOWED:
                return sales_import_interrupted(sales_import).status
        return sales_import_run(sales_import=sales_import).status
    finally:
        cache.delete(running)


def sales_import_interrupted(sales_import: SalesImport) -> SalesImport:
    """Mark an import that workers never finished as failed (nothing of it was written:
    its lines are created in one transaction)."""
    from django.utils import timezone

    from kpis.imports import IMPORT_FAILED, ErrorLog

    failure = ErrorLog()
    failure.add(None, None, IMPORT_FAILED.format(error=INTERRUPTED))
    SalesImport.objects.filter(pk=sales_import.pk).update(
        status=SalesImport.Status.FAILED,
        errors=failure.as_json(),
        rows_created=0,
        rows_duplicate=0,
        finished_at=timezone.now(),
    )
    sales_import.refresh_from_db()
    return sales_import
