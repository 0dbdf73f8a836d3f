"""The brand's review of an issued statement (receipt, dispute, deemed confirmation)
and the agency's answers to it: reply, void, correct."""

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from accounts.roles import require_brand_finance_or_staff_for, require_staff_for
from common import clock
from common.calendar import work_calendar
from common.events import event_record
from core.exceptions import InvalidStateError, RuleViolation
from core.periods import Period
from kpis.models import SaleLine
from settlements import calculations as calc
from settlements import messages as msg
from settlements.models import Expense, Statement
from settlements.selectors import schedule_terms
from settlements.services._common import (
    calendar_note,
    iso_or_none,
    not_future,
    replace_lines,
    statement_lock,
    versioned,
)
from settlements.services.monthly import monthly_version_create


@transaction.atomic
def statement_confirm(
    *, statement: Statement, by: Any, confirmed_on: date | None = None, deemed: bool = False
) -> Statement:
    """The brand's receipt (回执): confirms an issued statement; payment due follows."""
    statement = statement_lock(statement)
    agreement = statement.agreement
    if not deemed:
        require_brand_finance_or_staff_for(by, agreement)
    if statement.status != Statement.Status.ISSUED:
        raise InvalidStateError(msg.CANNOT_CONFIRM.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        raise InvalidStateError(msg.NO_RECEIPT_CYCLE)
    confirmed_on = confirmed_on or clock.today()
    not_future(confirmed_on, "confirmed_on")
    assert statement.issued_on is not None
    if confirmed_on < statement.issued_on:
        raise RuleViolation({"confirmed_on": [msg.BEFORE_ISSUE]})
    statement.status = Statement.Status.CONFIRMED
    statement.confirmed_on = confirmed_on
    statement.deemed_confirmed = deemed
    assert statement.period is not None  # a monthly statement
    calendar = work_calendar()
    statement.payment_due_on = calc.payment_due_on(
        period=Period.parse(statement.period),
        confirmed_on=confirmed_on,
        terms=schedule_terms(agreement),
        calendar=calendar,
    )
    note = calendar_note(calendar)
    if note and note not in statement.calendar_note:
        statement.calendar_note = (statement.calendar_note + " " + note).strip()
    statement.save()
    event_record(
        action="statement.deemed_confirmed" if deemed else "statement.confirmed",
        obj=statement,
        actor=by,
        agreement=agreement,
        message=msg.DEEMED_CONFIRMED if deemed else "",
        detail={
            "confirmed_on": confirmed_on.isoformat(),
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    return statement


@transaction.atomic
def statement_dispute(
    *, statement: Statement, by: Any, comment: str, disputed_on: date | None = None
) -> Statement:
    """The brand disputes an issued statement, with a comment."""
    statement = statement_lock(statement)
    require_brand_finance_or_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.ISSUED:
        raise InvalidStateError(msg.CANNOT_DISPUTE.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        raise InvalidStateError(msg.NO_RECEIPT_CYCLE)
    if not comment or not comment.strip():
        raise RuleViolation({"comment": [msg.COMMENT_REQUIRED]})
    disputed_on = disputed_on or clock.today()
    not_future(disputed_on, "disputed_on")
    statement.status = Statement.Status.DISPUTED
    statement.disputed_on = disputed_on
    statement.dispute_comment = comment.strip()
    statement.save()
    event_record(
        action="statement.disputed",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=comment.strip(),
        detail={"disputed_on": disputed_on.isoformat()},
    )
    return statement


@transaction.atomic
def statement_reply(*, statement: Statement, by: Any, reply: str) -> Statement:
    """The agency answers a dispute (shown to the brand)."""
    statement = statement_lock(statement)
    require_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    statement.agency_reply = reply.strip()
    statement.save(update_fields=["agency_reply", "updated_at"])
    event_record(
        action="statement.dispute_replied",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reply.strip(),
    )
    return statement


@transaction.atomic
def statement_withdraw_dispute(*, statement: Statement, by: Any) -> Statement:
    """The brand withdraws its dispute: the statement is issued (unanswered) again."""
    statement = statement_lock(statement)
    require_brand_finance_or_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    statement.status = Statement.Status.ISSUED
    statement.save(update_fields=["status", "updated_at"])
    event_record(
        action="statement.dispute_withdrawn", obj=statement, actor=by, agreement=statement.agreement
    )
    return statement


def statements_deem_confirmed(*, on: date | None = None) -> list[str]:
    """Silence until the receipt deadline counts as confirmation on that day (logged).

    Run on ``on``, it judges the days already over (up to ``on`` − 1): the brand may
    still answer on the deadline day itself.
    """
    on = on or clock.today()
    last_complete_day = on - timedelta(days=1)
    numbers = []
    candidates = Statement.objects.filter(
        status=Statement.Status.ISSUED,
        kind=Statement.Kind.MONTHLY,
        receipt_due_on__lte=last_complete_day,
    )
    for statement in candidates:
        assert statement.receipt_due_on is not None
        deemed_on = calc.deemed_confirmed_on(
            receipt_due_on=statement.receipt_due_on,
            confirmed_on=None,
            disputed=False,
            as_of=last_complete_day,
        )
        if deemed_on is None:
            continue
        statement_confirm(statement=statement, by=None, confirmed_on=deemed_on, deemed=True)
        numbers.append(statement.number)
    return numbers


@transaction.atomic
def statement_void(*, statement: Statement, by: Any, reason: str) -> Statement:
    """Void an issued statement (never edited in place); no penalty runs on it."""
    statement = statement_lock(statement)
    require_staff_for(by, statement.agreement)
    if not statement.is_open:  # a draft or a void statement
        raise InvalidStateError(msg.CANNOT_VOID.format(status=statement.status))
    if not reason or not reason.strip():
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    statement.status = Statement.Status.VOID
    statement.void_reason = reason.strip()
    statement.voided_on = clock.today()
    statement.save()
    # Its sales and expenses are billed again by the corrected version.
    SaleLine.objects.filter(settled_in=statement).update(settled_in=None)
    Expense.objects.filter(statement=statement).update(statement=None)
    event_record(
        action="statement.voided",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reason.strip(),
    )
    return statement


@transaction.atomic
def statement_correct(*, statement: Statement, by: Any) -> Statement:
    """The next version of a voided statement, as a draft with fresh figures."""
    statement = statement_lock(statement)
    require_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.VOID:
        raise InvalidStateError(msg.CORRECT_ONLY_VOID.format(status=statement.status))
    if hasattr(statement, "next_version"):
        return statement.next_version
    version = statement.version + 1
    if statement.kind == Statement.Kind.MONTHLY:
        assert statement.period is not None
        return monthly_version_create(
            agreement=statement.agreement,
            period=Period.parse(statement.period),
            version=version,
            by=by,
            previous=statement,
        )
    corrected = Statement.objects.create(
        number=versioned(statement.base_number, version),
        base_number=statement.base_number,
        version=version,
        agreement=statement.agreement,
        kind=statement.kind,
        installment_number=statement.installment_number,
        total_due=statement.total_due,
        payment_due_on=statement.payment_due_on,
        figures=statement.figures,
        penalty_rate_per_day=statement.penalty_rate_per_day,
        previous_version=statement,
        penalty_of=statement.penalty_of,
        penalty_as_of=statement.penalty_as_of,
    )
    replace_lines(
        corrected,
        [calc.Line(line.kind, line.description, line.amount) for line in statement.lines.all()],
    )
    event_record(
        action="statement.generated",
        obj=corrected,
        actor=by,
        agreement=statement.agreement,
        detail={"version": version, "corrects": statement.number},
    )
    return corrected
