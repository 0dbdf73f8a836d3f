"""Webhook subscriptions of an agency, the deliveries of each event, and every attempt.

A subscription belongs to one agency (tenant data: ``organization`` leads to it, see
``common.admin_helpers.tenant_path``). Each event it chose becomes one delivery, unique
per subscription and event id, whose exact body is stored so that every retry sends the
same bytes under the same id; each try is one attempt row (the delivery log).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookSubscription(models.Model):
    """Where an agency's events are posted: a JSON endpoint, or a 企业微信 / 钉钉 group robot."""

    class Format(models.TextChoices):
        JSON = "json", _("JSON, signed (X-Signature)")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    # Named "organization", not "agency": it is the tenant this row belongs to.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        limit_choices_to={"kind": "agency"},
        verbose_name=_("agency"),
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("What it is for, for your own lists.")
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(
        _("failed deliveries in a row"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(
        _("disabled after failures at"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name or self.url_shown

    @property
    def url_shown(self) -> str:
        """The URL without its query: a robot's key or token is never shown in lists,
        logs or e-mails."""
        return self.url.split("?", 1)[0].split("#", 1)[0]

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in (self.events or [])


class WebhookDelivery(models.Model):
    """One event for one subscription: sent, retried with backoff, delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    event_type = models.CharField(_("event type"), max_length=40)
    # The audit-trail event it came from (a plain id: the event is not this tenant's row).
    source_event = models.PositiveBigIntegerField(
        _("audit event id"), null=True, blank=True, db_index=True
    )
    body = models.TextField(_("body"))
    is_test = models.BooleanField(_("test event"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    # Who holds it: a worker claims a delivery for a short lease while it posts, so two
    # copies of the task never post it at once; the sweep re-queues it if the lease ends.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last response"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try of a delivery: what the receiver answered, or why it could not be reached."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("try"))
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    ok = models.BooleanField(_("delivered"), default=False)
    error = models.CharField(_("response or error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"
