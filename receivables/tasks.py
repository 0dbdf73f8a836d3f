"""Celery tasks of receivables: render a balance confirmation's PDF, and render any that
a broker outage or a killed worker left without one.

Thin wrappers that take ids and call the document functions; the same base and retries
as the statements' tasks (``common.jobs.Enqueueable``: a broker that is down is logged,
never a failed request).
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from common.jobs import Enqueueable

RETRY = {
    "base": Enqueueable,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}
BATCH = 200


@shared_task(**RETRY)
def balance_confirmation_pdf_task(confirmation_id: int) -> bool:
    """Render and keep a balance confirmation's PDF (returns False if already there)."""
    from receivables.documents import confirmation_pdf_store
    from receivables.models import BalanceConfirmation

    confirmation = BalanceConfirmation.objects.select_related("brand", "agency").get(
        pk=confirmation_id
    )
    return confirmation_pdf_store(confirmation)


@shared_task(base=Enqueueable)
def balance_confirmation_sweep_task() -> list[int]:
    """Queue again the PDF of every confirmation still without one after
    ``SWEEP_AFTER_MINUTES`` (idempotent: the render task returns early once done)."""
    from receivables.models import BalanceConfirmation

    cutoff = timezone.now() - timedelta(minutes=getattr(settings, "SWEEP_AFTER_MINUTES", 10))
    ids = list(
        BalanceConfirmation.objects.filter(Q(pdf="") | Q(pdf__isnull=True), created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        balance_confirmation_pdf_task.delay(pk)
    return ids
