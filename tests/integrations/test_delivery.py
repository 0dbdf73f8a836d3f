"""Deliveries through the real task (Celery eager in tests) to a real HTTP receiver on
127.0.0.1: signed, retried with backoff under the same event id, logged, given up, and
the webhook disabled with an e-mail after failing in a row."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import services as hooks
from integrations import tasks
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from settlements import services
from tests.integrations.conftest import SECRET, TODAY, draft, subscribe

pytestmark = pytest.mark.django_db


def _issue(tenant, committed):
    statement = draft(tenant.agreement)
    with committed():
        services.statement_issue(statement=statement, issued_on=TODAY, by=tenant.staff)
    return statement


def test_a_delivery_is_signed_and_the_receiver_verifies_it(world, receiver, committed):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    statement = _issue(world.a, committed)

    assert len(receiver.received) == 1
    got = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["X-Signature"], expected)
    body = got.json()
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == "statement.issued" == got.headers["X-Event-Type"]
    assert body["id"] == got.headers["X-Event-Id"]
    assert got.headers["Content-Type"] == "application/json"
    assert got.path == "/hook"
    # data is the statement as GET statements/{id}/ shows it: money as strings
    assert body["data"]["id"] == statement.pk
    assert body["data"]["number"] == statement.number
    assert body["data"]["status"] == "issued"
    assert isinstance(body["data"]["total_due"], str) and body["data"]["total_due"].count(".") == 1
    assert body["created_at"].endswith("+08:00")
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert str(delivery.event_id) == body["id"]
    # a tampered body does not verify
    forged = hmac.new(SECRET.encode(), got.body + b" ", hashlib.sha256).hexdigest()
    assert got.headers["X-Signature"] != "sha256=" + forged


def _later(monkeypatch, seconds):
    moved = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(hooks, "now", lambda: moved)
    return moved


def test_a_failing_receiver_is_retried_with_backoff_under_the_same_event_id(
    world, receiver, committed, monkeypatch
):
    receiver.status, receiver.answer = 500, b"database is down"
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    _issue(world.a, committed)
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    first = delivery.last_attempt_at
    assert delivery.next_attempt_at == first + timedelta(seconds=60)

    # Too early: the dispatcher queues nothing, and a stray copy of the task does nothing.
    assert hooks.webhook_deliveries_dispatch()["queued"] == 0
    assert tasks.webhook_deliver_task.delay(delivery.pk).get() == "skipped"

    # Each later try, when due: the dispatcher queues it and the (eager) task posts it.
    elapsed = 0
    for wait in hooks.BACKOFF:
        elapsed += wait
        _later(monkeypatch, elapsed + 1)
        assert hooks.webhook_deliveries_dispatch()["queued"] == 1
        delivery.refresh_from_db()
    assert hooks.MAX_TRIES == 6
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert len(receiver.received) == 6
    ids = {item.headers["X-Event-Id"] for item in receiver.received}
    assert ids == {str(delivery.event_id)}
    assert len({item.body for item in receiver.received}) == 1  # the same bytes each time

    # The waits between tries: 1 min, 5 min, 30 min, 2 h, 6 h.
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [a.number for a in attempts] == [1, 2, 3, 4, 5, 6]
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)]
    assert [round(gap) for gap in gaps] == [61, 300, 1800, 7200, 21600]
    assert all(a.status_code == 500 and not a.ok for a in attempts)
    assert attempts[0].error == "HTTP 500: database is down"
    assert hook.__class__.objects.get(pk=hook.pk).consecutive_failures == 1

    # The log through the API: one row per try, newest first.
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.a.staff)
    rows = client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()["results"]
    assert [r["attempt"] for r in rows] == [6, 5, 4, 3, 2, 1]
    assert rows[0]["event_id"] == str(delivery.event_id)
    assert rows[0]["type"] == "statement.issued"
    assert rows[0]["status_code"] == 500 and rows[0]["error"] == "HTTP 500: database is down"


def test_a_recovered_receiver_gets_the_retry_and_the_failure_count_resets(
    world, receiver, committed, monkeypatch
):
    receiver.status = 503
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    WebhookSubscription.objects.filter(pk=hook.pk).update(consecutive_failures=3)
    _issue(world.a, committed)
    receiver.status = 204
    _later(monkeypatch, 61)
    hooks.webhook_deliveries_dispatch()
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)
    assert WebhookSubscription.objects.get(pk=hook.pk).consecutive_failures == 0
    assert receiver.received[0].headers["X-Event-Id"] == receiver.received[1].headers["X-Event-Id"]


def test_disabled_after_repeated_failures_with_an_email_to_staff(
    world, receiver, committed, monkeypatch, mailoutbox
):
    receiver.status = 500
    hook = subscribe(world.a, receiver.url, ["statement.issued"], name="ERP 推送")
    WebhookSubscription.objects.filter(pk=hook.pk).update(
        consecutive_failures=hooks.DISABLE_AFTER - 1
    )
    _issue(world.a, committed)
    delivery = WebhookDelivery.objects.get(subscription=hook)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=hooks.MAX_TRIES - 1)
    _later(monkeypatch, 61)
    with committed():
        hooks.webhook_deliveries_dispatch()
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_at is not None
    assert hook.consecutive_failures == hooks.DISABLE_AFTER
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alpha@agency.test"]
    assert mail.subject == "推送已停用：ERP 推送 / Webhook disabled: ERP 推送"
    assert "连续 10 个事件" in mail.body and "10 events in a row" in mail.body
    assert f"/admin/integrations/webhooksubscription/{hook.pk}/change/" in mail.body
    assert SECRET not in mail.body

    # A disabled webhook gets nothing more; its pending deliveries are cancelled.
    count = len(receiver.received)
    pending = WebhookDelivery.objects.create(
        subscription=hook, event_type="statement.issued", body="{}", next_attempt_at=timezone.now()
    )
    assert tasks.webhook_deliver_task.delay(pending.pk).get() == "cancelled"
    assert len(receiver.received) == count


def test_a_robot_200_with_an_errcode_is_a_failure(world, receiver, committed):
    receiver.answer = json.dumps({"errcode": 310000, "errmsg": "sign not match"}).encode()
    hook = subscribe(
        world.a, receiver.url, ["statement.issued"], format="dingtalk", secret="SECabc"
    )
    _issue(world.a, committed)
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 200)
    assert delivery.last_error == (
        "机器人返回错误 errcode=310000：sign not match / the robot refused: errcode=310000 sign not match"
    )
    receiver.answer = b'{"errcode":0,"errmsg":"ok"}'
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    hooks.webhook_deliveries_dispatch()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_redirects_are_not_followed(world, receiver, committed):
    receiver.status, receiver.headers = (
        302,
        {"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    _issue(world.a, committed)
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert delivery.last_error.startswith(
        "重定向未跟随（http://169.254.169.254/latest/meta-data/）"
    )
    assert len(receiver.received) == 1


def test_a_lost_task_is_queued_again_and_two_copies_post_once(
    world, receiver, monkeypatch, committed
):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    statement = draft(world.a.agreement)
    # The commit happened but the task never ran (the broker was down): nothing posted.
    services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    assert receiver.received == []
    # The listener never ran either (callbacks of this test transaction do not run): the
    # dispatcher makes the delivery of the recent event, then queues it.
    _later(monkeypatch, 120)
    with committed():
        result = hooks.webhook_deliveries_dispatch()
    assert result == {"made": 1, "queued": 0}  # made and queued at once
    assert len(receiver.received) == 1
    # Again: nothing new (made once, delivered once).
    assert hooks.webhook_deliveries_dispatch() == {"made": 0, "queued": 0}
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert tasks.webhook_deliver_task.delay(delivery.pk).get() == "skipped"
    assert len(receiver.received) == 1


def test_a_queued_delivery_whose_task_was_lost_is_queued_again_later(world, receiver, monkeypatch):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    delivery = WebhookDelivery.objects.create(
        subscription=hook,
        event_type="statement.issued",
        body='{"id":"x"}',
        next_attempt_at=timezone.now(),
        queued_at=timezone.now(),
    )
    assert hooks.webhook_deliveries_dispatch()["queued"] == 0  # queued a moment ago: wait
    _later(monkeypatch, 11 * 60)
    assert hooks.webhook_deliveries_dispatch()["queued"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_the_target_is_checked_again_at_delivery(world, receiver, committed, settings):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    settings.WEBHOOKS_ALLOW_LOOPBACK = False  # as if DNS now answered with a loopback address
    _issue(world.a, committed)
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert receiver.received == []
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "127.0.0.1" in delivery.last_error and "refused" in delivery.last_error


def test_the_guides_python_snippet_verifies_a_real_delivery(world, receiver, committed):
    """docs/integrations.md's verification code, run as it is written."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs/integrations.md").read_text()
    snippet = guide.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "integrations.md", "exec"), namespace)
    namespace["SECRET"] = SECRET.encode()
    subscribe(world.a, receiver.url, ["statement.issued"])
    _issue(world.a, committed)
    got = receiver.received[0]
    event = namespace["verified_event"](got.body, got.headers["X-Signature"])
    assert event["type"] == "statement.issued"
    with pytest.raises(ValueError):
        namespace["verified_event"](got.body + b" ", got.headers["X-Signature"])


def test_the_dispatcher_looks_only_at_events_some_webhook_wants(world, receiver, monkeypatch):
    """Events of agencies or types no webhook wants are not re-examined every minute, so
    a busy hour of them cannot hide the one that needs a delivery."""
    subscribe(world.b, receiver.url, ["statement.issued"])
    from common.events import event_record

    a_statement = draft(world.a.agreement)
    for _ in range(hooks.BATCH + 5):
        event_record(action="statement.issued", obj=a_statement, agreement=world.a.agreement)
    b_statement = draft(world.b.agreement)
    services.statement_issue(statement=b_statement, issued_on=TODAY, by=None)
    _later(monkeypatch, 120)
    fanned = []
    real = hooks.events_fan_out
    monkeypatch.setattr(hooks, "events_fan_out", lambda event: fanned.append(event) or real(event))
    assert hooks.webhook_deliveries_dispatch()["made"] == 1
    assert {event.agreement_id for event in fanned} == {world.b.agreement.pk}
    assert len(receiver.received) == 0  # made; queued after the commit (none in this test)
