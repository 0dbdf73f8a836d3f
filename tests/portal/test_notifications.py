"""E-mails to the brand: new statements, receipt and payment reminders, overdue notices."""

from datetime import date
from decimal import Decimal

import pytest

from common.models import Event
from core.periods import Period
from settlements import notifications as n
from settlements import services
from tests.portal.conftest import _sale

pytestmark = pytest.mark.django_db
D = Decimal
BASE = "https://portal.example.com"


@pytest.fixture(autouse=True)
def _portal_base(settings):
    settings.PORTAL_BASE_URL = BASE + "/"


def _to(message):
    return set(message.to)


def test_issuing_mails_the_brand_with_a_link(world, mailoutbox, django_capture_on_commit_callbacks):
    _sale(world.rs, "SEP-1", "2026-09-05", 20)
    draft = services.statement_generate(agreement=world.rs, period=Period(2026, 9), by=None)
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_issue(
            statement=draft.statement, issued_on=date(2026, 10, 9), by=world.staff
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == (
        f"[{world.rs.number}] 新对账单 {statement.number} / New statement {statement.number}"
    )
    assert _to(message) == {"finance@tea.example", "viewer@tea.example", "caiwu@tea.example"}
    assert f"{BASE}/portal/statements/{statement.pk}/" in message.body
    assert "2026年9月对账单" in message.body and "the statement for September 2026" in message.body
    assert f"¥{statement.total_due:,.2f}" in message.body
    due = statement.receipt_due_on  # 5 working days after issue (10-10 is a make-up day)
    assert due == date(2026, 10, 15)
    assert "2026年10月15日" in message.body and "15 October 2026" in message.body
    assert Event.objects.filter(action=n.ISSUED_EVENT, object_id=statement.pk).count() == 1
    # Once only, whatever calls it again.
    assert n.statement_issued_notify(statement=statement) == 0
    assert len(mailoutbox) == 1


def test_one_off_bills_are_announced_too(world, mailoutbox, django_capture_on_commit_callbacks):
    from tests import factories as f

    with django_capture_on_commit_callbacks(execute=True):
        agreement = f.agreement("revenue_share", brand_org=world.tea, activate=True)
    assert len(mailoutbox) == 1
    assert "启动费账单" in mailoutbox[0].body and agreement.number in mailoutbox[0].subject


def test_receipt_reminder_once_before_the_deadline(world, mailoutbox):
    statement = world.issued  # receipt due 2026-09-15
    assert statement.receipt_due_on == date(2026, 9, 15)
    assert statement.number not in n.reminders_send(on=date(2026, 9, 12))["receipt"]
    mailoutbox.clear()
    sent = n.reminders_send(on=date(2026, 9, 13))
    assert statement.number in sent["receipt"]
    message = next(m for m in mailoutbox if statement.number in m.subject)
    assert "请确认对账单" in message.subject and "Please confirm" in message.subject
    assert f"{BASE}/portal/statements/{statement.pk}/" in message.body
    assert "2026年9月15日" in message.body and "15 September 2026" in message.body
    assert n.reminders_send(on=date(2026, 9, 14))["receipt"] == []


def test_payment_reminder_before_the_due_date(world, mailoutbox):
    statement = services.statement_confirm(
        statement=world.issued, confirmed_on=date(2026, 9, 11), by=world.finance
    )
    assert statement.payment_due_on == date(2026, 9, 20)
    assert statement.number not in n.reminders_send(on=date(2026, 9, 16))["payment"]
    mailoutbox.clear()
    assert statement.number in n.reminders_send(on=date(2026, 9, 17))["payment"]
    message = next(m for m in mailoutbox if statement.number in m.subject)
    assert "付款提醒" in message.subject
    assert "未付 ¥2,793.00" in message.body
    assert statement.number not in n.reminders_send(on=date(2026, 9, 18))["payment"]


def test_overdue_notices_weekly_with_the_penalty(world, mailoutbox):
    statement = services.statement_confirm(
        statement=world.issued, confirmed_on=date(2026, 9, 11), by=world.finance
    )

    def last_about_it():
        return [m for m in mailoutbox if statement.number in m.subject][-1].body

    assert statement.number not in n.reminders_send(on=date(2026, 9, 20))["overdue"]
    assert statement.number in n.reminders_send(on=date(2026, 9, 21))["overdue"]
    body = last_about_it()
    assert "已逾期 1 天" in body and "1 days overdue" in body
    assert "¥8.38" in body  # 2,793.00 × 0.003 × 1 day, rounded once
    for day in range(22, 28):
        assert statement.number not in n.reminders_send(on=date(2026, 9, day))["overdue"]
    assert statement.number in n.reminders_send(on=date(2026, 9, 28))["overdue"]
    assert "已逾期 8 天" in last_about_it()
    # 16 days overdue on 10-06: the agency's termination right is mentioned.
    assert statement.number in n.reminders_send(on=date(2026, 10, 6))["overdue"]
    assert "已逾期 16 天" in last_about_it() and "乙方有权解除协议" in last_about_it()


def test_the_overdue_flag_sends_the_overdue_notice_not_a_second_mail(world, mailoutbox):
    statement = services.statement_confirm(
        statement=world.issued, confirmed_on=date(2026, 9, 11), by=world.finance
    )
    services.flags_log_new(as_of=date(2026, 9, 21))
    overdue = [m for m in mailoutbox if statement.number in m.subject]
    assert len(overdue) == 1 and "付款已逾期" in overdue[0].subject
    n.reminders_send(on=date(2026, 9, 21))
    assert len([m for m in mailoutbox if statement.number in m.subject]) == 1


def test_flag_mails_link_to_the_portal(world, mailoutbox):
    services.flags_log_new(as_of=date(2026, 11, 24))
    flagged = [m for m in mailoutbox if "15 天" in m.subject]
    assert flagged
    assert f"{BASE}/portal/statements/" in flagged[0].body


def test_daily_run_sends_the_reminders(world, mailoutbox, monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 13))
    result = services.daily_run()
    sent = [item["name"] for item in result.summary["reminders"]["items"]]
    assert f"receipt:{world.issued.number}" in sent
    again = services.daily_run()
    assert again.summary["reminders"]["count"] == 0


def test_reminders_are_sent_on_the_day_only(world, mailoutbox):
    # A run up to a past day (a catch-up) records what the rules call for, but e-mails
    # about "now" (reminders) only go out when the run is for today.
    result = services.daily_run(until=date(2026, 9, 13))
    assert result.summary["reminders"]["count"] == 0
    assert not [m for m in mailoutbox if "回执" in m.subject]


def test_no_recipients_no_mail(world, mailoutbox):
    world.silk.users.update(email="")
    assert n.statement_issued_notify(statement=world.silk_statement) == 0
    assert mailoutbox == []


def test_penalty_notices_are_announced_by_the_daily_reminders(world, mailoutbox):
    notices = services.penalty_notices_due(until=date(2026, 11, 1))
    assert world.confirmed.penalty_notices.exists() and notices
    sent = n.reminders_send(on=date(2026, 11, 2))
    newest = world.confirmed.penalty_notices.order_by("penalty_as_of").last()
    assert newest.issued_on == date(2026, 11, 1) and newest.number in sent["issued"]
    assert any("违约金通知" in m.body for m in mailoutbox)
    assert n.reminders_send(on=date(2026, 11, 3))["issued"] == []
