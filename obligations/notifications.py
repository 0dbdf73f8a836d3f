"""E-mails about obligations: a reminder to the side that owes one, before it falls due.

Like the statements' reminders (``settlements.notifications``): bilingual (中文 first),
sent by the daily job only on the day it runs for today, each logged as an event on the
obligation (``notice.obligation_reminder`` with its due date), so one is never sent twice
and a moved due date gets its own.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from common.events import event_record
from common.models import Event
from obligations.models import Obligation, Side

REMINDER_EVENT = "notice.obligation_reminder"
# The earliest a reminder may go out: this many days before the due date.
REMIND_DAYS_MAX = 366
REMINDER_SUBJECT = "义务即将到期：{title} / Obligation due soon: {title}"
APPROVAL_EVENT = "notice.approval_requested"
APPROVAL_SUBJECT = "请审批：{title} / Approval requested: {title}"
SIDE_ROLES = {
    Side.BRAND: (User.Role.BRAND_FINANCE, User.Role.BRAND_VIEWER),
    Side.AGENCY: (User.Role.AGENCY_STAFF,),
}


def side_recipients(agreement: Any, side: str) -> list[str]:
    """The active users of the side of ``agreement`` with an e-mail, and its contact."""
    organization = agreement.brand if side == Side.BRAND else agreement.agency
    emails = set(
        User.objects.filter(organization=organization, is_active=True, role__in=SIDE_ROLES[side])
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if organization.contact_email:
        emails.add(organization.contact_email)
    return sorted(emails)


def _link(obligation: Obligation) -> str:
    if obligation.owed_by == Side.BRAND:
        base, path = settings.PORTAL_BASE_URL, reverse("portal:obligations")
    else:
        base = settings.ADMIN_BASE_URL
        path = reverse("admin:obligations_obligation_change", args=[obligation.pk])
    return base.rstrip("/") + path


def obligation_reminder(*, obligation: Obligation, on: date) -> int:
    """Remind the owing side of an open obligation; once per obligation and due date."""
    if obligation.status != Obligation.Status.OPEN:
        return 0
    sent = Event.objects.filter(
        object_type="obligation",
        object_id=obligation.pk,
        action=REMINDER_EVENT,
        detail__due_on=obligation.due_on.isoformat(),
    )
    if sent.exists():
        return 0
    agreement = obligation.agreement
    recipients = side_recipients(agreement, obligation.owed_by)
    if not recipients:
        return 0
    due = obligation.due_on
    body = render_to_string(
        "emails/obligation_reminder.txt",
        {
            "obligation": obligation,
            "agreement": agreement,
            "due_zh": f"{due.year}年{due.month}月{due.day}日",
            "due_en": f"{due.day} {due:%B %Y}",
            "days_left": (due - on).days,
            "url": _link(obligation),
            "dashboard_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:dashboard"),
        },
    )
    count = send_mail(
        f"[{agreement.number}] {REMINDER_SUBJECT.format(title=obligation.title)}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
    event_record(
        action=REMINDER_EVENT,
        obj=obligation,
        agreement=agreement,
        detail={"to": len(recipients), "due_on": due.isoformat(), "side": obligation.owed_by},
    )
    return count


def obligation_reminders_send(*, on: date) -> list[str]:
    """Daily: every open obligation falling due within its ``remind_days`` from ``on``
    (and not yet reminded for that due date). Returns ``id:agreement number`` labels."""
    due = (
        Obligation.objects.filter(
            status=Obligation.Status.OPEN,
            due_on__gte=on,
            due_on__lte=on + timedelta(days=REMIND_DAYS_MAX),
        )
        .select_related("agreement__brand", "agreement__agency")
        .order_by("due_on", "pk")
    )
    sent = []
    for obligation in due:
        if (obligation.due_on - on).days > obligation.remind_days:
            continue
        if obligation_reminder(obligation=obligation, on=on):
            sent.append(f"obligation-{obligation.pk}:{obligation.agreement.number}")
    return sent


def approval_requested_notify(*, obligation: Obligation) -> int:
    """Tell the side asked that an approval waits for it, with the answer date. Once."""
    obligation = Obligation.objects.select_related("agreement__brand", "agreement__agency").get(
        pk=obligation.pk
    )
    if Event.objects.filter(
        object_type="obligation", object_id=obligation.pk, action=APPROVAL_EVENT
    ).exists():
        return 0
    agreement = obligation.agreement
    recipients = side_recipients(agreement, obligation.owed_by)
    if not recipients:
        return 0
    due = obligation.due_on
    body = render_to_string(
        "emails/approval_requested.txt",
        {
            "obligation": obligation,
            "agreement": agreement,
            "due_zh": f"{due.year}年{due.month}月{due.day}日",
            "due_en": f"{due.day} {due:%B %Y}",
            "url": _link(obligation),
            "dashboard_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:dashboard"),
        },
    )
    count = send_mail(
        f"[{agreement.number}] {APPROVAL_SUBJECT.format(title=obligation.title)}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=True,
    )
    event_record(
        action=APPROVAL_EVENT,
        obj=obligation,
        agreement=agreement,
        detail={"to": len(recipients), "due_on": due.isoformat(), "side": obligation.owed_by},
    )
    return count
