"""daily-runs/: staff run the daily job up to a day and read what it did, within their
agency; disputes with attachments and dates through the statements endpoints."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common import clock
from core.periods import Period
from kpis.services import sale_line_record
from settlements import messages as msg
from settlements import services
from settlements.models import DailyRun, DisputeAttachment

DAILY = "/api/v1/daily-runs/"
STATEMENTS = "/api/v1/statements/"


def _post(client, url, data=None, **extra):
    return client.post(url, data if data is not None else {}, format="json", **extra)


def _run(client, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, DAILY, data)
    assert response.status_code == 201, response.data
    return client.get(f"{DAILY}{response.json()['id']}/").json()


def test_staff_run_the_job_and_see_their_own_agencys_part(
    world, clients, django_capture_on_commit_callbacks
):
    run = _run(clients["staff_a"], django_capture_on_commit_callbacks)
    assert (run["status"], run["until"], run["trigger"]) == ("done", str(clock.today()), "api")
    assert set(run["summary"]) == {
        "renewed",
        "expired",
        "end_bills",
        "deemed_confirmed",
        "penalty_notices",
        "flags",
        "reminders",
        "obligations_missed",
        "obligation_reminders",
    }
    # Every agreement's setup fee (due 2026-05-23) is unpaid: overdue flags, each agency's.
    a_ids = {world["agreements"][world[b].pk].pk for b in ("brand_a1", "brand_a2")}
    b_id = world["agreements"][world["brand_b1"].pk].pk

    def agreements_flagged(part):
        return {int(key.split(":")[1]) for key in part["items"]}

    mine = run["summary"]["flags"]
    assert mine["count"] == len(mine["items"]) > 0
    assert agreements_flagged(mine) == a_ids
    assert all(key.startswith(("payment_overdue:", "statement_late:")) for key in mine["items"])
    theirs = clients["staff_b"].get(f"{DAILY}{run['id']}/").json()["summary"]["flags"]
    assert agreements_flagged(theirs) == {b_id}
    everything = clients["superuser"].get(f"{DAILY}{run['id']}/").json()
    assert everything["summary"]["flags"]["count"] == mine["count"] + theirs["count"]

    # Again for the same day: nothing is recorded twice.
    again = _run(clients["staff_a"], django_capture_on_commit_callbacks)
    assert again["status"] == "done"
    assert {rule: part["count"] for rule, part in again["summary"].items()} == {
        rule: 0 for rule in again["summary"]
    }


def test_a_run_up_to_an_earlier_day_and_bad_input(
    world, clients, django_capture_on_commit_callbacks
):
    staff = clients["staff_a"]
    run = _run(staff, django_capture_on_commit_callbacks, {"until": "2026-07-01"})
    assert (run["status"], run["until"]) == ("done", "2026-07-01")
    tomorrow = clock.today() + timedelta(days=1)
    future = _post(staff, DAILY, {"until": tomorrow.isoformat()})
    assert (future.status_code, future.json()) == (400, {"until": [msg.FUTURE_DATE]})
    assert _post(staff, DAILY, {"until": "31/12/2026"}).status_code == 400
    assert DailyRun.objects.count() == 1  # a refused run is not recorded


def test_brand_users_neither_run_nor_see_daily_runs(
    world, clients, django_capture_on_commit_callbacks
):
    run = _run(clients["staff_a"], django_capture_on_commit_callbacks)
    finance = clients["finance_a1"]
    assert _post(finance, DAILY).status_code == 403
    assert finance.get(DAILY).json()["count"] == 0
    assert finance.get(f"{DAILY}{run['id']}/").status_code == 404
    assert DailyRun.objects.count() == 1


@pytest.fixture
def october(world):
    """Brand A1's October statement, issued 2026-11-27: its receipt is still open today
    (2026-11-29 or later in the tests' clock only if the deadline has not passed)."""
    agreement = world["agreements"][world["brand_a1"].pk]
    staff = world["users"]["staff_a"]
    sale_line_record(
        agreement=agreement,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": "2026-10-05",
            "quantity": 10,
            "unit_price": "199.00",
            "tax": "0",
            "logistics": "0",
            "channel": "tmall",
            "external_ref": "OCT-1",
        },
    )
    statement = services.statement_generate(agreement=agreement, period=Period(2026, 10), by=staff)
    return services.statement_issue(
        statement=statement.statement, issued_on=date(2026, 11, 27), by=staff
    )


@pytest.fixture
def before_deadline(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 11, 30))


def test_dispute_with_attachments_served_only_in_scope(world, clients, october, before_deadline):
    finance, url = clients["finance_a1"], f"{STATEMENTS}{october.pk}"
    assert october.payment_due_on is not None  # provisional, before the brand answers
    screenshot = SimpleUploadedFile("截图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")
    sheet = SimpleUploadedFile("our-list.csv", b"sku,qty\nTEA-1,8\n", "text/csv")
    response = finance.post(
        f"{url}/dispute/",
        {"comment": "数量应为 8 / quantity is 8", "attachments": [screenshot, sheet]},
        format="multipart",
    )
    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["status"], body["payment_due_on"], body["disputed_on"]) == (
        "disputed",
        None,
        "2026-11-30",
    )
    names = [a["name"] for a in body["dispute_attachments"]]
    assert names == ["截图.png", "our-list.csv"]
    link = body["dispute_attachments"][1]["url"].removeprefix("http://testserver")
    download = finance.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"sku,qty\nTEA-1,8\n"
    assert clients["staff_a"].get(link).status_code == 200
    for outsider in ("finance_b1", "finance_a2", "staff_b"):
        assert clients[outsider].get(link).status_code == 404
    other = DisputeAttachment.objects.get(name="our-list.csv").pk + 1000
    assert finance.get(f"{url}/attachments/{other}/").status_code == 404


def test_a_refused_dispute_changes_nothing(world, clients, october, before_deadline):
    finance, url = clients["finance_a1"], f"{STATEMENTS}{october.pk}"
    program = SimpleUploadedFile("run.exe", b"MZ...", "application/octet-stream")
    response = finance.post(
        f"{url}/dispute/", {"comment": "x", "attachments": [program]}, format="multipart"
    )
    assert response.status_code == 400
    assert "run.exe" in response.json()["attachments"][0]
    october.refresh_from_db()
    assert october.status == "issued" and october.payment_due_on is not None
    assert not DisputeAttachment.objects.exists()
    not_disputed = _post(finance, f"{url}/withdraw-dispute/")
    assert not_disputed.status_code == 409


def test_dispute_after_the_receipt_deadline_is_refused(world, clients, october, monkeypatch):
    deadline = october.receipt_due_on
    monkeypatch.setattr("common.clock.today", lambda: deadline + timedelta(days=1))
    finance, url = clients["finance_a1"], f"{STATEMENTS}{october.pk}"
    response = _post(finance, f"{url}/dispute/", {"comment": "晚了"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": msg.RECEIPT_DEADLINE_PASSED.format(deadline=deadline.isoformat())},
    )
    confirm = _post(finance, f"{url}/confirm/")
    assert confirm.status_code == 409
    october.refresh_from_db()
    assert october.status == "issued"
    # The daily job then records the confirmation by silence, dated on the deadline.
    services.daily_run()
    october.refresh_from_db()
    assert (october.status, october.confirmed_on, october.deemed_confirmed) == (
        "confirmed",
        deadline,
        True,
    )
    assert Decimal(october.total_due) > 0
