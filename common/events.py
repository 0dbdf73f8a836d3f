"""Writing the audit trail: every state change calls ``event_record``.

Apps above ``common`` may listen: ``event_listen(actions, listener)`` has ``listener``
called with each recorded ``Event`` of those actions once its transaction commits (never
for one rolled back), so ``common`` imports none of them. The webhooks
(``integrations``) listen this way.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction

from common.models import Event

logger = logging.getLogger(__name__)

EventListener = Callable[[Event], None]
# action → the listeners called after the commit of an event with that action.
EVENT_LISTENERS: dict[str, list[EventListener]] = {}


def event_listen(actions: Iterable[str], listener: EventListener) -> None:
    """Call ``listener(event)`` after the commit of every event of ``actions`` (once,
    however often this is called)."""
    for action in actions:
        listeners = EVENT_LISTENERS.setdefault(action, [])
        if listener not in listeners:
            listeners.append(listener)


def _tell(listeners: tuple[EventListener, ...], event: Event) -> None:
    for listener in listeners:
        try:
            listener(event)
        except Exception:  # a listener never fails the change that was committed
            logger.exception("event listener %r failed on event %s", listener, event.pk)


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
    event = Event.objects.create(
        action=action,
        actor=actor,
        agreement=agreement,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        message=message,
        detail=detail or {},
    )
    listeners = EVENT_LISTENERS.get(action)
    if listeners:
        transaction.on_commit(lambda: _tell(tuple(listeners), event))
    return event


def events_record_many(events: list[Event]) -> list[Event]:
    """Store many unsaved ``Event`` rows in one insert (a batch job's audit trail), with
    the same after-commit listeners as ``event_record``."""
    for event in events:
        if event.actor is not None and not getattr(event.actor, "is_authenticated", False):
            event.actor = None
    stored = Event.objects.bulk_create(events)
    for event in stored:
        listeners = EVENT_LISTENERS.get(event.action)
        if listeners:
            transaction.on_commit(lambda e=event, ls=tuple(listeners): _tell(ls, e))
    return stored
