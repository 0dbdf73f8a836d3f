"""Helpers the settlement services share: numbering, versions, lines,
locking, the calendar note, dates, and handing work to the background tasks."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from common import clock
from core.exceptions import RuleViolation
from core.workdays import WorkCalendar, fallback_note
from settlements import calculations as calc
from settlements import messages as msg
from settlements import tasks
from settlements.models import DocumentSequence, Statement, StatementLine


def next_number(year: int) -> str:
    key = f"ST-{year}"
    sequence, _ = DocumentSequence.objects.get_or_create(key=key)
    sequence = DocumentSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{key}-{sequence.last:06d}"


def versioned(base_number: str, version: int) -> str:
    return base_number if version == 1 else f"{base_number}-v{version}"


def calendar_note(calendar: WorkCalendar) -> str:
    return fallback_note(sorted(calendar.fallback_years))


def not_future(day: date, field_name: str) -> None:
    if day > clock.today():
        raise RuleViolation({field_name: [msg.FUTURE_DATE]})


def iso_or_none(day: date | None) -> str | None:
    return day.isoformat() if day else None


def replace_lines(statement: Statement, lines: Iterable[calc.Line]) -> None:
    statement.lines.all().delete()
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=i,
            kind=line.kind,
            description=line.description,
            amount=line.amount,
        )
        for i, line in enumerate(lines, start=1)
    )


def enqueue_pdf(statement: Statement) -> None:
    """Render the statement's PDF in a worker once the transaction commits.

    Never raises into the request: the statement is committed by then. A broker that is
    down is logged by the task's ``delay`` (``Enqueueable``) and a failing in-process
    render by ``robust``; the sweeper renders any issued statement still without a PDF.
    """
    transaction.on_commit(lambda: tasks.statement_pdf_task.delay(statement.pk), robust=True)


def enqueue_issued_notice(statement: Statement) -> None:
    """E-mail the brand about a new bill once committed, from a worker (never blocking;
    the sweeper sends any that a broker outage left unsent)."""
    transaction.on_commit(
        lambda: tasks.statement_issued_notify_task.delay(statement.pk), robust=True
    )


def statement_lock(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)
