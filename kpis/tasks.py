"""Background jobs of the kpis app: thin wrappers that load rows and call a service.

``kpis.imports`` enqueues these (it imports this module at its top), so each task
imports the service it runs inside its function.
"""

from celery import shared_task

from kpis.models import SalesImport


@shared_task(acks_late=True)
def sales_import_task(import_id: int) -> str | None:
    """Run one uploaded sales import; safe to run again (see ``sales_import_run``)."""
    from kpis.imports import sales_import_run

    sales_import = SalesImport.objects.select_related("agreement").filter(pk=import_id).first()
    if sales_import is None:
        return None
    return sales_import_run(sales_import=sales_import).status
