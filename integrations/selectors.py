"""Reads of the webhooks: whose subscriptions a user may see, and their delivery log.

Webhooks are an agency's configuration: a superuser sees every agency's, agency staff
their own agency's, anybody else (brand users) none.
"""

from typing import Any

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _agency_of(user: Any) -> int | None | bool:
    """True for a superuser (everything), the agency's id for its staff, else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return True
    if getattr(user, "is_agency_staff", False):
        return int(user.organization_id)
    return None


def subscriptions_for(user: Any) -> Any:
    agency = _agency_of(user)
    queryset = WebhookSubscription.objects.select_related("organization")
    if agency is True:
        return queryset
    if agency is None:
        return queryset.none()
    return queryset.filter(organization_id=agency)


def deliveries_for(user: Any) -> Any:
    return WebhookDelivery.objects.filter(subscription__in=subscriptions_for(user))


def attempts_of(subscription: WebhookSubscription) -> Any:
    """The delivery log of one webhook, newest first: one row per try."""
    return (
        WebhookAttempt.objects.filter(delivery__subscription=subscription)
        .select_related("delivery")
        .order_by("-at", "-pk")
    )
