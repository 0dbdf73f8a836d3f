"""The month-end run: one background task per agreement, counted on the run row."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common import clock
from common.events import event_record
from contracts.models import Agreement
from core.exceptions import DomainError, RuleViolation
from core.periods import Period
from settlements import messages as msg
from settlements import tasks
from settlements.models import StatementRun, StatementRunItem
from settlements.selectors import agreements_settled_in
from settlements.services.monthly import statement_generate


@transaction.atomic
def statement_run_start(
    *, period: str, by: Any, agreement: Agreement | None = None, dispatch: bool = True
) -> StatementRun:
    """Start the month-end job for a closed month: one task per agreement.

    Running it again for the same period adds only what is missing (generation is
    idempotent and the unique constraint forbids duplicates).
    """
    try:
        month = Period.parse(period)
    except ValueError as error:
        raise RuleViolation({"period": [msg.PERIOD_INVALID]}) from error
    if month.last_day >= clock.today():
        raise RuleViolation({"period": [msg.PERIOD_OPEN.format(period=month)]})
    agreements = agreements_settled_in(month)
    if getattr(by, "is_agency_staff", False) and not getattr(by, "is_superuser", False):
        # An agency's staff settle their own agency's agreements only.
        agreements = agreements.filter(agency_id=by.organization_id)
    if agreement is not None:
        agreements = agreements.filter(pk=agreement.pk)
    ids = list(agreements.values_list("pk", flat=True))
    run = StatementRun.objects.create(
        period=str(month),
        agreement=agreement,
        total=len(ids),
        status=StatementRun.Status.RUNNING,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    StatementRunItem.objects.bulk_create(StatementRunItem(run=run, agreement_id=pk) for pk in ids)
    if not ids:
        run.status = StatementRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    event_record(
        action="statement_run.started",
        obj=run,
        actor=by,
        detail={"period": str(month), "total": len(ids)},
    )
    if dispatch:
        transaction.on_commit(lambda: statement_run_dispatch(run_id=run.pk))
    return run


def statement_run_dispatch(*, run_id: int) -> None:
    for item_id in StatementRunItem.objects.filter(
        run_id=run_id, status=StatementRunItem.Status.PENDING
    ).values_list("pk", flat=True):
        tasks.statement_run_item_task.delay(item_id)


def statement_run_item_process(*, item_id: int) -> None:
    """Generate one agreement's statement for the run; safe to run twice."""
    with transaction.atomic():
        item = (
            StatementRunItem.objects.select_for_update()
            .select_related("run", "agreement")
            .get(pk=item_id)
        )
        if item.status != StatementRunItem.Status.PENDING:
            return
        run = item.run
        try:
            with transaction.atomic():
                generated = statement_generate(
                    agreement=item.agreement, period=Period.parse(run.period), by=run.created_by
                )
        except DomainError as error:
            item.status = StatementRunItem.Status.FAILED
            item.error = str(error)
            item.save(update_fields=["status", "error"])
            StatementRun.objects.filter(pk=run.pk).update(failed=F("failed") + 1)
        else:
            item.status = StatementRunItem.Status.DONE
            item.statement = generated.statement
            item.save(update_fields=["status", "statement"])
            StatementRun.objects.filter(pk=run.pk).update(
                done=F("done") + 1, created=F("created") + (1 if generated.created else 0)
            )
    statement_run_finish(run_id=item.run_id)


def statement_run_finish(*, run_id: int) -> None:
    with transaction.atomic():
        run = StatementRun.objects.select_for_update().get(pk=run_id)
        if run.status != StatementRun.Status.RUNNING or run.done + run.failed < run.total:
            return
        run.status = StatementRun.Status.FAILED if run.failed else StatementRun.Status.DONE
        run.errors = [
            {"agreement": number, "error": error}
            for number, error in run.items.filter(
                status=StatementRunItem.Status.FAILED
            ).values_list("agreement__number", "error")
        ]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "errors", "finished_at"])
        event_record(
            action="statement_run.finished",
            obj=run,
            detail={
                "period": run.period,
                "done": run.done,
                "failed": run.failed,
                "created": run.created,
            },
        )
