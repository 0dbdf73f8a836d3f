"""Issuing the drafts a month-end run made, by the workers.

The run page's Issue button and the API (``POST statement-runs/{id}/issue/``) call
``statement_run_issue_start``: in one transaction it locks the run, marks the items whose
statement is still a draft (those the caller may see) as waiting to be issued and records
who asked and the issue date; once committed, tasks of ``ISSUE_BATCH`` items are queued.
The request returns at once and the run's page shows the progress.

A batch (``statement_run_issue_batch``) runs in one transaction: it locks its waiting
items, issues their drafts with ``statements_issue`` (each in its own savepoint, the
batch's figures read together, its PDFs queued in batches when it commits) and marks each
item issued or not issued with the reason. Items no longer waiting are skipped, so a
redelivered batch, or one that died half-way (nothing of it committed), issues nothing
twice. Asking again while a batch is still waiting adds nothing (concurrent twins get the
run as it stands). The sweeper queues again the items left waiting.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from common.events import event_record
from contracts.selectors import agreements_in_scope
from core.exceptions import DomainError
from settlements import tasks
from settlements.models import Statement, StatementRun, StatementRunItem
from settlements.services.bulk import ISSUE_BATCH, statements_issue

WAITING = StatementRunItem.Issue.PENDING


def statement_run_issue_start(
    *, run: StatementRun, by: Any, issued_on: date, dispatch: bool = True
) -> int:
    """Ask the workers to issue the run's drafts dated ``issued_on``; returns how many
    drafts were newly queued (0 when there is none, or when they are already queued)."""
    with transaction.atomic():
        run = StatementRun.objects.select_for_update().get(pk=run.pk)
        items = run.items.filter(statement__status=Statement.Status.DRAFT)
        if getattr(by, "is_authenticated", False):
            items = items.filter(agreement__in=agreements_in_scope(by))
        if run.items.filter(issue=WAITING).exists():
            return 0  # an issue is under way: this request joins it
        queued = items.update(issue=WAITING, issue_error="")
        if not queued:
            return 0
        run.issued_on = issued_on
        run.issue_by = by if getattr(by, "is_authenticated", False) else None
        run.issue_started_at = timezone.now()
        run.issue_finished_at = None
        run.save(update_fields=["issued_on", "issue_by", "issue_started_at", "issue_finished_at"])
        event_record(
            action="statement_run.issue_started",
            obj=run,
            actor=by,
            detail={"period": run.period, "drafts": queued, "issued_on": issued_on.isoformat()},
        )
        if dispatch:
            run_id = run.pk
            transaction.on_commit(lambda: statement_run_issue_dispatch(run_id=run_id))
    return queued


def statement_run_issue_dispatch(*, run_id: int) -> None:
    """Queue the run's items waiting to be issued, ``ISSUE_BATCH`` to a task."""
    waiting = list(
        StatementRunItem.objects.filter(run_id=run_id, issue=WAITING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(waiting), ISSUE_BATCH):
        tasks.statement_run_issue_task.delay(waiting[start : start + ISSUE_BATCH])


def statement_run_issue_batch(*, item_ids: Sequence[int]) -> int:
    """Issue the drafts of these items (those still waiting) in one transaction; returns
    how many were issued."""
    with transaction.atomic():
        items = list(
            StatementRunItem.objects.select_for_update(of=("self",))
            .filter(pk__in=list(item_ids), issue=WAITING)
            .select_related("run__issue_by", "statement")
            .order_by("pk")
        )
        if not items:
            return 0
        issued = 0
        for run_id in sorted({item.run_id for item in items}):
            of_run = [item for item in items if item.run_id == run_id]
            run = of_run[0].run
            outcomes = {
                statement.pk: outcome
                for statement, outcome in statements_issue(
                    statements=[item.statement for item in of_run if item.statement is not None],
                    by=run.issue_by,
                    issued_on=run.issued_on,
                )
            }
            for item in of_run:
                outcome = outcomes.get(item.statement_id) if item.statement_id else None
                if outcome is None or isinstance(outcome, DomainError):
                    item.issue = StatementRunItem.Issue.REFUSED
                    item.issue_error = str(outcome) if outcome is not None else ""
                else:
                    item.issue = StatementRunItem.Issue.ISSUED
                    item.issue_error = ""
                    issued += 1
            transaction.on_commit(lambda run_id=run_id: statement_run_issue_finish(run_id=run_id))
        StatementRunItem.objects.bulk_update(items, ["issue", "issue_error"])
    return issued


def statement_run_issue_finish(*, run_id: int) -> bool:
    """Mark the run's issue finished once no item waits (after each batch commits, so
    the batch that commits last sees all the others). Returns whether it finished now."""
    if StatementRunItem.objects.filter(run_id=run_id, issue=WAITING).exists():
        return False
    finished = StatementRun.objects.filter(
        pk=run_id, issue_started_at__isnull=False, issue_finished_at__isnull=True
    ).update(issue_finished_at=timezone.now())
    if finished:
        run = StatementRun.objects.get(pk=run_id)
        counts = issue_counts(run)
        event_record(
            action="statement_run.issue_finished",
            obj=run,
            actor=run.issue_by,
            detail={"period": run.period, **counts},
        )
    return bool(finished)


def issue_counts(run: StatementRun) -> dict[str, int]:
    """How many of the run's drafts wait, were issued and were not, in its last issue."""
    Issue = StatementRunItem.Issue
    return run.items.aggregate(
        waiting=Count("pk", filter=Q(issue=Issue.PENDING)),
        issued=Count("pk", filter=Q(issue=Issue.ISSUED)),
        refused=Count("pk", filter=Q(issue=Issue.REFUSED)),
    )
