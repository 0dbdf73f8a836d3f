"""Helpers the settlement services share: numbering, versions, lines,
locking, the calendar note, dates, and handing work to the background tasks."""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
    return next_numbers(year, 1)[0]


def next_numbers(year: int, count: int) -> list[str]:
    """``count`` consecutive statement numbers of ``year``, without gaps: the sequence row
    stays locked until the caller's transaction ends (so take them just before writing)."""
    key = f"ST-{year}"
    sequence, _ = DocumentSequence.objects.get_or_create(key=key)
    sequence = DocumentSequence.objects.select_for_update().get(pk=sequence.pk)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [f"{key}-{n:06d}" for n in range(first, sequence.last + 1)]


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
    StatementLine.objects.bulk_create(lines_of(statement, lines))


def lines_of(statement: Statement, lines: Iterable[calc.Line]) -> list[StatementLine]:
    """The statement's lines as rows to insert, numbered from 1."""
    return [
        StatementLine(
            statement=statement,
            position=i,
            kind=line.kind,
            description=line.description,
            amount=line.amount,
        )
        for i, line in enumerate(lines, start=1)
    ]


# Inside ``queued_in_batches``: the ids whose PDF and e-mail wait for the commit.
_batch = threading.local()
PDF_BATCH = 10  # statements per PDF task: a few seconds of rendering each
NOTICE_BATCH = 100  # statements per "new statement" e-mail task


def _collected(statement: Statement, which: int) -> bool:
    """Inside ``queued_in_batches``, note ``statement`` for its batch task (the note is
    an on-commit callback, so a statement whose savepoint rolls back is dropped)."""
    collect = getattr(_batch, "collect", None)
    if collect is None:
        return False
    pk = statement.pk
    transaction.on_commit(lambda: collect[which].append(pk))
    return True


@contextmanager
def queued_in_batches() -> Iterator[None]:
    """Within a transaction: the PDFs and e-mails the services queue go to the workers,
    once it commits, as a few tasks of ``PDF_BATCH`` / ``NOTICE_BATCH`` statements
    instead of one task each (a bulk issue of thousands)."""
    collect: tuple[list[int], list[int]] = ([], [])
    outer, _batch.collect = getattr(_batch, "collect", None), collect
    try:
        yield
    finally:
        _batch.collect = outer
    transaction.on_commit(lambda: _queue_batches(*collect), robust=True)


def _queue_batches(pdfs: list[int], notices: list[int]) -> None:
    for i in range(0, len(pdfs), PDF_BATCH):
        tasks.statement_pdfs_task.delay(pdfs[i : i + PDF_BATCH])
    for i in range(0, len(notices), NOTICE_BATCH):
        tasks.statements_issued_notify_task.delay(notices[i : i + NOTICE_BATCH])


def enqueue_pdf(statement: Statement) -> None:
    """Render the statement's PDF in a worker once the transaction commits.

    Never raises into the request: the statement is committed by then. A broker that is
    down is logged by the task's ``delay`` (``Enqueueable``) and a failing in-process
    render by ``robust``; the sweeper renders any issued statement still without a PDF.
    """
    if not _collected(statement, 0):
        transaction.on_commit(lambda: tasks.statement_pdf_task.delay(statement.pk), robust=True)


def enqueue_issued_notice(statement: Statement) -> None:
    """E-mail the brand about a new bill once committed, from a worker (never blocking;
    the sweeper sends any that a broker outage left unsent)."""
    if not _collected(statement, 1):
        transaction.on_commit(
            lambda: tasks.statement_issued_notify_task.delay(statement.pk), robust=True
        )


def statement_lock(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().select_related("agreement").get(pk=statement.pk)
