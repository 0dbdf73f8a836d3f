"""Webhooks: subscriptions, events into deliveries, and each try of a delivery.

- ``webhook_subscription_create`` / ``_update`` / ``_delete``: staff manage their agency's
  webhooks; the URL is checked (http(s), public addresses only: ``security``).
- ``events_fan_out`` is the audit trail's listener (registered in ``IntegrationsConfig``):
  after the commit of an event whose action a webhook type maps (``catalogue``), each
  active subscription of the object's agency that chose the type gets one delivery
  (unique per subscription and event id, so a repeat creates nothing) and its task is
  queued.
- ``webhook_delivery_attempt`` makes one try (the task runs it): claimed under a short
  lease so two copies never post at once, logged as a ``WebhookAttempt``; a failure is
  retried after ``BACKOFF`` under the same event id, up to ``MAX_TRIES``; a robot's HTTP
  200 with ``errcode`` ≠ 0 is a failure. ``DISABLE_AFTER`` deliveries failed in a row
  disable the subscription and e-mail the agency's staff.
- ``webhook_deliveries_dispatch`` (every minute, beat or the in-process schedule) queues
  the tries that are due and any whose task was lost, and makes the deliveries of an
  event whose listener never ran (a process that died between the commit and the call).
"""

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from common.events import event_record
from common.jobs import ERROR_TEXT_LIMIT
from common.models import Event
from contracts.models import Agreement
from core.exceptions import RuleViolation
from integrations import formats, tasks, transport
from integrations import messages as msg
from integrations.catalogue import ACTION_TYPES, TEST_EVENT, WEBHOOK_EVENTS
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.notifications import webhook_disabled_notify
from integrations.payloads import Payload, payloads_for, ping_payload
from integrations.security import url_check

logger = logging.getLogger(__name__)

# Tries of one delivery: the first at once, then after each of these waits (seconds):
# 1 min, 5 min, 30 min, 2 h, 6 h. The last try is ~8.6 hours after the event.
BACKOFF = (60, 300, 1800, 7200, 21600)
MAX_TRIES = len(BACKOFF) + 1
# Deliveries failed in a row (each after all its tries) that disable a subscription.
DISABLE_AFTER = 10
# How long a worker holds a delivery while it posts: longer than the task may run (its
# hard time limit, tasks.LIMITS), so a slow try is never taken over while it still runs.
LEASE = timedelta(seconds=120)
# A delivery queued this long ago and still pending lost its task: queue it again.
REQUEUE_AFTER = timedelta(minutes=10)
# The dispatcher makes missing deliveries for events this recent (and at least a minute
# old, so the listener had its chance).
BACKFILL = timedelta(hours=1)
BATCH = 200
JSON_SECRET_MIN = 16
# Event ids are UUIDs derived from the audit event, so the listener and the dispatcher
# (or a repeat of either) name the same event alike.
EVENT_NAMESPACE = uuid.UUID("5b0f5a52-0b7e-4c53-9a39-6a0a4c1d1e13")


def now() -> Any:
    """The time (tests move it to reach a retry without sleeping)."""
    return timezone.now()


# --- subscriptions -------------------------------------------------------------------------


def webhook_events_clean(events: Any) -> list[str]:
    """The chosen event types, each known, once, in the catalogue's order."""
    if not isinstance(events, list | tuple) or not events:
        raise RuleViolation({"events": [msg.EVENTS_REQUIRED]})
    unknown = [str(e) for e in events if e not in WEBHOOK_EVENTS]
    if unknown:
        raise RuleViolation({"events": [msg.EVENT_UNKNOWN.format(event=unknown[0])]})
    return [event for event in WEBHOOK_EVENTS if event in events]


def webhook_subscription_clean(
    *, url: str, events: Any, format: str, secret: str
) -> tuple[str, list[str]]:
    """The URL and events as stored, or ``RuleViolation`` naming every field at fault."""
    errors: dict[str, list[str]] = {}
    cleaned_events: list[str] = []
    try:
        url_check(url)
    except RuleViolation as refused:
        errors.update(refused.errors)
    try:
        cleaned_events = webhook_events_clean(events)
    except RuleViolation as refused:
        errors.update(refused.errors)
    if format == WebhookSubscription.Format.JSON and len(secret or "") < JSON_SECRET_MIN:
        errors["secret"] = [msg.SECRET_REQUIRED]
    if errors:
        raise RuleViolation(errors)
    return url.strip(), cleaned_events


def _agency_check(organization: Any) -> None:
    if organization is None:
        raise RuleViolation({"agency": [msg.AGENCY_REQUIRED]})
    if organization.kind != "agency":
        raise RuleViolation({"agency": [msg.AGENCY_NOT_AGENCY]})


@transaction.atomic
def webhook_subscription_create(
    *,
    organization: Any,
    url: str,
    events: Any,
    format: str,
    secret: str = "",
    name: str = "",
    active: bool = True,
    by: Any = None,
) -> WebhookSubscription:
    """A new webhook of ``organization`` (an agency)."""
    _agency_check(organization)
    secret = (secret or "").strip()
    url, events = webhook_subscription_clean(url=url, events=events, format=format, secret=secret)
    subscription = WebhookSubscription.objects.create(
        organization=organization,
        name=(name or "").strip(),
        url=url,
        events=events,
        format=format,
        secret=secret,
        active=active,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    event_record(
        action="webhook.created",
        obj=subscription,
        actor=by,
        detail={"format": format, "events": events, "agency": organization.pk},
    )
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, by: Any = None, **changes: Any
) -> WebhookSubscription:
    """Change a webhook. ``secret`` absent (or None) keeps the stored one. Turning a
    webhook back on clears its failure count."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if "organization" in changes and changes["organization"] != subscription.organization:
        raise RuleViolation({"agency": [msg.AGENCY_FIXED]})
    secret = changes.get("secret")
    secret = subscription.secret if secret is None else secret.strip()
    url, events = webhook_subscription_clean(
        url=changes.get("url", subscription.url),
        events=changes.get("events", subscription.events),
        format=changes.get("format", subscription.format),
        secret=secret,
    )
    changed = sorted(
        key
        for key in ("name", "url", "events", "format", "active", "secret")
        if key in changes and changes[key] is not None
    )
    was_active = subscription.active
    subscription.url, subscription.events, subscription.secret = url, events, secret
    subscription.format = changes.get("format", subscription.format)
    subscription.name = (changes.get("name", subscription.name) or "").strip()
    subscription.active = bool(changes.get("active", subscription.active))
    if subscription.active and not was_active:
        subscription.consecutive_failures = 0
        subscription.disabled_at = None
    subscription.save()
    # Which fields changed, never their values (a secret or a robot's key is in them).
    event_record(action="webhook.changed", obj=subscription, actor=by, detail={"fields": changed})
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, by: Any = None) -> None:
    event_record(
        action="webhook.deleted",
        obj=subscription,
        actor=by,
        detail={"agency": subscription.organization_id, "format": subscription.format},
    )
    subscription.delete()


# --- events into deliveries ---------------------------------------------------------------


def event_id_for(event: Event) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"{event.pk}:{event.at.isoformat()}")


def _created_at(event: Event) -> str:
    return timezone.localtime(event.at).isoformat()


def _queue(delivery_id: int) -> None:
    tasks.webhook_deliver_task.delay(delivery_id)


def _deliveries_make(
    *,
    subscriptions: Iterable[WebhookSubscription],
    payload: Payload,
    event_id: uuid.UUID,
    event_type: str,
    created_at: str,
    source_event: int | None,
) -> list[WebhookDelivery]:
    envelope = formats.envelope(
        event_id=event_id, event_type=event_type, created_at=created_at, data=payload.data
    )
    made = []
    current = now()
    for subscription in subscriptions:
        if subscription.organization_id != payload.agency_id:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    event_id=event_id,
                    event_type=event_type,
                    source_event=source_event,
                    body=formats.body_for(
                        subscription.format, event=envelope, notice=payload.notice
                    ),
                    next_attempt_at=current,
                    queued_at=current,
                )
        except IntegrityError:
            continue  # this subscription already has this event: a repeat
        transaction.on_commit(partial(_queue, delivery.pk))
        made.append(delivery)
    return made


def _agency_of(event: Event) -> int | None:
    if event.agreement_id is None:
        return None
    return (
        Agreement.objects.filter(pk=event.agreement_id).values_list("agency_id", flat=True).first()
    )


def events_fan_out(event: Event) -> list[WebhookDelivery]:
    """The deliveries of one recorded event (the audit trail's listener; idempotent)."""
    event_type = ACTION_TYPES.get(event.action)
    if event_type is None:
        return []
    wanted = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            active=True, created_at__lte=event.at
        )
        if subscription.wants(event_type)
    ]
    if event.agreement_id is not None and wanted:
        agency = _agency_of(event)
        wanted = [s for s in wanted if s.organization_id == agency]
    if not wanted:
        return []
    made = []
    for payload in payloads_for(event, event_type):
        made += _deliveries_make(
            subscriptions=wanted,
            payload=payload,
            event_id=event_id_for(event),
            event_type=event_type,
            created_at=_created_at(event),
            source_event=event.pk,
        )
    return made


def event_listener(event: Event) -> None:
    """What ``common.events`` calls after the commit: never fails the caller."""
    try:
        events_fan_out(event)
    except Exception:
        logger.exception("webhooks: event %s (%s) not fanned out", event.pk, event.action)


# --- one try -----------------------------------------------------------------------------


def _judge(format: str, answer: transport.Answer) -> tuple[bool, str]:
    """Whether a try delivered, and the text the log keeps (the answer, or the error)."""
    if answer.status is None:
        return False, answer.text
    if 300 <= answer.status < 400:
        return False, msg.REDIRECT_NOT_FOLLOWED.format(location=answer.location or "—")
    if not 200 <= answer.status < 300:
        return False, f"HTTP {answer.status}: {answer.text}"
    if format in (WebhookSubscription.Format.WECOM, WebhookSubscription.Format.DINGTALK):
        refusal = formats.robot_refusal(answer.text)
        if refusal is not None:
            return False, msg.ROBOT_ERROR.format(errcode=refusal[0], errmsg=refusal[1])
    return True, answer.text


def _try(delivery: WebhookDelivery, subscription: WebhookSubscription) -> WebhookAttempt:
    """Post the delivery once and log the try (the delivery's counters are updated, not
    saved)."""
    url, body, headers = formats.request_for(
        format=subscription.format,
        url=subscription.url,
        secret=subscription.secret,
        body=delivery.body,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        now_ms=int(time.time() * 1000),
    )
    started = now()
    answer = transport.post(url, body, headers)
    ok, text = _judge(subscription.format, answer)
    delivery.attempts += 1
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=started,
        status_code=answer.status,
        ok=ok,
        error="" if ok and not text else " ".join(text.split())[:ERROR_TEXT_LIMIT],
        duration_ms=answer.duration_ms,
    )
    delivery.last_status_code = answer.status
    delivery.last_error = attempt.error
    delivery.last_attempt_at = started
    if ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now()
    return attempt


def _claim(delivery_id: int) -> bool:
    current = now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=current,
            is_test=False,
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=current))
        .update(lease_until=current + LEASE)
    )


def _failed_in_a_row(subscription_id: int) -> None:
    """One more delivery failed after all its tries: count it; disable at DISABLE_AFTER."""
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        subscription.consecutive_failures += 1
        disable = subscription.active and subscription.consecutive_failures >= DISABLE_AFTER
        if disable:
            subscription.active = False
            subscription.disabled_at = now()
        subscription.save(update_fields=["consecutive_failures", "active", "disabled_at"])
        if disable:
            event_record(
                action="webhook.disabled",
                obj=subscription,
                detail={"failed_in_a_row": subscription.consecutive_failures},
            )
            transaction.on_commit(
                partial(webhook_disabled_notify, subscription=subscription), robust=True
            )


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """One try of a pending delivery that is due (else nothing: a repeat, or too early)."""
    if not _claim(delivery_id):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.active:
        delivery.status = WebhookDelivery.Status.CANCELLED
        delivery.last_error = msg.SUBSCRIPTION_INACTIVE
        delivery.lease_until = None
        delivery.save()
        return delivery.status
    attempt = _try(delivery, subscription)
    delivery.lease_until = None
    if attempt.ok:
        WebhookSubscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
    elif delivery.attempts >= MAX_TRIES:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = attempt.at + timedelta(seconds=BACKOFF[delivery.attempts - 1])
        delivery.queued_at = None  # the dispatcher queues it when it is due
    delivery.save()
    if delivery.status == WebhookDelivery.Status.FAILED:
        _failed_in_a_row(subscription.pk)
    return delivery.status


def webhook_test_send(*, subscription: WebhookSubscription, by: Any = None) -> WebhookAttempt:
    """Send a test event to ``subscription`` now, once (even if it is inactive); logged
    like any delivery, never retried, never counted towards disabling it."""
    payload = ping_payload(subscription)
    event_id = uuid.uuid4()
    envelope = formats.envelope(
        event_id=event_id,
        event_type=TEST_EVENT,
        created_at=timezone.localtime(now()).isoformat(),
        data=payload.data,
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_id=event_id,
        event_type=TEST_EVENT,
        body=formats.body_for(subscription.format, event=envelope, notice=payload.notice),
        is_test=True,
    )
    attempt = _try(delivery, subscription)
    if not attempt.ok:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    return attempt


# --- the dispatcher -------------------------------------------------------------------------


def _backfill(current: Any) -> int:
    """Deliveries of recent events whose listener never ran: events of the types and
    agencies some active webhook wants, with no delivery yet."""
    subscriptions = list(WebhookSubscription.objects.filter(active=True))
    wanted_types = {event_type for s in subscriptions for event_type in s.events or []}
    actions = [action for action, event_type in ACTION_TYPES.items() if event_type in wanted_types]
    if not actions:
        return 0
    agencies = {s.organization_id for s in subscriptions}
    candidates = list(
        Event.objects.filter(
            action__in=actions,
            at__gte=current - BACKFILL,
            at__lte=current - timedelta(minutes=1),
        )
        .filter(Q(agreement__isnull=True) | Q(agreement__agency_id__in=agencies))
        .order_by("-at", "-pk")[:BATCH]
    )
    made_for = set(
        WebhookDelivery.objects.filter(
            source_event__in=[event.pk for event in candidates]
        ).values_list("source_event", flat=True)
    )
    made = 0
    for event in candidates:
        if event.pk in made_for:
            continue
        try:
            made += len(events_fan_out(event))
        except Exception:
            logger.exception("webhooks: event %s not fanned out by the dispatcher", event.pk)
    return made


def webhook_deliveries_dispatch() -> dict[str, int]:
    """Queue the tries that are due, again those whose task was lost, and make missing
    deliveries of recent events. Idempotent: a try is claimed before it posts."""
    current = now()
    made = _backfill(current)
    due = (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, is_test=False, next_attempt_at__lte=current
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=current))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=current - REQUEUE_AFTER))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    queued = 0
    for delivery_id in list(due):
        WebhookDelivery.objects.filter(pk=delivery_id).update(queued_at=current)
        try:
            _queue(delivery_id)
        except Exception:
            logger.exception("webhooks: delivery %s not queued", delivery_id)
            continue
        queued += 1
    return {"made": made, "queued": queued}
