"""Celery tasks of obligations: thin wrappers that take ids, load rows and call the
module that does the work (imported inside the task, so the services that enqueue
these never import themselves at load)."""

from celery import shared_task
from django.db import OperationalError

from common.jobs import Enqueueable

RETRY = {
    "base": Enqueueable,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**RETRY)
def breach_notice_pdf_task(notice_id: int) -> bool:
    """Render and keep a breach notice's PDF (returns early if it is already kept)."""
    from obligations.breach_documents import notice_pdf_store
    from obligations.models import BreachNotice

    notice = BreachNotice.objects.select_related(
        "agreement__agency", "agreement__brand", "obligation"
    ).get(pk=notice_id)
    return notice_pdf_store(notice)


@shared_task(**RETRY)
def breach_notice_sent_notify_task(notice_id: int) -> int:
    """E-mail the receiving side that a breach notice was sent (once)."""
    from obligations.breach_notifications import breach_notice_sent_notify
    from obligations.models import BreachNotice

    notice = BreachNotice.objects.select_related("agreement__agency", "agreement__brand").get(
        pk=notice_id
    )
    return breach_notice_sent_notify(notice=notice)
