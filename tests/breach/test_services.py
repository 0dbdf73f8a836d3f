"""Sending a breach notice and recording its cure (obligations.breach)."""

from datetime import date

import pytest
from django.core import mail

from common.models import Event
from core.exceptions import InvalidStateError, RuleViolation
from obligations import breach
from obligations import breach_messages as msg
from obligations.models import BreachNotice

pytestmark = pytest.mark.django_db


def send(world, **kwargs):
    values = {
        "agreement": world.agreement,
        "by": "agency",
        "sent_on": date(2026, 9, 1),
        "description": "未按约定提供产品培训",
        "clause": "第六章 A",
        "user": world.staff,
    }
    values.update(kwargs)
    return breach.breach_notice_send(**values)


def test_staff_send_a_notice_with_its_cure_date_and_number(world):
    notice = send(world)
    assert notice.number == "BN-2026-000001"
    assert notice.cure_days == 15
    assert notice.cure_by == date(2026, 9, 16)
    assert notice.by == "agency"
    assert notice.created_by == world.staff
    event = Event.objects.get(action="breach_notice.sent")
    assert event.object_id == notice.pk and event.agreement_id == world.agreement.pk
    assert event.detail["cure_by"] == "2026-09-16"
    assert send(world).number == "BN-2026-000002"


def test_the_cure_days_of_the_terms_are_frozen_on_the_notice(world):
    terms = world.agreement.terms
    terms.cure_days = 30
    terms.save()
    notice = send(world, sent_on=date(2026, 9, 10))
    assert notice.cure_by == date(2026, 10, 10)
    terms.cure_days = 5
    terms.save()
    notice.refresh_from_db()
    assert notice.cure_by == date(2026, 10, 10)


def test_the_other_side_is_emailed_with_the_cure_date(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = send(world)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert notice.number in message.subject
    assert set(message.to) == {
        "finance@brand.example",
        "viewer@brand.example",
        "legal@brand.example",
    }
    assert "请于 2026年9月16日 前纠正" in message.body
    assert f"/portal/breach-notices/{notice.pk}/" in message.body
    notice.refresh_from_db()
    assert notice.pdf  # rendered in the background and kept with the notice


def test_a_brand_notice_emails_the_agency_staff(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = send(world, by="brand", user=world.finance)
    assert [m.to for m in mail.outbox] == [["staff@agency.example"]]
    assert f"/admin/obligations/breachnotice/{notice.pk}/change/" in mail.outbox[0].body


def test_the_sent_email_goes_once(world, django_capture_on_commit_callbacks):
    from obligations.breach_notifications import breach_notice_sent_notify

    with django_capture_on_commit_callbacks(execute=True):
        notice = send(world)
    assert breach_notice_sent_notify(notice=notice) == 0
    assert len(mail.outbox) == 1


def test_brand_finance_sends_only_for_the_brand(world):
    notice = send(world, by="brand", user=world.finance)
    assert notice.by == "brand"
    with pytest.raises(RuleViolation) as refused:
        send(world, by="agency", user=world.finance)
    assert refused.value.errors == {"by": [msg.BRAND_SENDS_AS_BRAND]}


def test_staff_record_a_notice_the_brand_sent_in_writing(world):
    assert send(world, by="brand", user=world.staff).by == "brand"


@pytest.mark.parametrize("who", ["viewer", "other_finance"])
def test_others_cannot_send(world, who):
    with pytest.raises(RuleViolation) as refused:
        send(world, by="brand", user=getattr(world, who))
    assert refused.value.errors == {"non_field_errors": [msg.BRAND_FINANCE_ONLY]}
    assert not BreachNotice.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"sent_on": date(2026, 10, 1)}, "sent_on", msg.FUTURE_DATE),
        (
            {"sent_on": date(2026, 5, 31)},
            "sent_on",
            msg.OUTSIDE_AGREEMENT.format(first="2026-06-01", last="2027-05-31"),
        ),
        ({"description": "  "}, "description", msg.DESCRIPTION_REQUIRED),
        ({"by": "nobody"}, "by", msg.UNKNOWN_SIDE),
    ],
)
def test_bad_notices_are_refused(world, values, field, message):
    with pytest.raises(RuleViolation) as refused:
        send(world, **values)
    assert refused.value.errors == {field: [message]}


def test_a_notice_on_a_draft_agreement_is_refused(world):
    from tests import factories as f

    draft = f.agreement("revenue_share", brand_org=world.agreement.brand)
    with pytest.raises(RuleViolation) as refused:
        send(world, agreement=draft)
    assert refused.value.errors == {"agreement": [msg.NOT_IN_FORCE]}


def test_the_obligation_must_be_the_agreements(world):
    from obligations.models import Obligation

    theirs = Obligation.objects.create(
        agreement=world.other,
        title="月度会议",
        kind="meeting",
        owed_by="agency",
        due_on=date(2026, 8, 31),
    )
    with pytest.raises(RuleViolation) as refused:
        send(world, obligation=theirs)
    assert refused.value.errors == {"obligation": [msg.OBLIGATION_OF_OTHER_AGREEMENT]}
    mine = Obligation.objects.create(
        agreement=world.agreement,
        title="月度会议",
        kind="meeting",
        owed_by="agency",
        due_on=date(2026, 8, 31),
    )
    assert send(world, obligation=mine).obligation == mine


def test_cure_in_time_then_twice_is_409(world):
    notice = send(world)
    cured = breach.breach_notice_cure(
        notice=notice, cured_on=date(2026, 9, 16), note="已补做培训", user=world.finance
    )
    assert cured.cured_on == date(2026, 9, 16) and cured.cure_note == "已补做培训"
    event = Event.objects.get(action="breach_notice.cured")
    assert event.detail["in_time"] is True
    with pytest.raises(InvalidStateError) as refused:
        breach.breach_notice_cure(notice=notice, cured_on=date(2026, 9, 20), user=world.staff)
    assert str(refused.value) == msg.ALREADY_CURED.format(day="2026-09-16")


def test_a_late_cure_is_logged_as_late(world):
    notice = send(world)
    breach.breach_notice_cure(notice=notice, cured_on=date(2026, 9, 20), user=world.staff)
    assert Event.objects.get(action="breach_notice.cured").detail["in_time"] is False


@pytest.mark.parametrize(
    ("cured_on", "message"),
    [(date(2026, 10, 1), msg.FUTURE_DATE), (date(2026, 8, 31), msg.CURED_BEFORE_SENT)],
)
def test_bad_cure_dates_are_refused(world, cured_on, message):
    notice = send(world)
    with pytest.raises(RuleViolation) as refused:
        breach.breach_notice_cure(notice=notice, cured_on=cured_on, user=world.staff)
    assert refused.value.errors == {"cured_on": [message]}


@pytest.mark.parametrize("who", ["viewer", "other_finance"])
def test_others_cannot_record_a_cure(world, who):
    notice = send(world)
    with pytest.raises(RuleViolation):
        breach.breach_notice_cure(
            notice=notice, cured_on=date(2026, 9, 10), user=getattr(world, who)
        )
    notice.refresh_from_db()
    assert notice.cured_on is None
