"""Issue 16: a month-end run's drafts are issued by the workers, a batch per transaction.

The button (and the API) only marks the drafts waiting and queues batches; a batch issues
its drafts once, however often it is delivered, and one that dies commits nothing; asking
twice queues once; the caller's scope decides which drafts; the sweeper picks up batches
a lost message stranded."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from common.models import Event
from config.celery import app
from core.exceptions import DomainError
from settlements import services
from settlements.models import Statement, StatementRun, StatementRunItem
from settlements.services import bulk, run_issue, sweeper
from tests import factories as f
from tests.api.conftest import token_client
from tests.settlements.test_admin_runs import world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ISSUED_ON = date(2026, 9, 8)
Issue = StatementRunItem.Issue


def _run(by, capture):
    with capture(execute=True):
        run = services.statement_run_start(period="2026-08", by=by)
    run.refresh_from_db()
    return run


def _drafts(agreements):
    return Statement.objects.filter(agreement__in=agreements, kind="monthly")


def test_a_batch_issues_each_draft_once_however_often_it_is_delivered(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    queued = services.statement_run_issue_start(
        run=run, by=world["staff"], issued_on=ISSUED_ON, dispatch=False
    )
    assert queued == 2
    ids = list(run.items.filter(issue=Issue.PENDING).values_list("pk", flat=True))
    assert len(ids) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.statement_run_issue_batch(item_ids=ids) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.statement_run_issue_batch(item_ids=ids) == 0  # redelivered
    statements = _drafts(world["good"])
    assert [(s.status, s.issued_on) for s in statements] == [("issued", ISSUED_ON)] * 2
    assert statements.count() == 2  # no second version
    run.refresh_from_db()
    assert run.issue_finished_at is not None
    assert services.issue_counts(run) == {"waiting": 0, "issued": 2, "refused": 0}
    finished = Event.objects.filter(action="statement_run.issue_finished", object_id=str(run.pk))
    assert finished.count() == 1 and finished.get().detail["issued"] == 2


def test_a_batch_that_dies_half_way_commits_nothing_and_the_retry_issues_once(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    services.statement_run_issue_start(
        run=run, by=world["staff"], issued_on=ISSUED_ON, dispatch=False
    )
    ids = list(run.items.filter(issue=Issue.PENDING).values_list("pk", flat=True))
    real = StatementRunItem.objects.bulk_update

    def die(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(StatementRunItem.objects, "bulk_update", die)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as queued:
        services.statement_run_issue_batch(item_ids=ids)
    assert queued == []  # no PDF task, no e-mail: nothing committed
    assert set(_drafts(world["good"]).values_list("status", flat=True)) == {"draft"}
    assert run.items.filter(issue=Issue.PENDING).count() == 2
    monkeypatch.setattr(StatementRunItem.objects, "bulk_update", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.statement_run_issue_batch(item_ids=ids) == 2
    assert set(_drafts(world["good"]).values_list("status", flat=True)) == {"issued"}
    numbers = list(_drafts(world["good"]).values_list("number", flat=True))
    assert len(set(numbers)) == 2


def test_asking_again_while_the_drafts_wait_queues_nothing_more(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    first = services.statement_run_issue_start(
        run=run, by=world["staff"], issued_on=ISSUED_ON, dispatch=False
    )
    second = services.statement_run_issue_start(
        run=run, by=world["staff"], issued_on=date(2026, 9, 9), dispatch=False
    )
    assert (first, second) == (2, 0)
    run.refresh_from_db()
    assert run.issued_on == ISSUED_ON  # the first request's date stands


def test_a_refused_draft_is_recorded_with_its_reason_and_the_rest_are_issued(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    victim = _drafts([world["good"][0]]).get()
    real = bulk.statement_issue

    def refuse_one(*, statement, **kwargs):
        if statement.pk == victim.pk:
            raise DomainError("协议已终止 / the agreement has ended")
        return real(statement=statement, **kwargs)

    monkeypatch.setattr(bulk, "statement_issue", refuse_one)
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_run_issue_start(run=run, by=world["staff"], issued_on=ISSUED_ON)
    victim.refresh_from_db()
    assert victim.status == "draft"
    item = run.items.get(statement=victim)
    assert (item.issue, item.issue_error) == (
        Issue.REFUSED,
        "协议已终止 / the agreement has ended",
    )
    assert _drafts([world["good"][1]]).get().status == "issued"
    run.refresh_from_db()
    assert run.issue_finished_at is not None
    # Asked again (the cause fixed), only the refused draft is queued.
    monkeypatch.setattr(bulk, "statement_issue", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.statement_run_issue_start(run=run, by=world["staff"], issued_on=ISSUED_ON) == 1
        )
    victim.refresh_from_db()
    assert victim.status == "issued"


def test_staff_issue_only_their_agencys_drafts_of_a_run_over_every_agency(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = _run(None, django_capture_on_commit_callbacks)  # the schedule: every agency
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.statement_run_issue_start(run=run, by=world["staff"], issued_on=ISSUED_ON)
    assert queued == 2
    assert set(_drafts(world["good"]).values_list("status", flat=True)) == {"issued"}
    assert _drafts([world["foreign"]]).get().status == "draft"


def test_the_sweeper_queues_waiting_batches_again_and_gives_up_after_hours(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    services.statement_run_issue_start(
        run=run, by=world["staff"], issued_on=ISSUED_ON, dispatch=False
    )  # the message was lost
    assert services.sweep()["issue_items"] == []  # fresh: maybe still in the queue
    assert sweeper.stranded()["issue_items_waiting"]["count"] == 0
    StatementRun.objects.filter(pk=run.pk).update(
        issue_started_at=timezone.now() - timedelta(minutes=11)
    )
    assert sweeper.stranded()["issue_items_waiting"]["count"] == 2
    assert app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=True):
        assert len(services.sweep()["issue_items"]) == 2
    assert set(_drafts(world["good"]).values_list("status", flat=True)) == {"issued"}

    # Another run whose batches never ran for hours: given up, said why, finished.
    again = services.statement_run_start(period="2026-08", by=world["staff"], dispatch=False)
    StatementRunItem.objects.filter(run=again).update(
        status=StatementRunItem.Status.DONE,
        statement=_drafts([world["good"][0]]).get(),
        issue=Issue.PENDING,
    )
    StatementRun.objects.filter(pk=again.pk).update(
        issue_started_at=timezone.now() - timedelta(hours=7)
    )
    services.sweep()
    assert set(again.items.values_list("issue", "issue_error")) == {
        (Issue.REFUSED, sweeper.ISSUE_GAVE_UP)
    }
    again.refresh_from_db()
    assert again.issue_finished_at is not None


def test_the_api_queues_the_issue_and_the_run_shows_how_far_it_got(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    staff = token_client(world["staff"])
    url = f"/api/v1/statement-runs/{run.pk}/issue/"
    bad = staff.post(url, {"issued_on": "2026-13-01"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"issued_on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, {"issued_on": "2026-09-08"}, format="json")
    assert response.status_code == 202, response.json()
    assert set(_drafts(world["good"]).values_list("status", flat=True)) == {"issued"}
    shown = staff.get(f"/api/v1/statement-runs/{run.pk}/").json()["issue"]
    assert shown["issued_on"] == "2026-09-08" and shown["finished_at"]
    assert (shown["waiting"], shown["issued"], shown["not_issued"]) == (0, 2, 0)
    listed = staff.get("/api/v1/statement-runs/").json()["results"][0]["issue"]
    assert listed["issued"] == 2

    # Another agency's staff and the brand: as if the run did not exist.
    other = token_client(f.user(world["foreign"].agency, User.Role.AGENCY_STAFF))
    assert other.post(url, {}, format="json").status_code == 404
    brand = token_client(f.user(world["good"][0].brand, User.Role.BRAND_FINANCE))
    assert brand.post(url, {}, format="json").status_code in (403, 404)


def test_run_issue_module_batches_as_the_bulk_issue_does():
    assert run_issue.ISSUE_BATCH == bulk.ISSUE_BATCH == sweeper.ISSUE_BATCH
