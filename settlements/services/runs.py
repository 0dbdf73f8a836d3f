"""The month-end run: its agreements settled in batches by the workers.

``statement_run_start`` makes one item per agreement and, once committed, queues tasks of
``RUN_BATCH`` items. A batch (``statement_run_batch_process``) runs in one transaction:
it locks its pending items, reads its agreements' sales, carried-in amounts, expenses and
KPI records in a few queries (``bulk.monthly_inputs_many``), settles each with the pure
rules, writes the statements, their lines and events with bulk inserts, marks the items
and adds to the run's counters once. Items already settled are skipped, so a redelivered
batch, or a batch that died half-way (nothing of it committed), creates nothing twice.
An agreement that already has a statement for the month (a run again), or whose
statement another run makes at the same moment (the unique constraint), is settled one
at a time as ``statement_run_item_process`` does, which the sweeper also queues.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common import clock
from common.events import event_record, events_record_many
from common.models import Event
from contracts.models import Agreement
from core.exceptions import DomainError, RuleViolation
from core.periods import Period
from settlements import messages as msg
from settlements import tasks
from settlements.models import Statement, StatementLine, StatementRun, StatementRunItem
from settlements.selectors import SETTLED_KINDS, agreements_settled_in
from settlements.services._common import lines_of, next_numbers
from settlements.services.bulk import monthly_inputs_many
from settlements.services.monthly import MonthlyComputation, monthly_compute, statement_generate
from settlements.vat import agreement_vat_rate

RUN_BATCH = 100  # agreements per task: about a second of a worker's time


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
    """Queue the run's pending items, ``RUN_BATCH`` to a task."""
    pending = list(
        StatementRunItem.objects.filter(
            run_id=run_id, status=StatementRunItem.Status.PENDING
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(pending), RUN_BATCH):
        tasks.statement_run_batch_task.delay(pending[start : start + RUN_BATCH])


@dataclass
class _Counts:
    done: int = 0
    failed: int = 0
    created: int = 0

    def add(self, run_id: int) -> None:
        """Add to the run's counters (in the items' transaction: they commit together)."""
        if self.done or self.failed:
            StatementRun.objects.filter(pk=run_id).update(
                done=F("done") + self.done,
                failed=F("failed") + self.failed,
                created=F("created") + self.created,
            )


def _item_settle(item: StatementRunItem, run: StatementRun, counts: _Counts) -> None:
    """One agreement the careful way (``statement_generate``: refresh a draft, safe
    against a concurrent run), in its own savepoint."""
    try:
        with transaction.atomic():
            generated = statement_generate(
                agreement=item.agreement, period=Period.parse(run.period), by=run.created_by
            )
    except DomainError as error:
        item.status = StatementRunItem.Status.FAILED
        item.error = str(error)
        item.save(update_fields=["status", "error"])
        counts.failed += 1
    else:
        item.status = StatementRunItem.Status.DONE
        item.statement = generated.statement
        item.save(update_fields=["status", "statement"])
        counts.done += 1
        counts.created += 1 if generated.created else 0


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
        counts = _Counts()
        _item_settle(item, item.run, counts)
        counts.add(item.run_id)
    statement_run_finish(run_id=item.run_id)


def statement_run_batch_process(*, item_ids: Sequence[int]) -> None:
    """Settle a batch of a run's items in one transaction; safe to run twice.

    If another run made one of the batch's statements meanwhile (the unique constraint
    refuses the insert), the batch rolls back and its items are settled one at a time.
    """
    try:
        with transaction.atomic():
            run_ids = _batch_settle(item_ids)
    except IntegrityError:
        for item_id in item_ids:
            statement_run_item_process(item_id=item_id)
        return
    for run_id in run_ids:
        statement_run_finish(run_id=run_id)


def _batch_settle(item_ids: Sequence[int]) -> set[int]:
    items = list(
        StatementRunItem.objects.select_for_update(of=("self",))
        .filter(pk__in=item_ids, status=StatementRunItem.Status.PENDING)
        .select_related("run", "agreement__revenue_share_terms", "agreement__b2b_terms")
        .order_by("pk")
    )
    by_run: dict[int, list[StatementRunItem]] = {}
    for item in items:
        by_run.setdefault(item.run_id, []).append(item)
    for run_items in by_run.values():
        _run_items_settle(run_items[0].run, run_items)
    return set(by_run)


def _run_items_settle(run: StatementRun, items: list[StatementRunItem]) -> None:
    period = Period.parse(run.period)
    counts = _Counts()
    made = set(
        Statement.objects.filter(
            agreement_id__in=[i.agreement_id for i in items],
            kind=Statement.Kind.MONTHLY,
            period=str(period),
        ).values_list("agreement_id", flat=True)
    )
    fresh = [i for i in items if i.agreement.kind in SETTLED_KINDS and i.agreement_id not in made]
    fresh_ids = {i.pk for i in fresh}
    for item in items:
        if item.pk not in fresh_ids:  # already made (a draft to refresh), or not monthly
            _item_settle(item, run, counts)
    inputs = monthly_inputs_many([i.agreement for i in fresh], period)
    computed: list[tuple[StatementRunItem, MonthlyComputation]] = []
    for item in fresh:
        try:
            computation = monthly_compute(
                agreement=item.agreement, period=period, inputs=inputs[item.agreement_id]
            )
        except DomainError as error:
            item.status, item.error = StatementRunItem.Status.FAILED, str(error)
            counts.failed += 1
        else:
            computed.append((item, computation))
    _statements_write(run, period, computed)
    counts.done += len(computed)
    counts.created += len(computed)
    StatementRunItem.objects.bulk_update(fresh, ["status", "statement", "error"])
    counts.add(run.pk)


def _statements_write(
    run: StatementRun,
    period: Period,
    computed: list[tuple[StatementRunItem, MonthlyComputation]],
) -> None:
    """Version 1 of each computed statement, its lines and its event: one insert each.
    The numbers are taken last, so the sequence's lock is held only while writing."""
    if not computed:
        return
    numbers = next_numbers(period.last_day.year, len(computed))
    statements = Statement.objects.bulk_create(
        Statement(
            number=number,
            base_number=number,
            version=1,
            agreement=item.agreement,
            kind=Statement.Kind.MONTHLY,
            period=str(period),
            total_due=computation.total_due,
            figures=computation.figures,
            penalty_rate_per_day=item.agreement.penalty_rate_per_day,
            vat_rate=agreement_vat_rate(item.agreement),
        )
        for number, (item, computation) in zip(numbers, computed, strict=True)
    )
    StatementLine.objects.bulk_create(
        line
        for statement, (_, computation) in zip(statements, computed, strict=True)
        for line in lines_of(statement, computation.lines)
    )
    events_record_many(
        [
            Event(
                action="statement.generated",
                actor=run.created_by,
                agreement=item.agreement,
                object_type="statement",
                object_id=statement.pk,
                detail={"period": str(period), "version": 1, "total_due": str(statement.total_due)},
            )
            for statement, (item, _) in zip(statements, computed, strict=True)
        ]
    )
    for statement, (item, _) in zip(statements, computed, strict=True):
        item.status, item.statement = StatementRunItem.Status.DONE, statement


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
