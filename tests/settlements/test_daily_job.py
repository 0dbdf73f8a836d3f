"""The daily job: dated records whatever day it runs, isolated rows, recorded runs, the
run_daily command, the admin's runs and button, and the embedded scheduler."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from common.models import Event
from common.scheduler import EmbeddedScheduler
from contracts.models import Agreement
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services as s
from settlements.models import DailyRun, FlagSeen, Statement
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def rs():
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 9, 14),
        auto_renew=True,
    )
    f.product(agreement.brand, sku="TEA-1", factory_price=D("80.00"), min_retail_price=D("1"))
    return agreement


@pytest.fixture
def staff(rs):
    return f.user(rs.agency, User.Role.AGENCY_STAFF)


def _issued_august(rs, staff, issued_on=date(2026, 9, 8)):
    sale_line_record(
        agreement=rs,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": "A-1",
        },
    )
    draft = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    return s.statement_issue(statement=draft, issued_on=issued_on, by=staff)


def test_a_late_run_dates_every_record_as_its_rule_says(rs, staff):
    """The issue's example: an agreement that ended on 2026-09-14 with no objection, a
    statement past its receipt deadline, a consulting agreement that ended: one run
    weeks later renews, confirms, bills and notices with the rules' own dates."""
    statement = _issued_august(rs, staff)  # receipt due 09-15
    consulting = f.agreement(
        "consulting_fixed_fee",
        brand_org=rs.brand,
        activate=True,
        signed_on=date(2026, 5, 25),
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 10, 31),
        penalty_rate_per_day=D("0.005"),
    )
    run = s.daily_run(until=date(2026, 11, 20))
    assert run.status == "done", run.errors
    rs.refresh_from_db()
    # Renewed for a year from the old end date (2026-09-14), not from the run's day.
    assert (rs.status, rs.ends_on, rs.renewal_count) == ("active", date(2027, 9, 14), 1)
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_on, statement.deemed_confirmed) == (
        "confirmed",
        date(2026, 9, 15),
        True,
    )
    end_bill = Statement.objects.get(agreement=consulting, kind="installment", installment_number=2)
    assert (end_bill.issued_on, end_bill.payment_due_on) == (date(2026, 10, 31), date(2026, 11, 4))
    notices = statement.penalty_notices.order_by("penalty_as_of")
    assert [(n.issued_on, n.penalty_as_of) for n in notices] == [
        (date(2026, 10, 1), date(2026, 9, 30)),
        (date(2026, 11, 1), date(2026, 10, 31)),
    ]
    seen = FlagSeen.objects.get(flag="payment_overdue", statement=statement)
    assert seen.seen_on == date(2026, 9, 21)  # the first overdue day, not the run's day
    names = {item["name"] for item in run.summary["renewed"]["items"]}
    assert names == {rs.number}
    assert run.summary["deemed_confirmed"]["count"] == 1
    assert run.summary["end_bills"]["count"] == 1


def test_an_agreement_without_renewal_expires_and_a_sale_after_renewal_is_accepted(rs, staff):
    other = f.agreement(
        "revenue_share",
        brand_org=rs.brand,
        activate=True,
        ends_on=date(2026, 9, 14),
        auto_renew=False,
    )
    run = s.daily_run(until=date(2026, 10, 1))
    assert run.status == "done", run.errors
    other.refresh_from_db()
    assert other.status == Agreement.Status.EXPIRED
    rs.refresh_from_db()  # renewed from 2026-09-14: an October sale belongs to it
    line = sale_line_record(
        agreement=rs,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": "2026-10-05",
            "quantity": 1,
            "unit_price": "199.00",
            "tax": "0",
            "logistics": "0",
            "channel": "tmall",
            "external_ref": "OCT-1",
        },
    ).line
    assert line.sold_on == date(2026, 10, 5)


def test_one_bad_row_is_recorded_and_the_others_go_on(rs, staff, monkeypatch):
    first = _issued_august(rs, staff)
    second_agreement = f.agreement("revenue_share", brand_org=rs.brand, activate=True)
    f.product(second_agreement.brand, sku="TEA-2", factory_price=D("1"), min_retail_price=D("1"))
    second = s.statement_generate(agreement=second_agreement, period=Period(2026, 8), by=staff)
    second = s.statement_issue(statement=second.statement, issued_on=date(2026, 9, 8), by=staff)
    from settlements.services import review

    real_confirm = review.statement_confirm

    def failing(*, statement, **kwargs):
        if statement.pk == first.pk:
            raise RuntimeError("disk full")
        return real_confirm(statement=statement, **kwargs)

    monkeypatch.setattr(review, "statement_confirm", failing)
    run = s.daily_run(until=date(2026, 9, 20))
    assert run.status == DailyRun.Status.FAILED
    assert run.errors == [
        {
            "step": "deemed_confirmations",
            "object": first.number,
            "error": "RuntimeError: disk full",
            "agency": rs.agency_id,
        }
    ]
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == ("issued", "confirmed")
    assert run.summary["deemed_confirmed"]["items"] == [
        {"name": second.number, "agency": rs.agency_id}
    ]
    assert Event.objects.filter(action="daily_run.failed", object_id=run.pk).exists()
    # Fixed, the next run catches up with the same date as the rule gives.
    monkeypatch.setattr(review, "statement_confirm", real_confirm)
    assert s.daily_run(until=date(2026, 9, 21)).status == "done"
    first.refresh_from_db()
    assert (first.status, first.confirmed_on) == ("confirmed", date(2026, 9, 15))


def test_dispute_unanswered_is_flagged_for_staff_after_the_reply_window(rs, staff):
    terms = rs.revenue_share_terms
    terms.dispute_reply_working_days = 2
    terms.save()
    statement = _issued_august(rs, staff)
    s.statement_dispute(
        statement=statement, comment="请核对", disputed_on=date(2026, 9, 10), by=staff
    )

    def flagged(day):
        return [fl.name for fl in s.flags_as_of(as_of=day) if fl.name == "dispute_unanswered"]

    assert flagged(date(2026, 9, 14)) == []  # reply by 09-14 (2 working days after 09-10)
    assert flagged(date(2026, 9, 15)) == ["dispute_unanswered"]
    # No payment is due while the dispute is open: no overdue, no penalty, no notice.
    assert not [
        fl
        for fl in s.flags_as_of(as_of=date(2026, 12, 1))
        if fl.name == "payment_overdue" and fl.statement == statement
    ]
    s.daily_run(until=date(2026, 11, 25))
    assert not statement.penalty_notices.exists()
    assert FlagSeen.objects.get(flag="dispute_unanswered").seen_on == date(2026, 9, 15)
    s.statement_reply(statement=statement, reply="已核实", replied_on=date(2026, 9, 16), by=staff)
    assert flagged(date(2026, 9, 16)) == []


def test_run_daily_command(rs, staff, capsys):
    _issued_august(rs, staff)
    call_command("run_daily", "--until", "2026-09-16")
    out = capsys.readouterr().out
    assert "up to 2026-09-16: Done" in out and "deemed_confirmed: 1" in out
    call_command("run_daily", "--until", "2026-09-16")
    assert "deemed_confirmed: 0" in capsys.readouterr().out
    run = DailyRun.objects.first()
    assert (run.trigger, run.until) == ("command", date(2026, 9, 16))
    with pytest.raises(CommandError, match="未来|future"):
        call_command("run_daily", "--until", "2099-01-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("run_daily", "--until", "soon")


def test_admin_lists_runs_and_runs_the_job(rs, staff, client, django_capture_on_commit_callbacks):
    _issued_august(rs, staff)
    client.force_login(staff)
    listing = client.get(reverse("admin:settlements_dailyrun_changelist"))
    assert listing.status_code == 200
    run_url = reverse("admin:settlements_dailyrun_run")
    assert run_url in listing.content.decode()
    assert client.get(run_url).status_code == 200
    refused = client.post(run_url, {"until": "2099-01-01"})
    # the refusal in the page's language (zh-hans): "日期不能晚于今天"
    assert refused.status_code == 200 and "日期不能晚于今天" in refused.content.decode()
    assert not DailyRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run_url, {"until": "2026-09-16"})
    run = DailyRun.objects.get()
    assert response.status_code == 302
    assert (run.status, run.trigger, run.created_by) == ("done", "admin", staff)
    page = client.get(reverse("admin:settlements_dailyrun_change", args=[run.pk])).content.decode()
    assert (
        "视为确认的对账单" in page  # the rule in words, in the page's language
        and rs.revenue_share_terms.agreement.statements.get(kind="monthly").number in page
    )
    # Another agency's staff see the run, not this agency's records in it.
    other = f.user(f.agency("另一家代运营"), User.Role.AGENCY_STAFF)
    client.force_login(other)
    page = client.get(reverse("admin:settlements_dailyrun_change", args=[run.pk])).content.decode()
    assert Statement.objects.get(kind="monthly").number not in page


def test_brand_users_have_no_daily_runs_in_the_admin(rs, client):
    finance = f.user(rs.brand, User.Role.BRAND_FINANCE)
    finance.is_staff = True  # even if someone ticked the box
    finance.save()
    client.force_login(finance)
    assert client.get(reverse("admin:settlements_dailyrun_changelist")).status_code in (302, 403)


class FakeClock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_the_embedded_scheduler_catches_up_then_runs_when_due():
    ran = []
    clock = FakeClock(datetime(2026, 11, 29, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai
    scheduler = EmbeddedScheduler(
        {
            "daily": {"task": "daily", "schedule": crontab(hour=0, minute=5)},
            "month": {"task": "month", "schedule": crontab(day_of_month=1, hour=2, minute=0)},
        },
        run_task=ran.append,
        now=clock,
    )
    for entry in scheduler.entries:  # crontab compares with the fake clock too
        entry.schedule.nowfun = clock
    assert scheduler.catch_up() == ["daily", "month"]  # at start-up, every task once
    assert ran == ["daily", "month"]
    assert scheduler.tick()[0] == []  # nothing due again yet
    clock.now = datetime(2026, 11, 29, 16, 6, tzinfo=UTC)  # 00:06 on 11-30 in Shanghai
    assert scheduler.tick()[0] == ["daily"]
    clock.now = datetime(2026, 11, 30, 18, 1, tzinfo=UTC)  # 02:01 on 12-01 in Shanghai
    due, sleep = scheduler.tick()
    assert due == ["daily", "month"] and 0 < sleep <= 300


def test_a_failing_task_does_not_stop_the_scheduler():
    calls = []

    def run_task(name):
        calls.append(name)
        raise RuntimeError("boom")

    scheduler = EmbeddedScheduler(
        {"daily": {"task": "daily", "schedule": crontab(hour=0, minute=5)}}, run_task=run_task
    )
    assert scheduler.catch_up() == ["daily"] and calls == ["daily"]


def test_the_scheduled_task_records_a_run(rs):
    from settlements.tasks import daily_task, month_end_task

    run = DailyRun.objects.get(pk=daily_task.apply().get())
    assert (run.trigger, run.status) == ("schedule", "done")
    first = month_end_task.apply().get()
    assert first is not None and month_end_task.apply().get() is None  # once a month
    assert timedelta(0) <= run.finished_at - run.started_at


def test_the_admin_list_shows_a_silent_statement_as_confirmed(rs, staff, client, monkeypatch):
    statement = _issued_august(rs, staff)  # receipt due 2026-09-15
    client.force_login(staff)
    url = reverse("admin:settlements_statement_changelist")
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 15))
    assert "by silence" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 16))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "by silence on 2026-09-15" in page and statement.number in page


def test_the_dispute_unanswered_filter(rs, staff, client, monkeypatch):
    statement = _issued_august(rs, staff)
    s.statement_dispute(
        statement=statement, comment="请核对", disputed_on=date(2026, 9, 10), by=staff
    )
    client.force_login(staff)
    url = reverse("admin:settlements_statement_changelist") + "?dispute_unanswered=yes"
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 17))  # reply by 09-17
    assert statement.number not in client.get(url).content.decode()
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 18))
    assert statement.number in client.get(url).content.decode()
