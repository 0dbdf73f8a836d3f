"""Breach notices and cure periods: sending a notice and recording the cure.

Either side sends a written breach notice (违约通知书) naming the obligation or describing
the breach; the other side has the agreement's ``cure_days`` (calendar days, frozen on
the notice) to cure it. Who may act:

- agency staff send for the agency, and record a notice the brand sent in writing;
- brand finance send for their own brand only;
- the cure is recorded by either side (the side that received the notice, or the sender
  acknowledging it); staff may record it for either.

What follows from a cure that comes late (the sender's termination right) is derived as
a flag (``obligations.breach_selectors``, shown and logged through settlements' flags);
nothing else is stored. The PDF is rendered in a worker and the other side is e-mailed,
both after the commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from accounts import roles
from common import clock
from common.events import event_record
from contracts.models import Agreement
from core.exceptions import InvalidStateError, RuleViolation
from obligations import breach_messages as msg
from obligations import cure, tasks
from obligations.models import BreachNotice, Obligation, Side

NUMBER_PREFIX = "BN"
# Attempts at taking the next number when a concurrent send took the same one.
NUMBER_TRIES = 5


def _next_number(year: int) -> str:
    """BN-2026-000001: the year's next number after the highest one taken (zero-padded,
    so the highest sorts last)."""
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = (
        BreachNotice.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def cure_days_of(agreement: Agreement) -> int:
    """The agreement's cure period in calendar days (its terms; 15 without terms)."""
    terms = agreement.terms
    return int(getattr(terms, "cure_days", cure.DEFAULT_CURE_DAYS))


def _check_sender(user: Any, agreement: Agreement, by: str) -> None:
    if by not in Side.values:
        raise RuleViolation({"by": [msg.UNKNOWN_SIDE]})
    if user is None or roles.is_staff_for(user, agreement):
        return
    if roles.is_brand_finance_for(user, agreement):
        if by != Side.BRAND:
            raise RuleViolation({"by": [msg.BRAND_SENDS_AS_BRAND]})
        return
    raise RuleViolation({"non_field_errors": [msg.BRAND_FINANCE_ONLY]})


def _not_future(day: date, field_name: str) -> None:
    if day > clock.today():
        raise RuleViolation({field_name: [msg.FUTURE_DATE]})


@transaction.atomic
def breach_notice_send(
    *,
    agreement: Agreement,
    by: str,
    sent_on: date,
    description: str,
    user: Any,
    obligation: Obligation | None = None,
    clause: str = "",
) -> BreachNotice:
    """Record a written breach notice sent by ``by`` ("agency" or "brand") on ``sent_on``.

    Its ``cure_by`` is ``sent_on`` + the agreement's ``cure_days`` as they are now (kept
    on the notice, so a later change of terms does not move a running clock).
    """
    _check_sender(user, agreement, by)
    description = (description or "").strip()
    if not description:
        raise RuleViolation({"description": [msg.DESCRIPTION_REQUIRED]})
    _not_future(sent_on, "sent_on")
    if agreement.status == Agreement.Status.DRAFT:
        raise RuleViolation({"agreement": [msg.NOT_IN_FORCE]})
    last = agreement.effective_ends_on
    if not agreement.starts_on <= sent_on <= last:
        raise RuleViolation(
            {
                "sent_on": [
                    msg.OUTSIDE_AGREEMENT.format(
                        first=agreement.starts_on.isoformat(), last=last.isoformat()
                    )
                ]
            }
        )
    if obligation is not None and obligation.agreement_id != agreement.pk:
        raise RuleViolation({"obligation": [msg.OBLIGATION_OF_OTHER_AGREEMENT]})
    cure_days = cure_days_of(agreement)
    for attempt in range(NUMBER_TRIES):
        try:
            with transaction.atomic():
                notice = BreachNotice.objects.create(
                    agreement=agreement,
                    obligation=obligation,
                    number=_next_number(sent_on.year),
                    by=by,
                    sent_on=sent_on,
                    clause=(clause or "").strip(),
                    description=description,
                    cure_days=cure_days,
                    cure_by=cure.cure_by(sent_on=sent_on, cure_days=cure_days),
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise
    event_record(
        action="breach_notice.sent",
        obj=notice,
        actor=user,
        agreement=agreement,
        message=description,
        detail={
            "number": notice.number,
            "by": by,
            "sent_on": sent_on.isoformat(),
            "cure_by": notice.cure_by.isoformat(),
            "cure_days": cure_days,
            "obligation": obligation.pk if obligation else None,
        },
    )
    transaction.on_commit(lambda: tasks.breach_notice_pdf_task.delay(notice.pk), robust=True)
    transaction.on_commit(
        lambda: tasks.breach_notice_sent_notify_task.delay(notice.pk), robust=True
    )
    return notice


@transaction.atomic
def breach_notice_cure(
    *, notice: BreachNotice, cured_on: date, note: str = "", user: Any
) -> BreachNotice:
    """Record that the breach was cured on ``cured_on`` (409 if it already was).

    Cured on or before ``cure_by``: no right ever arose. Later: the sender's termination
    right lapses from ``cured_on`` (unless the agreement was terminated while it held).
    """
    notice = BreachNotice.objects.select_for_update().select_related("agreement").get(pk=notice.pk)
    roles.require_brand_finance_or_staff_for(user, notice.agreement)
    if notice.cured_on is not None:
        raise InvalidStateError(msg.ALREADY_CURED.format(day=notice.cured_on.isoformat()))
    _not_future(cured_on, "cured_on")
    if cured_on < notice.sent_on:
        raise RuleViolation({"cured_on": [msg.CURED_BEFORE_SENT]})
    notice.cured_on = cured_on
    notice.cure_note = (note or "").strip()
    notice.save(update_fields=["cured_on", "cure_note"])
    event_record(
        action="breach_notice.cured",
        obj=notice,
        actor=user,
        agreement=notice.agreement,
        message=notice.cure_note,
        detail={
            "number": notice.number,
            "cured_on": cured_on.isoformat(),
            "cure_by": notice.cure_by.isoformat(),
            "in_time": cure.cured_in_time(cure_by=notice.cure_by, cured_on=cured_on),
        },
    )
    return notice
