"""E-mails to brand users: new statements, receipt and payment reminders, overdue notices
and flags. Each is bilingual (中文 first, then English) and links to the portal page.

Links are absolute, built from ``settings.PORTAL_BASE_URL``. Every e-mail about a
statement writes an event (``notice.*``) on it, which makes the reminders idempotent —
the daily job may run twice, or skip a day, and each reminder still goes out once — and
lets the brand read in the statement's history what was sent when.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from common.events import event_record
from common.models import Event
from common.templatetags.portal import money_text, period_text
from core.money import Payment, outstanding_at_start_of
from settlements.models import Statement
from settlements.selectors import amount_paid, statement_penalty, termination_overdue_days

SUBJECTS = {
    "statement_late": "对账单逾期未出具 / Statement not issued on time",
    "brand_termination_right": "催缴后仍未出具对账单 / Statement still missing after your demand",
    "receipt_overdue": "对账单回执已视为确认 / Statement deemed confirmed",
    # {days}: the agreement's own terms (termination_overdue_days), never a fixed number.
    "agency_termination_right": "付款逾期超过 {days} 天 / Payment more than {days} days overdue",
    "breach_termination_right": (
        "违约通知 {notice} 逾期未纠正，发送方有权解除合同 "
        "/ Breach notice {notice} not cured in time: its sender may terminate"
    ),
}
STATEMENT_ISSUED_SUBJECT = "新对账单 {number} / New statement {number}"
RECEIPT_REMINDER_SUBJECT = "请确认对账单 {number} / Please confirm statement {number}"
PAYMENT_REMINDER_SUBJECT = "付款提醒 {number} / Payment reminder {number}"
OVERDUE_SUBJECT = "付款已逾期 {number} / Payment overdue {number}"

# A receipt reminder goes out when the deadline is this many days away (or less); a payment
# reminder likewise before the due date; overdue notices on day 1, 8, 15… overdue.
RECEIPT_REMINDER_DAYS = 2
PAYMENT_REMINDER_DAYS = 3
OVERDUE_EVERY_DAYS = 7

ISSUED_EVENT = "notice.statement_issued"
RECEIPT_EVENT = "notice.receipt_reminder"
PAYMENT_EVENT = "notice.payment_reminder"
OVERDUE_EVENT = "notice.overdue"


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


def portal_url(name: str, *args: Any) -> str:
    """The absolute address of a portal page, for e-mails."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=args)


def statement_url(statement: Statement) -> str:
    return portal_url("portal:statement", statement.pk)


def _dates(day: date | None) -> dict[str, str]:
    """A date written for each language of the e-mail: 2026年9月20日 / 20 September 2026."""
    if day is None:
        return {"zh": "—", "en": "—"}
    return {"zh": f"{day.year}年{day.month}月{day.day}日", "en": f"{day.day} {day:%B %Y}"}


def _statement_context(statement: Statement, **extra: Any) -> dict[str, Any]:
    agreement = statement.agreement
    paid = amount_paid(statement)
    with translation.override("zh-hans"):
        period_zh = period_text(statement.period) if statement.period else ""
    with translation.override("en"):
        period_en = period_text(statement.period) if statement.period else ""
    return {
        "statement": statement,
        "agreement": agreement,
        "brand": agreement.brand,
        "agency": agreement.agency,
        "period_zh": period_zh,
        "period_en": period_en,
        "total": money_text(statement.total_due),
        "paid": money_text(paid),
        "outstanding": money_text(statement.total_due - paid),
        "issued_on": _dates(statement.issued_on),
        "receipt_due_on": _dates(statement.receipt_due_on),
        "payment_due_on": _dates(statement.payment_due_on),
        "url": statement_url(statement),
        "dashboard_url": portal_url("portal:dashboard"),
        **extra,
    }


def _send(
    *, statement: Statement, subject: str, template: str, context: dict[str, Any], event: str
) -> int:
    """Send one bilingual e-mail about ``statement`` to the brand and log it on the statement."""
    recipients = brand_recipients(statement.agreement)
    if not recipients:
        return 0
    body = render_to_string(template, context)
    sent = send_mail(
        f"[{statement.agreement.number}] {subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
    event_record(
        action=event,
        obj=statement,
        agreement=statement.agreement,
        detail={"to": len(recipients), **context.get("event_detail", {})},
    )
    return sent


def _sent(statement: Statement, event: str, **detail: Any) -> bool:
    filters = Q(object_type="statement", object_id=statement.pk, action=event)
    for key, value in detail.items():
        filters &= Q(**{f"detail__{key}": value})
    return Event.objects.filter(filters).exists()


def statement_issued_notify(*, statement: Statement) -> int:
    """A new statement, bill or penalty notice: what it asks, by when, and its link. Once."""
    statement = Statement.objects.select_related("agreement__brand", "agreement__agency").get(
        pk=statement.pk
    )
    if statement.status == Statement.Status.DRAFT or _sent(statement, ISSUED_EVENT):
        return 0
    return _send(
        statement=statement,
        subject=STATEMENT_ISSUED_SUBJECT.format(number=statement.number),
        template="emails/statement_issued.txt",
        context=_statement_context(statement),
        event=ISSUED_EVENT,
    )


def receipt_reminder(*, statement: Statement, on: date) -> int:
    """The receipt deadline is near and the brand has not answered. Once per statement."""
    if statement.status != Statement.Status.ISSUED or statement.receipt_due_on is None:
        return 0
    if _sent(statement, RECEIPT_EVENT):
        return 0
    days = (statement.receipt_due_on - on).days
    return _send(
        statement=statement,
        subject=RECEIPT_REMINDER_SUBJECT.format(number=statement.number),
        template="emails/receipt_reminder.txt",
        context=_statement_context(statement, days_left=days),
        event=RECEIPT_EVENT,
    )


def payment_reminder(*, statement: Statement, on: date) -> int:
    """Payment falls due soon. Once per statement and due date (confirming may move it)."""
    due_on = statement.payment_due_on
    if not statement.is_open or due_on is None:
        return 0
    if statement.payment_status == Statement.PaymentStatus.PAID:
        return 0
    if _sent(statement, PAYMENT_EVENT, due_on=due_on.isoformat()):
        return 0
    context = _statement_context(statement, days_left=(due_on - on).days)
    context["event_detail"] = {"due_on": due_on.isoformat()}
    return _send(
        statement=statement,
        subject=PAYMENT_REMINDER_SUBJECT.format(number=statement.number),
        template="emails/payment_reminder.txt",
        context=context,
        event=PAYMENT_EVENT,
    )


def overdue_notice(*, statement: Statement, on: date) -> int:
    """Payment is overdue: days, outstanding principal, the penalty accrued to date.

    Sent on the first overdue day and then every ``OVERDUE_EVERY_DAYS`` days while the
    principal is unpaid; each of those weeks once.
    """
    due_on = statement.payment_due_on
    if not statement.is_open or due_on is None or on <= due_on:
        return 0
    # The week first, from the payments alone: most days that week's notice went out
    # already, and the penalty (a few queries) is only needed for a notice to send.
    payments = [Payment(p.paid_on, p.amount) for p in statement.payments.all()]
    if outstanding_at_start_of(principal=statement.total_due, payments=payments, day=on) <= 0:
        return 0
    week = ((on - due_on).days - 1) // OVERDUE_EVERY_DAYS
    if _sent(statement, OVERDUE_EVENT, week=week) or not brand_recipients(statement.agreement):
        return 0
    state = statement_penalty(statement=statement, as_of=on)
    if state.days_overdue <= 0 or state.outstanding <= 0:
        return 0
    context = _statement_context(
        statement,
        days_overdue=state.days_overdue,
        outstanding=money_text(state.outstanding),
        penalty=money_text(state.penalty_net_of_waivers),
        has_penalty=state.rate > 0,
        termination_right=state.termination_right,
        termination_overdue_days=termination_overdue_days(statement),
        as_of=_dates(on),
    )
    context["event_detail"] = {"week": week, "days": state.days_overdue}
    return _send(
        statement=statement,
        subject=OVERDUE_SUBJECT.format(number=statement.number),
        template="emails/overdue_notice.txt",
        context=context,
        event=OVERDUE_EVENT,
    )


def reminders_send(*, on: date) -> dict[str, list[str]]:
    """Daily: receipt reminders, payment reminders, overdue notices, and the new-statement
    e-mail of any issued statement that has not had one (penalty notices, or a send that
    failed). Returns the statement numbers mailed, per kind."""
    sent: dict[str, list[str]] = {"issued": [], "receipt": [], "payment": [], "overdue": []}
    recent = (
        Statement.objects.open()
        .filter(issued_on__gte=on - timedelta(days=OVERDUE_EVERY_DAYS))
        .exclude(pk__in=_noticed(ISSUED_EVENT))
    )
    for statement in recent.select_related("agreement"):
        if statement_issued_notify(statement=statement):
            sent["issued"].append(statement.number)
    receipts = Statement.objects.filter(
        status=Statement.Status.ISSUED,
        receipt_due_on__gte=on,
        receipt_due_on__lte=on + timedelta(days=RECEIPT_REMINDER_DAYS),
    ).select_related("agreement__brand")
    for statement in receipts:
        if receipt_reminder(statement=statement, on=on):
            sent["receipt"].append(statement.number)
    unpaid = (
        Statement.objects.open()
        .filter(payment_due_on__isnull=False)
        .exclude(payment_status=Statement.PaymentStatus.PAID)
        .select_related("agreement__brand")
        .prefetch_related("payments")
    )
    for statement in unpaid.filter(
        payment_due_on__gte=on, payment_due_on__lte=on + timedelta(days=PAYMENT_REMINDER_DAYS)
    ):
        if payment_reminder(statement=statement, on=on):
            sent["payment"].append(statement.number)
    for statement in unpaid.filter(payment_due_on__lt=on):
        if overdue_notice(statement=statement, on=on):
            sent["overdue"].append(statement.number)
    return sent


def _noticed(event: str) -> Any:
    return Event.objects.filter(object_type="statement", action=event).values("object_id")


def flag_notify(flag: Any) -> int:
    """Tell the brand's users about a flag the daily job saw for the first time.

    An overdue payment gets the overdue notice (with the penalty to date) instead of a
    bare flag e-mail, so the brand is not told twice.
    """
    statement = flag.statement
    if flag.name == "payment_overdue":
        # Always on a statement past its due date; the flag's date is its days overdue
        # counted from the due date.
        assert statement is not None and statement.payment_due_on is not None
        on = statement.payment_due_on + timedelta(days=int(flag.detail.get("days", 1)))
        return overdue_notice(statement=statement, on=on)
    subject = SUBJECTS.get(flag.name)
    recipients = brand_recipients(flag.agreement)
    if subject is None or not recipients:
        return 0
    if flag.name == "agency_termination_right":
        subject = subject.format(days=termination_overdue_days(statement))
    if flag.name == "breach_termination_right":
        subject = subject.format(notice=flag.detail["notice"])
    what = flag.statement.number if flag.statement else flag.detail.get("notice", flag.period)
    url = statement_url(flag.statement) if flag.statement else portal_url("portal:dashboard")
    if flag.notice is not None:
        url = portal_url("portal:breach_notice", flag.notice.pk)
    body = render_to_string(
        "emails/flag.txt",
        {
            "agreement": flag.agreement,
            "what": what,
            "subject": subject,
            "details": ", ".join(f"{k}: {v}" for k, v in flag.detail.items()),
            "url": url,
        },
    )
    return send_mail(
        f"[{flag.agreement.number}] {subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        fail_silently=False,
    )
