"""The brand's review of an issued statement (receipt, dispute, deemed confirmation)
and the agency's answers to it: reply, void, correct."""

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from django.db import transaction

from accounts.roles import require_brand_finance_or_staff_for, require_staff_for
from common import clock
from common.calendar import work_calendar
from common.events import event_record
from common.jobs import RowGuard
from core.exceptions import InvalidStateError, RuleViolation
from core.periods import Period
from kpis.models import SaleLine
from settlements import calculations as calc
from settlements import messages as msg
from settlements.models import DisputeAttachment, Expense, Statement
from settlements.selectors import confirmed_by_silence_on, schedule_terms
from settlements.services._common import (
    calendar_note,
    iso_or_none,
    not_future,
    replace_lines,
    statement_lock,
    versioned,
)
from settlements.services.invoices import invoices_mark_to_reverse, payment_due_apply
from settlements.services.monthly import monthly_version_create
from settlements.vat import agreement_vat_rate


def _set_confirmed(statement: Statement, confirmed_on: date) -> None:
    """Confirmation on ``confirmed_on``: the payment due date follows from that day."""
    assert statement.period is not None  # a monthly statement
    calendar = work_calendar()
    statement.confirmed_on = confirmed_on
    statement.contract_due_on = calc.payment_due_on(
        period=Period.parse(statement.period),
        confirmed_on=confirmed_on,
        terms=schedule_terms(statement.agreement),
        calendar=calendar,
    )
    payment_due_apply(statement, calendar)
    note = calendar_note(calendar)
    if note and note not in statement.calendar_note:
        statement.calendar_note = (statement.calendar_note + " " + note).strip()


def _within_receipt_deadline(statement: Statement, day: date, given: bool, field: str) -> None:
    """The brand answers by the receipt deadline; after it, silence has already confirmed.

    A date the caller gave is a 400 on that field; today's date past the deadline means
    the statement's state no longer allows the answer (409), whether or not the daily
    job has recorded the deemed confirmation yet.
    """
    if confirmed_by_silence_on(statement, today=day) is None:
        return
    deadline = statement.receipt_due_on
    assert deadline is not None
    if given:
        template = (
            msg.DISPUTE_AFTER_DEADLINE if field == "disputed_on" else msg.CONFIRM_AFTER_DEADLINE
        )
        raise RuleViolation({field: [template.format(deadline=deadline.isoformat())]})
    raise InvalidStateError(msg.RECEIPT_DEADLINE_PASSED.format(deadline=deadline.isoformat()))


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
    given = confirmed_on is not None
    confirmed_on = confirmed_on or clock.today()
    not_future(confirmed_on, "confirmed_on")
    assert statement.issued_on is not None
    if confirmed_on < statement.issued_on:
        raise RuleViolation({"confirmed_on": [msg.BEFORE_ISSUE]})
    if not deemed:
        _within_receipt_deadline(statement, confirmed_on, given, "confirmed_on")
    statement.status = Statement.Status.CONFIRMED
    statement.deemed_confirmed = deemed
    _set_confirmed(statement, confirmed_on)
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


# A dispute's attachments: the brand's own list, a screenshot, a scan of its letter.
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "webp", "xlsx", "xls", "csv", "txt", "docx")


def dispute_attachments_check(files: Sequence[Any]) -> None:
    """Refuse what cannot be kept: too many files, too large, empty or of another type."""
    if len(files) > ATTACHMENT_MAX_FILES:
        raise RuleViolation(
            {"attachments": [msg.ATTACHMENT_TOO_MANY.format(max=ATTACHMENT_MAX_FILES)]}
        )
    problems = []
    for upload in files:
        name = PurePath(upload.name or "").name
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in ATTACHMENT_EXTENSIONS:
            allowed = ", ".join(ATTACHMENT_EXTENSIONS)
            problems.append(msg.ATTACHMENT_TYPE.format(name=name, allowed=allowed))
        elif not upload.size:
            problems.append(msg.ATTACHMENT_EMPTY.format(name=name))
        elif upload.size > ATTACHMENT_MAX_BYTES:
            problems.append(
                msg.ATTACHMENT_TOO_LARGE.format(name=name, max_mb=ATTACHMENT_MAX_BYTES // 2**20)
            )
    if problems:
        raise RuleViolation({"attachments": problems})


def _attachments_keep(statement: Statement, files: Sequence[Any], by: Any) -> list[str]:
    names = []
    for upload in files:
        name = PurePath(upload.name or "").name[:200]
        DisputeAttachment.objects.create(
            statement=statement,
            file=upload,
            name=name,
            content_type=(getattr(upload, "content_type", "") or "")[:100],
            size=upload.size or 0,
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        names.append(name)
    return names


@transaction.atomic
def statement_dispute(
    *,
    statement: Statement,
    by: Any,
    comment: str,
    disputed_on: date | None = None,
    attachments: Sequence[Any] = (),
) -> Statement:
    """The brand disputes an issued statement, with a comment, by the receipt deadline.

    Staff recording a dispute received in writing give its date (``disputed_on``).
    """
    statement = statement_lock(statement)
    require_brand_finance_or_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.ISSUED:
        raise InvalidStateError(msg.CANNOT_DISPUTE.format(status=statement.status))
    if statement.kind != Statement.Kind.MONTHLY:
        raise InvalidStateError(msg.NO_RECEIPT_CYCLE)
    if not comment or not comment.strip():
        raise RuleViolation({"comment": [msg.COMMENT_REQUIRED]})
    dispute_attachments_check(attachments)
    given = disputed_on is not None
    disputed_on = disputed_on or clock.today()
    not_future(disputed_on, "disputed_on")
    assert statement.issued_on is not None
    if disputed_on < statement.issued_on:
        raise RuleViolation(
            {"disputed_on": [msg.DISPUTE_BEFORE_ISSUE.format(issued_on=statement.issued_on)]}
        )
    _within_receipt_deadline(statement, disputed_on, given, "disputed_on")
    statement.status = Statement.Status.DISPUTED
    statement.disputed_on = disputed_on
    statement.dispute_comment = comment.strip()
    # Payment falls due only after confirmation: no due date while the dispute is open,
    # so no penalty, overdue flag, reminder or termination right runs on it.
    statement.payment_due_on = statement.contract_due_on = None
    statement.withdrawn_on = None
    statement.agency_reply = ""
    statement.replied_on = None
    statement.save()
    names = _attachments_keep(statement, attachments, by)
    event_record(
        action="statement.disputed",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=comment.strip(),
        detail={"disputed_on": disputed_on.isoformat(), "attachments": names},
    )
    return statement


def _not_before_dispute(statement: Statement, day: date, field: str) -> None:
    not_future(day, field)
    assert statement.disputed_on is not None
    if day < statement.disputed_on:
        raise RuleViolation(
            {field: [msg.BEFORE_DISPUTE.format(disputed_on=statement.disputed_on.isoformat())]}
        )


@transaction.atomic
def statement_reply(
    *, statement: Statement, by: Any, reply: str, replied_on: date | None = None
) -> Statement:
    """The agency answers a dispute (shown to the brand); the first answer stops the
    "dispute unanswered" flag."""
    statement = statement_lock(statement)
    require_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    if not reply or not reply.strip():
        raise RuleViolation({"reply": [msg.REQUIRED]})
    replied_on = replied_on or clock.today()
    _not_before_dispute(statement, replied_on, "replied_on")
    statement.agency_reply = reply.strip()
    if statement.replied_on is None or replied_on < statement.replied_on:
        statement.replied_on = replied_on
    statement.save(update_fields=["agency_reply", "replied_on", "updated_at"])
    event_record(
        action="statement.dispute_replied",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=reply.strip(),
        detail={"replied_on": replied_on.isoformat()},
    )
    return statement


@transaction.atomic
def statement_withdraw_dispute(
    *, statement: Statement, by: Any, withdrawn_on: date | None = None
) -> Statement:
    """The brand withdraws its dispute: that counts as confirmation on the day of
    withdrawal (even after the receipt deadline), and payment falls due from that day."""
    statement = statement_lock(statement)
    require_brand_finance_or_staff_for(by, statement.agreement)
    if statement.status != Statement.Status.DISPUTED:
        raise InvalidStateError(msg.NOT_DISPUTED.format(status=statement.status))
    withdrawn_on = withdrawn_on or clock.today()
    _not_before_dispute(statement, withdrawn_on, "withdrawn_on")
    statement.status = Statement.Status.CONFIRMED
    statement.deemed_confirmed = False
    statement.withdrawn_on = withdrawn_on
    _set_confirmed(statement, withdrawn_on)
    statement.save()
    event_record(
        action="statement.dispute_withdrawn",
        obj=statement,
        actor=by,
        agreement=statement.agreement,
        message=msg.WITHDRAWN_CONFIRMED,
        detail={
            "withdrawn_on": withdrawn_on.isoformat(),
            "confirmed_on": withdrawn_on.isoformat(),
            "payment_due_on": iso_or_none(statement.payment_due_on),
        },
    )
    return statement


def statements_deem_confirmed(
    *, on: date | None = None, guard: RowGuard | None = None
) -> list[str]:
    """Silence until the receipt deadline counts as confirmation on that day (logged).

    Run on ``on``, it judges the days already over (up to ``on`` − 1): the brand may
    still answer on the deadline day itself. The confirmation is dated on the deadline,
    whatever day the job runs.
    """
    on = on or clock.today()
    guard = guard or RowGuard("deemed_confirmations", strict=True)
    last_complete_day = on - timedelta(days=1)
    numbers = []
    candidates = Statement.objects.filter(
        status=Statement.Status.ISSUED,
        kind=Statement.Kind.MONTHLY,
        receipt_due_on__lte=last_complete_day,
    )
    for statement in candidates:
        with guard.row(statement.number):
            statement = statement_lock(statement)
            if statement.status != Statement.Status.ISSUED:
                continue  # a concurrent run (or the brand) got there first
            deemed_on = confirmed_by_silence_on(statement, today=on)
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
    invoices_mark_to_reverse(statement=statement, by=by)  # for red-letter reversal (红冲)
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
        payment_due_on=statement.contract_due_on,
        contract_due_on=statement.contract_due_on,
        figures=statement.figures,
        penalty_rate_per_day=statement.penalty_rate_per_day,
        vat_rate=agreement_vat_rate(statement.agreement),  # the agreement's, at correction
        previous_version=statement,
        penalty_of=statement.penalty_of,
        penalty_as_of=statement.penalty_as_of,
    )
    replace_lines(
        corrected,
        [calc.Line(line.kind, line.description, line.amount) for line in statement.lines.all()],
    )
    if payment_due_apply(corrected):  # no invoice yet on the new version
        corrected.save(update_fields=["payment_due_on"])
    event_record(
        action="statement.generated",
        obj=corrected,
        actor=by,
        agreement=statement.agreement,
        detail={"version": version, "corrects": statement.number},
    )
    return corrected
