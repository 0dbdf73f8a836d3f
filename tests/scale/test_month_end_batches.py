"""The month-end at scale, for correctness (not time): 200 agreements through a real
Celery worker in batches, then issued by the worker in batches (the run page's button)
and their PDFs rendered in batches
(PostgreSQL and Redis; runs in CI, where .ci/run sets DATABASE_URL and CELERY_BROKER_URL).

The worker and its reports are tests/faults/test_worker_killed.py's: the test blocks on
the worker's reports (a Redis list), never on the clock.
"""

from datetime import date

from bench.month_end import _populate
from settlements import services
from settlements.models import Statement, StatementRun, StatementRunItem
from settlements.services import sweeper
from settlements.services.runs import RUN_BATCH
from tests.faults.test_worker_killed import harness, pytestmark  # noqa: F401  (fixture, marks)

N = 200
BATCH_TASK = "settlements.tasks.statement_run_batch_task"
PDFS_TASK = "settlements.tasks.statement_pdfs_task"
ISSUE_TASK = "settlements.tasks.statement_run_issue_task"


def _wait_batches(reports, task, batches, what):
    """Block until each batch (a list of ids) has a finished ``task`` reported."""
    waiting = [sorted(batch) for batch in batches]
    while waiting:
        report = reports.wait(
            lambda r: (
                r["phase"] == "post" and r["task"] == task and sorted(r["args"][0]) in waiting
            ),
            what=what,
        )
        assert report["state"] == "SUCCESS", report
        waiting.remove(sorted(report["args"][0]))


def _batches_of(run):
    items = list(run.items.order_by("pk").values_list("pk", flat=True))
    return [items[i : i + RUN_BATCH] for i in range(0, len(items), RUN_BATCH)]


def _one_each(run, n, created):
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.failed, run.created) == (
        StatementRun.Status.DONE,
        n,
        n,
        0,
        created,
    )
    month = Statement.objects.filter(kind="monthly", period="2026-08")
    assert month.count() == n
    assert month.values("agreement").distinct().count() == n
    assert not run.items.exclude(status=StatementRunItem.Status.DONE).exists()


def test_a_month_of_200_agreements_through_a_worker_in_batches(harness):  # noqa: F811
    from settlements.tasks import statement_run_batch_task

    app, reports, start = harness
    _populate(N, 3)
    start()
    run = services.statement_run_start(period="2026-08", by=None)  # queued once committed
    batches = _batches_of(run)
    assert len(batches) == N // RUN_BATCH
    _wait_batches(reports, BATCH_TASK, batches, "the run's batches")
    _one_each(run, N, created=N)

    # A batch delivered again (a worker lost before acknowledging it) finds its items
    # settled: nothing is made twice and the counters do not move.
    statement_run_batch_task.delay(batches[0])
    _wait_batches(reports, BATCH_TASK, [batches[0]], "the redelivered batch")
    _one_each(run, N, created=N)

    # Issued as the run page's button does: the worker issues the drafts in batches
    # (one redelivered, issuing nothing twice) and renders every PDF in batches.
    from settlements.tasks import statement_run_issue_task

    queued = services.statement_run_issue_start(run=run, by=None, issued_on=date(2026, 9, 8))
    assert queued == N
    issue_batches = _batches_of(run)
    _wait_batches(reports, ISSUE_TASK, issue_batches, "the issue batches")
    statement_run_issue_task.delay(issue_batches[0])
    _wait_batches(reports, ISSUE_TASK, [issue_batches[0]], "the redelivered issue batch")
    run.refresh_from_db()
    assert run.issue_finished_at is not None
    assert services.issue_counts(run) == {"waiting": 0, "issued": N, "refused": 0}
    assert Statement.objects.filter(kind="monthly", period="2026-08").count() == N
    while Statement.objects.filter(period="2026-08", pdf="").exists():
        reports.wait(lambda r: r["phase"] == "post" and r["task"] == PDFS_TASK, what="PDFs")
    for statement in Statement.objects.filter(period="2026-08"):
        assert statement.status == Statement.Status.ISSUED
        assert statement.pdf.open("rb").read(5) == b"%PDF-"
    assert sweeper.stranded()["statements_without_pdf"]["count"] == 0


def test_a_batch_with_some_agreements_already_settled_makes_only_the_rest(harness):  # noqa: F811
    from settlements.tasks import statement_run_batch_task

    app, reports, start = harness
    _populate(30, 2)
    run = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    items = list(run.items.order_by("pk").values_list("pk", flat=True))
    for item_id in items[:10]:  # settled one at a time before the batch arrives
        services.statement_run_item_process(item_id=item_id)
    # Another run of the same month made some of the statements already (drafts).
    again = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    start()
    statement_run_batch_task.delay(items)
    statement_run_batch_task.delay(list(again.items.values_list("pk", flat=True)))
    _wait_batches(
        reports,
        BATCH_TASK,
        [items, list(again.items.values_list("pk", flat=True))],
        "both runs' batches",
    )
    run.refresh_from_db()
    again.refresh_from_db()
    assert (run.status, run.done) == (StatementRun.Status.DONE, 30)
    assert (again.status, again.done) == (StatementRun.Status.DONE, 30)
    # Whichever run reached an agreement first made its statement: once each in all.
    assert run.created + again.created == 30
    month = Statement.objects.filter(kind="monthly", period="2026-08")
    assert month.count() == 30 and month.values("agreement").distinct().count() == 30
