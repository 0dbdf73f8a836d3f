"""E-mail about a breach notice: the other side is told when one is sent.

Bilingual (中文 first, then English) like the product's other e-mails. A notice the
agency sends goes to the brand's users and contact address, with a link to the notice in
the client portal; one the brand sends (or staff recorded for it) goes to the agency's
staff and contact address, with a link to the notice in the admin. Each sending is logged
on the notice (``notice.breach_notice_sent``), which also keeps a redelivered task from
sending it twice. The termination right that follows an uncured breach is e-mailed by
the daily job's flags (``settlements.notifications.flag_notify``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from common.events import event_record
from common.models import Event
from obligations.breach_documents import chinese_date
from obligations.models import BreachNotice, Side

SENT_EVENT = "notice.breach_notice_sent"
SENT_SUBJECT = "违约通知书 {number} / Breach notice {number}"


def side_recipients(notice: BreachNotice, side: str) -> list[str]:
    """The active users of one side of the notice's agreement who have an e-mail address,
    and that side's contact address."""
    agreement = notice.agreement
    organization = agreement.agency if side == Side.AGENCY else agreement.brand
    roles = (
        [User.Role.AGENCY_STAFF]
        if side == Side.AGENCY
        else [User.Role.BRAND_FINANCE, User.Role.BRAND_VIEWER]
    )
    emails = set(
        User.objects.filter(organization=organization, is_active=True, role__in=roles)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if organization.contact_email:
        emails.add(organization.contact_email)
    return sorted(emails)


def notice_url(notice: BreachNotice, side: str) -> str:
    """The notice's page for the side that reads it: the portal or the admin."""
    if side == Side.BRAND:
        base, path = settings.PORTAL_BASE_URL, reverse("portal:breach_notice", args=[notice.pk])
    else:
        base = settings.ADMIN_BASE_URL
        path = reverse("admin:obligations_breachnotice_change", args=[notice.pk])
    return base.rstrip("/") + path


def breach_notice_sent_notify(*, notice: BreachNotice) -> int:
    """E-mail the receiving side about a notice, once; returns the messages sent."""
    if Event.objects.filter(
        object_type="breachnotice", object_id=notice.pk, action=SENT_EVENT
    ).exists():
        return 0
    receiver = Side.BRAND if notice.by == Side.AGENCY else Side.AGENCY
    recipients = side_recipients(notice, receiver)
    if not recipients:
        return 0
    agreement = notice.agreement
    sender = agreement.agency if notice.by == Side.AGENCY else agreement.brand
    body = render_to_string(
        "emails/breach_notice_sent.txt",
        {
            "notice": notice,
            "agreement": agreement,
            "sender": sender,
            "receiver": agreement.brand if receiver == Side.BRAND else agreement.agency,
            "sent_on_zh": chinese_date(notice.sent_on),
            "cure_by_zh": chinese_date(notice.cure_by),
            "url": notice_url(notice, receiver),
            "dashboard_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:dashboard"),
        },
    )
    sent = send_mail(
        f"[{agreement.number}] {SENT_SUBJECT.format(number=notice.number)}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
    event_record(
        action=SENT_EVENT,
        obj=notice,
        agreement=agreement,
        detail={"to": receiver, "recipients": len(recipients)},
    )
    return sent
