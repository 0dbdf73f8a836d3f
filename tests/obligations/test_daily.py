"""The daily job's obligations: missed ones dated on their due date, schedules following
renewals and terminations, reminders on the day; once up to D equals every day up to D."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import User
from common.models import Event
from contracts.services import agreement_terminate
from obligations.models import Obligation
from settlements.services import daily_run
from tests import factories as f

pytestmark = pytest.mark.django_db
START, LAST = date(2026, 6, 1), date(2026, 10, 20)


def _world(brand, staff):
    """A B2B agreement renewing by a month at a time and a consulting one ended early."""
    b2b = f.agreement(
        "b2b_commission",
        brand_org=brand,
        activate=True,
        by=staff,
        starts_on=START,
        ends_on=date(2026, 7, 15),
        auto_renew=True,
        renewal_term_months=1,
        terms={
            "monthly_service_fee": Decimal("1000.00"),
            "min_distributors": 1,
            "min_cartons": 1,
            "min_sales_amount": Decimal("1.00"),
        },
    )
    consulting = f.agreement(
        "consulting_fixed_fee",
        brand_org=brand,
        activate=True,
        by=staff,
        starts_on=START,
        ends_on=date(2027, 5, 31),
    )
    return b2b, consulting


def _snapshot(agreements):
    rows = Obligation.objects.filter(agreement__in=agreements).order_by(
        "agreement__kind", "template_key", "period", "due_on"
    )
    events = Event.objects.filter(agreement__in=agreements, action__startswith="obligation.")
    return (
        [
            (o.agreement.kind, o.template_key, o.period, o.due_on, o.status, o.missed_on)
            for o in rows
        ],
        sorted(
            (e.agreement.kind, e.action, e.detail.get("due_on"), e.detail.get("missed_on") or "")
            for e in events.select_related("agreement")
            if e.action in ("obligation.missed", "obligation.removed")
        ),
    )


def _play(monkeypatch, brand, staff, every_day):
    state = {"day": START}
    monkeypatch.setattr("common.clock.today", lambda: state["day"])
    agreements = _world(brand, staff)
    day = START
    while day <= LAST:
        state["day"] = day
        if day == date(2026, 9, 20):
            agreement_terminate(
                agreement=agreements[1], on=date(2026, 8, 20), reason="提前终止", by=staff
            )
        if every_day or day == LAST:
            daily_run(until=day)
        day += timedelta(days=1)
    return _snapshot(agreements)


def test_once_equals_every_day(monkeypatch):
    agency = f.agency()
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    daily = _play(monkeypatch, f.brand(agency), staff, every_day=True)
    once = _play(monkeypatch, f.brand(agency), staff, every_day=False)
    assert daily == once
    rows = daily[0]
    b2b_meetings = [r for r in rows if r[1] == "b2b.monthly_meeting"]
    # Renewed a month at a time, it now runs to 2026-11-15: a meeting for each month from
    # June to November, each passed one missed on its own due date (October's, due 10-31,
    # is still open on 10-20).
    assert [r[2] for r in b2b_meetings] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    assert [(r[4], r[5]) for r in b2b_meetings[:4]] == [
        ("missed", date(2026, 6, 30)),
        ("missed", date(2026, 7, 31)),
        ("missed", date(2026, 8, 31)),
        ("missed", date(2026, 9, 30)),
    ]
    trainings = [r for r in rows if r[1] == "cf.quarterly_training"]
    # Terminated on 08-20: Q2 and Q3 (due on the last day, 08-20) only.
    assert [(r[2], r[3], r[4]) for r in trainings] == [
        ("2026-Q2", date(2026, 6, 30), "missed"),
        ("2026-Q3", date(2026, 8, 20), "missed"),
    ]


def test_missed_is_in_the_runs_summary_and_reminders_are_sent_on_the_day(
    monkeypatch, people, deals
):
    people["staff"].email = "staff@agency.test"
    people["staff"].save()
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 7, 28))
    run = daily_run(until=date(2026, 7, 28))
    missed = run.summary["obligations_missed"]
    assert missed["count"] >= 3  # June's meeting, report and the Q2 training
    assert missed["by_agency"] == {str(people["agency"].pk): missed["count"]}
    reminded = run.summary["obligation_reminders"]["items"]
    meeting = Obligation.objects.get(
        agreement=deals["b2b_commission"], template_key="b2b.monthly_meeting", period="2026-07"
    )
    assert {
        "name": f"obligation-{meeting.pk}:{deals['b2b_commission'].number}",
        "agency": people["agency"].pk,
    } in reminded
    sent = len(mail.outbox)
    daily_run(until=date(2026, 7, 28))
    assert len(mail.outbox) == sent  # never twice
    # A run for a past day sends nothing.
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 8, 28))
    past = daily_run(until=date(2026, 8, 27))
    assert past.summary["obligation_reminders"]["count"] == 0
