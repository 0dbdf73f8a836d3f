"""The month-end job through a real Celery worker on Redis (CI sets CELERY_BROKER_URL).

Waiting is on task results (Redis result backend), never on the clock.
"""

import os
from datetime import date
from decimal import Decimal

import pytest

from contracts.models import Agreement
from kpis.services import sale_line_record
from settlements import services
from settlements.models import Statement, StatementRun
from tests import factories as f

BROKER = os.environ.get("CELERY_BROKER_URL", "")
pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER.startswith("redis://"),
        reason="needs CELERY_BROKER_URL=redis://… (set by .ci/run); runs in CI",
    ),
]


@pytest.fixture
def worker():
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    saved = {k: app.conf[k] for k in ("task_always_eager", "result_backend", "broker_url")}
    app.conf.update(task_always_eager=False, result_backend=BROKER, broker_url=BROKER)
    # Celery caches the result backend per thread; earlier eager tests left a disabled one.
    app._local.__dict__.pop("backend", None)
    app.control.purge()
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30
    ):
        yield app
    app.conf.update(saved)
    app._local.__dict__.pop("backend", None)


def _agreements(n):
    agreements = []
    for i in range(n):
        agreement = f.agreement("revenue_share", activate=True)
        f.product(agreement.brand, sku="SKU-1", factory_price=Decimal("80.00"))
        sale_line_record(
            agreement=agreement,
            by=None,
            data={
                "product": "SKU-1",
                "sold_on": "2026-08-05",
                "quantity": 10 + i,
                "unit_price": "199.00",
                "channel": "tmall",
                "external_ref": f"W-{i}",
            },
        )
        agreements.append(agreement)
    return agreements


def _wait(results):
    return [r.get(timeout=120, propagate=True) for r in results]


def test_month_end_through_a_real_worker_makes_no_duplicates(worker):
    from settlements.tasks import statement_run_item_task

    agreements = _agreements(4)
    # First run: a worker settles two agreements, then dies with the rest unacknowledged.
    crashed = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    items = list(crashed.items.order_by("pk").values_list("pk", flat=True))
    _wait([statement_run_item_task.delay(pk) for pk in items[:2]])
    assert Statement.objects.filter(kind="monthly").count() == 2

    # The period is run again, and the broker redelivers the lost tasks of the first run,
    # one of them twice (at-least-once delivery).
    second = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    second_items = list(second.items.values_list("pk", flat=True))
    _wait(
        [statement_run_item_task.delay(pk) for pk in second_items]
        + [statement_run_item_task.delay(pk) for pk in items[2:]]
        + [statement_run_item_task.delay(items[2])]
    )

    assert Statement.objects.filter(kind="monthly", period="2026-08").count() == 4
    for agreement in agreements:
        assert Statement.objects.filter(agreement=agreement, kind="monthly").count() == 1
    crashed.refresh_from_db()
    second.refresh_from_db()
    assert (crashed.status, crashed.done) == (StatementRun.Status.DONE, 4)
    assert (second.status, second.done) == (StatementRun.Status.DONE, 4)
    # Whichever run reached an agreement first created its statement; together, once each.
    assert crashed.created + second.created == 4


def test_statement_run_api_path_dispatches_to_the_worker(worker):
    from settlements.tasks import statement_run_item_task

    _agreements(2)
    run = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    _wait([statement_run_item_task.delay(pk) for pk in run.items.values_list("pk", flat=True)])
    run.refresh_from_db()
    assert (run.status, run.total, run.created) == ("done", 2, 2)
    statement = Statement.objects.filter(kind="monthly").first()
    issued = services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=None)
    from settlements.tasks import statement_pdf_task

    # Issuing queued the PDF on commit; whichever task ran second found it done.
    statement_pdf_task.delay(issued.pk).get(timeout=120)
    issued.refresh_from_db()
    assert issued.pdf.name.endswith(".pdf")
    assert issued.pdf.open("rb").read(5) == b"%PDF-"
    assert statement_pdf_task.delay(issued.pk).get(timeout=120) is False
    assert Agreement.objects.count() == 2
