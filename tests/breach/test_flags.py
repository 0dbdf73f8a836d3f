"""The sender's termination right as a flag: it arises the day after cure_by, lapses
with a cure, is shown, logged once by the daily job with the rule's date, and e-mailed."""

from datetime import date, timedelta

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.models import Event
from contracts.models import Agreement
from obligations import breach
from settlements import selectors, services
from settlements.models import FlagSeen
from settlements.portal.dashboard import flag_rows

pytestmark = pytest.mark.django_db

NAME = "breach_termination_right"


def send(world, by="agency", sent_on=date(2026, 9, 1), user=None):
    return breach.breach_notice_send(
        agreement=world.agreement,
        by=by,
        sent_on=sent_on,
        description="未按约定提供月度推广计划",
        clause="第六章 A",
        user=user or world.staff,
    )


def breach_flags(day, world):
    return [
        flag
        for flag in selectors.flags_as_of(
            as_of=day, agreements=Agreement.objects.filter(pk=world.agreement.pk)
        )
        if flag.name == NAME
    ]


def test_the_right_arises_the_day_after_cure_by(world):
    notice = send(world)  # cure_by 2026-09-16
    assert breach_flags(date(2026, 9, 16), world) == []
    (flag,) = breach_flags(date(2026, 9, 17), world)
    assert flag.notice == notice
    assert flag.detail == {
        "held_by": "agency",
        "notice": notice.number,
        "sent_on": "2026-09-01",
        "cure_by": "2026-09-16",
    }
    assert flag.key == f"{NAME}:{world.agreement.pk}:-:{notice.number}"


def test_a_cure_in_time_gives_no_right_and_a_late_one_ends_it(world, today):
    in_time = send(world)
    breach.breach_notice_cure(notice=in_time, cured_on=date(2026, 9, 16), user=world.staff)
    late = send(world, by="brand", user=world.finance, sent_on=date(2026, 9, 2))  # 9-17
    breach.breach_notice_cure(notice=late, cured_on=date(2026, 9, 25), user=world.staff)
    windows = [w for w in selectors.flag_windows(until=today.day) if w.flag.name == NAME]
    assert [(w.flag.notice, w.window.first, w.window.last) for w in windows] == [
        (late, date(2026, 9, 18), date(2026, 9, 24))
    ]
    assert [f.notice for f in breach_flags(date(2026, 9, 24), world)] == [late]
    assert breach_flags(date(2026, 9, 25), world) == []


def test_an_agreement_terminated_while_the_right_held_keeps_it_used(world, today):
    from contracts.services import agreement_terminate

    notice = send(world)
    agreement_terminate(
        agreement=world.agreement, on=date(2026, 9, 20), reason="违约解除", by=world.staff
    )
    breach.breach_notice_cure(notice=notice, cured_on=date(2026, 9, 25), user=world.staff)
    (window,) = [w for w in selectors.flag_windows(until=today.day) if w.flag.name == NAME]
    assert (window.window.first, window.window.last) == (date(2026, 9, 17), date(2026, 9, 20))


def test_the_brand_reads_who_holds_the_right_on_its_dashboard(world):
    from django.utils import translation

    agency_notice = send(world)
    brand_notice = send(world, by="brand", user=world.finance)
    rows = flag_rows(breach_flags(date(2026, 9, 20), world))
    with translation.override("en"):
        texts = {
            row["url"]: row["text"] for row in flag_rows(breach_flags(date(2026, 9, 20), world))
        }
    assert all(row["termination"] for row in rows)
    assert (
        "the agency holds a right to terminate"
        in texts[f"/portal/breach-notices/{agency_notice.pk}/"]
    )
    assert "you hold a right to terminate" in texts[f"/portal/breach-notices/{brand_notice.pk}/"]
    assert "Sept. 16, 2026" in texts[f"/portal/breach-notices/{brand_notice.pk}/"]


def test_the_dashboard_page_shows_the_right(world, client, today):
    send(world)
    today.set(date(2026, 9, 20))
    client.force_login(world.finance)
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "the agency holds a right to terminate" in page.content.decode()


def test_the_daily_job_logs_it_once_dated_by_the_rule_and_emails_it(
    world, today, django_capture_on_commit_callbacks
):
    notice = send(world)
    today.set(date(2026, 9, 25))
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_run(until=date(2026, 9, 25))
        services.daily_run(until=date(2026, 9, 25))
    seen = FlagSeen.objects.get(flag=NAME)
    assert seen.seen_on == date(2026, 9, 17)
    assert seen.key == f"{NAME}:{world.agreement.pk}:-:{notice.number}"
    event = Event.objects.get(action=f"flag.{NAME}")
    assert event.detail["as_of"] == "2026-09-17"
    assert event.detail["notice"] == notice.number
    mails = [m for m in mail.outbox if notice.number in m.subject and "解除" in m.subject]
    assert len(mails) == 1
    assert f"/portal/breach-notices/{notice.pk}/" in mails[0].body


def test_a_right_that_came_and_went_is_logged_not_mailed(
    world, today, django_capture_on_commit_callbacks
):
    notice = send(world)
    breach.breach_notice_cure(notice=notice, cured_on=date(2026, 9, 20), user=world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_run(until=today.day)
    assert FlagSeen.objects.get(flag=NAME).seen_on == date(2026, 9, 17)
    assert not [m for m in mail.outbox if "解除" in m.subject]


def test_the_workbench_lists_cure_clocks_and_rights(world, today):
    from settlements import workbench as wb

    running = send(world, sent_on=date(2026, 9, 25))
    past = send(world, by="brand", user=world.finance, sent_on=date(2026, 9, 1))
    cured = send(world, sent_on=date(2026, 9, 2))
    breach.breach_notice_cure(notice=cured, cured_on=date(2026, 9, 5), user=world.staff)
    bench = wb.workbench(user=world.staff, today=today.day)
    assert bench.cure_clocks == [past, running]
    assert [f.notice for f in bench.terminations if f.name == NAME] == [past]


# --- once equals every day -------------------------------------------------------------

START = date(2026, 9, 1)
LAST_DAY = date(2026, 10, 31)

plans = st.lists(
    st.fixed_dictionaries(
        {
            "sent_after": st.integers(min_value=0, max_value=30),
            "by": st.sampled_from(["agency", "brand"]),
            "cured_after": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
        }
    ),
    min_size=1,
    max_size=3,
)


def _play(world, plan, monkeypatch, *, every_day):
    from django.db import transaction

    with transaction.atomic():
        notices = {}
        day = START
        while day <= LAST_DAY:
            monkeypatch.setattr("common.clock.today", lambda day=day: day)
            for index, item in enumerate(plan):
                sent_on = START + timedelta(days=item["sent_after"])
                if day == sent_on:
                    notices[index] = send(world, by=item["by"], sent_on=day)
                cured_after = item["cured_after"]
                if cured_after is not None and day == sent_on + timedelta(days=cured_after):
                    breach.breach_notice_cure(notice=notices[index], cured_on=day, user=world.staff)
            if every_day:
                services.daily_run(until=day)
            day += timedelta(days=1)
        if not every_day:
            services.daily_run(until=LAST_DAY)
        records = (
            sorted(
                (seen.flag, seen.period, seen.seen_on, seen.key.rsplit(":", 1)[1][-1:])
                for seen in FlagSeen.objects.filter(flag=NAME)
            ),
            sorted(
                (e.action, e.detail.get("as_of"), e.detail.get("held_by"))
                for e in Event.objects.filter(action=f"flag.{NAME}")
            ),
        )
        transaction.set_rollback(True)
    return records


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans)
def test_once_up_to_a_day_equals_every_day(world, plan, monkeypatch):
    every_day = _play(world, plan, monkeypatch, every_day=True)
    once = _play(world, plan, monkeypatch, every_day=False)
    assert once == every_day
