"""E-mails to brand users: new statements, reminders, overdue notices, flags."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail

from accounts.models import User

SUBJECTS = {
    "statement_late": "对账单逾期未出具 / Statement not issued on time",
    "brand_termination_right": "催缴后仍未出具对账单 / Statement still missing after your demand",
    "receipt_overdue": "对账单回执已视为确认 / Statement deemed confirmed",
    "payment_overdue": "付款已逾期 / Payment overdue",
    "agency_termination_right": "付款逾期超过 15 天 / Payment more than 15 days overdue",
}


def brand_recipients(agreement: Any) -> list[str]:
    emails = (
        User.objects.filter(
            organization_id=agreement.brand_id,
            is_active=True,
            role__in=[User.Role.BRAND_FINANCE, User.Role.BRAND_VIEWER],
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    recipients = set(emails)
    if agreement.brand.contact_email:
        recipients.add(agreement.brand.contact_email)
    return sorted(recipients)


def flag_notify(flag: Any) -> int:
    """Tell the brand's users about a flag the daily job saw for the first time."""
    subject = SUBJECTS.get(flag.name)
    recipients = brand_recipients(flag.agreement)
    if subject is None or not recipients:
        return 0
    what = flag.statement.number if flag.statement else flag.period
    body = (
        f"{flag.agreement.number} {flag.agreement.title}\n{what}\n\n{subject}\n"
        f"{', '.join(f'{k}: {v}' for k, v in flag.detail.items())}\n"
    )
    return send_mass_mail(
        [(f"[{flag.agreement.number}] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)],
        fail_silently=False,
    )
