"""Writing the audit trail: every state change calls ``event_record``."""

from typing import Any

from django.db import models

from common.models import Event


def event_record(
    *,
    action: str,
    obj: models.Model,
    actor: Any = None,
    agreement: Any = None,
    message: str = "",
    detail: dict[str, Any] | None = None,
) -> Event:
    """Store one event about ``obj``; ``actor`` None means the system (a scheduled job)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return Event.objects.create(
        action=action,
        actor=actor,
        agreement=agreement,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        message=message,
        detail=detail or {},
    )
