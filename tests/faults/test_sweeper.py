"""Faults strand no committed work: a broker outage or a killed worker leaves rows that
the sweeper (settlements.services.sweeper) queues again; /healthz reports what is left."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from common import clock
from common.models import Event
from config.celery import app
from kpis.models import SalesImport
from settlements import services
from settlements.models import DailyRun, Statement, StatementRun, StatementRunItem
from settlements.notifications import ISSUED_EVENT
from tests import factories as f

pytestmark = pytest.mark.django_db

STATEMENTS = "/api/v1/statements/"


@pytest.fixture(autouse=True)
def _celery_conf_restored():
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_write_url")}
    yield
    app.conf.update(saved)
    _pools_reset()


def _pools_reset():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Jobs go to a broker (not in-process), and every publish fails as a refused
    connection does."""
    app.conf.task_always_eager = False
    sent = mock.Mock(side_effect=BrokerError("Error 111 connecting to 127.0.0.1:1."))
    monkeypatch.setattr(app, "send_task", sent)
    return sent


def _age(model, pk, minutes, field="updated_at"):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(minutes=minutes)})


def _draft(world):
    agreement = world["agreements"][world["brand_a1"].pk]
    f.user(world["brand_a1"], "brand_finance", email="finance@brand.example")
    from core.periods import Period

    return services.statement_generate(
        agreement=agreement, period=Period.parse("2026-08"), by=None
    ).statement


def test_issue_with_the_broker_down_answers_200_and_the_sweeper_renders_the_pdf(
    world, clients, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    draft = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["staff_a"].post(
            f"{STATEMENTS}{draft.pk}/issue/", {"issued_on": "2026-09-08"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert broker_down.call_count == 2  # the PDF and the e-mail: both refused, both logged
    draft.refresh_from_db()
    assert draft.status == Statement.Status.ISSUED and not draft.pdf
    assert mail.outbox == []

    # Issuing again is still refused as before (409): the statement is issued.
    again = clients["staff_a"].post(
        f"{STATEMENTS}{draft.pk}/issue/", {"issued_on": "2026-09-08"}, format="json"
    )
    assert again.status_code == 409

    # Too fresh for the sweeper (it may still be in a queue): nothing is queued yet.
    app.conf.task_always_eager = True
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 9))
    assert services.sweep()["pdfs"] == []

    # The broker is back (jobs run in-process here) and the sweeper's time has come.
    _age(Statement, draft.pk, 11)
    done = services.sweep()
    assert done["pdfs"] == [draft.pk] and done["notices"] == [draft.pk]
    draft.refresh_from_db()
    assert draft.pdf.open("rb").read(5) == b"%PDF-"
    assert len(mail.outbox) == 1
    assert Event.objects.filter(action=ISSUED_EVENT, object_id=draft.pk).count() == 1

    # Idempotent: a second sweep finds nothing left to do.
    assert not any(services.sweep().values())


def test_a_month_end_run_started_during_an_outage_is_finished_by_the_sweeper(
    world, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    agreement = world["agreements"][world["brand_a1"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        run = services.statement_run_start(period="2026-08", by=None, agreement=agreement)
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (StatementRun.Status.RUNNING, 0, 1)

    app.conf.task_always_eager = True
    _age(StatementRun, run.pk, 11, field="created_at")
    done = services.sweep()
    assert len(done["run_items"]) == 1
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (StatementRun.Status.DONE, 1, 1)
    assert Statement.objects.filter(agreement=agreement, period="2026-08").count() == 1


def test_a_run_left_running_with_every_item_done_is_finished(world):
    """A worker killed between an item's commit and the run's finish: 1/1 done, "running"."""
    agreement = world["agreements"][world["brand_a1"].pk]
    run = services.statement_run_start(
        period="2026-08", by=None, agreement=agreement, dispatch=False
    )
    services.statement_run_item_process(item_id=run.items.get().pk)
    StatementRun.objects.filter(pk=run.pk).update(
        status=StatementRun.Status.RUNNING, finished_at=None
    )
    assert services.sweep()["runs_finished"] == [run.pk]
    run.refresh_from_db()
    assert run.status == StatementRun.Status.DONE and run.finished_at is not None


def test_a_run_item_stranded_for_hours_is_given_up(world, broker_down):
    agreement = world["agreements"][world["brand_a1"].pk]
    run = services.statement_run_start(
        period="2026-08", by=None, agreement=agreement, dispatch=False
    )
    _age(StatementRun, run.pk, 7 * 60, field="created_at")
    done = services.sweep()
    assert done["runs_finished"] == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.failed) == (StatementRun.Status.FAILED, 1)
    assert StatementRunItem.objects.get(run=run).status == StatementRunItem.Status.FAILED


def _import(world, status=SalesImport.Status.PENDING):
    agreement = world["agreements"][world["brand_a1"].pk]
    sales_import = SalesImport(agreement=agreement, original_name="sales.csv", status=status)
    sales_import.file.save(
        "sales.csv",
        ContentFile(
            b"product,sold_on,quantity,unit_price,channel,external_ref\n"
            b"TEA-1,2026-08-05,3,199.00,tmall,IMP-1\n"
        ),
        save=False,
    )
    sales_import.save()
    return sales_import


def test_an_upload_during_an_outage_is_imported_by_the_sweeper(world, broker_down, monkeypatch):
    sales_import = _import(world)
    app.conf.task_always_eager = True
    assert services.sweep()["imports"] == []  # fresh: maybe still queued
    _age(SalesImport, sales_import.pk, 11, field="created_at")
    assert services.sweep()["imports"] == [sales_import.pk]
    sales_import.refresh_from_db()
    assert (sales_import.status, sales_import.rows_created) == ("done", 1)


def test_an_import_interrupted_twice_is_marked_failed(world):
    from kpis.tasks import sales_import_task

    sales_import = _import(world, status=SalesImport.Status.VALIDATING)  # killed once
    assert sales_import_task.apply(args=[sales_import.pk]).get() == "done"
    SalesImport.objects.filter(pk=sales_import.pk).update(status="importing")  # killed again
    SalesImport.objects.filter(pk=sales_import.pk).update(status="validating")
    sales_import = _import(world, status=SalesImport.Status.VALIDATING)
    assert sales_import_task.apply(args=[sales_import.pk]).get() == "done"
    SalesImport.objects.filter(pk=sales_import.pk).update(status="importing")
    assert sales_import_task.apply(args=[sales_import.pk]).get() == "failed"
    sales_import.refresh_from_db()
    assert "stopped twice" in sales_import.errors[0]["text"]


def test_an_import_running_beside_itself_is_not_started_twice(world):
    from django.core.cache import cache

    from kpis.tasks import RUNNING_KEY, sales_import_task

    sales_import = _import(world)
    cache.add(RUNNING_KEY.format(id=sales_import.pk), 1)
    assert sales_import_task.apply(args=[sales_import.pk]).get() == "busy"
    sales_import.refresh_from_db()
    assert sales_import.status == SalesImport.Status.PENDING


def test_a_pending_daily_run_is_queued_again(world, monkeypatch):
    run = services.daily_run_create(until=clock.today(), by=None, trigger=DailyRun.Trigger.API)
    _age(DailyRun, run.pk, 11, field="created_at")
    assert services.sweep()["daily_runs"] == [run.pk]
    run.refresh_from_db()
    assert run.status != DailyRun.Status.PENDING


def test_the_sweeper_is_on_the_beat_schedule():
    from django.conf import settings

    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "settlements.tasks.sweep_task" in entries


# --- /healthz ----------------------------------------------------------------------------


def test_healthz_ok_with_details(client):
    response = client.get("/healthz?details=1")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["stranded"]["oldest_seconds"] is None


def test_healthz_503_when_the_database_fails(client, monkeypatch):
    from django.db import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("common.views.connection.cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_healthz_503_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_503_when_work_is_stranded_too_long(world, client, broker_down):
    sales_import = _import(world)
    _age(SalesImport, sales_import.pk, 20, field="created_at")
    assert client.get("/healthz").status_code == 200  # stranded, within the limit
    _age(SalesImport, sales_import.pk, 45, field="created_at")
    response = client.get("/healthz")
    assert response.status_code == 503
    stranded = response.json()["checks"]["stranded"]
    assert stranded["kinds"]["imports_unfinished"]["count"] == 1
    assert stranded["oldest_seconds"] >= 45 * 60


def test_delay_with_the_broker_down_returns_none_and_logs(broker_down, caplog):
    from settlements.tasks import statement_pdf_task

    assert statement_pdf_task.delay(123) is None
    assert "broker unavailable" in caplog.text


def test_a_real_closed_port_fails_fast(monkeypatch):
    """No monkeypatched producer: a broker URL nobody listens on (publish gives up fast)."""
    import time

    from settlements.tasks import statement_pdf_task

    app.conf.task_always_eager = False
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # (CELERY_BROKER_URL wins over broker_url)
    _pools_reset()
    started = time.monotonic()
    assert statement_pdf_task.delay(1) is None
    assert time.monotonic() - started < 10
