"""Celery tasks of the webhooks: one try of a delivery, and the every-minute dispatcher.

The services queue these (``integrations.services`` imports this module at its top), so
each task imports its service inside the function. Tries are not retried by Celery: a
failed try sets the delivery's next time (``services.BACKOFF``) and the dispatcher queues
it then. A long countdown would sit in Redis past its visibility timeout and be handed out
twice, and without a broker an eager retry would run at once.
"""

from celery import shared_task

from common.jobs import Enqueueable

# A try posts with a 5 s timeout; the limits only stop a task that hangs elsewhere.
LIMITS = {"time_limit": 60, "soft_time_limit": 50}


@shared_task(base=Enqueueable, **LIMITS)
def webhook_deliver_task(delivery_id: int) -> str:
    """One try of a delivery (a redelivered or early copy does nothing)."""
    from integrations.services import webhook_delivery_attempt

    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(base=Enqueueable, **LIMITS)
def webhook_dispatch_task() -> dict[str, int]:
    """Every minute: queue the tries that are due and those whose task was lost."""
    from integrations.services import webhook_deliveries_dispatch

    return webhook_deliveries_dispatch()
