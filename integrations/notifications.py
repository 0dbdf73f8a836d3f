"""The e-mail to an agency's staff when one of its webhooks was disabled after failing.

Bilingual (中文 first, then English) like the product's other e-mails
(``settlements.notifications``), with the link to the webhook's admin page.
"""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.models import User
from integrations import messages as msg
from integrations.payloads import admin_url


def agency_staff_recipients(organization: Any) -> list[str]:
    emails = (
        User.objects.filter(
            organization_id=organization.pk, is_active=True, role=User.Role.AGENCY_STAFF
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    recipients = set(emails)
    if getattr(organization, "contact_email", ""):
        recipients.add(organization.contact_email)
    return sorted(recipients)


def webhook_disabled_notify(*, subscription: Any) -> int:
    """Tell the agency's staff that ``subscription`` stopped after failing in a row."""
    recipients = agency_staff_recipients(subscription.organization)
    if not recipients:
        return 0
    last = subscription.deliveries.exclude(last_error="").order_by("-last_attempt_at").first()
    body = render_to_string(
        "emails/webhook_disabled.txt",
        {
            "subscription": subscription,
            "failures": subscription.consecutive_failures,
            "last_error": last.last_error if last else "",
            "url": admin_url("admin:integrations_webhooksubscription_change", subscription.pk),
        },
    )
    return send_mail(
        msg.DISABLED_SUBJECT.format(name=subscription),
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
