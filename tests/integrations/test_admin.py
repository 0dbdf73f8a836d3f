"""The webhooks in the staff admin: list, form (events as checkboxes, a write-only
secret), the delivery log, and the "Send a test event" button; scoped to the agency."""

import pytest
from django.urls import reverse
from django.utils import translation

from integrations.models import WebhookDelivery, WebhookSubscription
from tests.integrations.conftest import SECRET, subscribe

pytestmark = pytest.mark.django_db

LIST = "admin:integrations_webhooksubscription_changelist"
ADD = "admin:integrations_webhooksubscription_add"
CHANGE = "admin:integrations_webhooksubscription_change"
TEST = "admin:integrations_webhooksubscription_send_test_event"


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.a.staff)
    return client


def _form(receiver, **extra):
    data = {
        "name": "ERP",
        "url": receiver.url,
        "format": "json",
        "events": ["statement.issued", "payment.recorded"],
        "secret": SECRET,
        "active": "on",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_staff_add_a_webhook_of_their_agency_and_the_secret_is_never_shown(
    staff_client, world, receiver
):
    add = staff_client.get(reverse(ADD))
    assert add.status_code == 200
    page = add.content.decode()
    assert 'type="checkbox" name="events" value="flag.raised"' in page
    assert 'type="password" name="secret"' in page
    assert 'name="organization"' not in page  # their own agency
    saved = staff_client.post(reverse(ADD), _form(receiver))
    assert saved.status_code == 302, (
        saved.context["adminform"].form.errors if saved.context else saved
    )
    hook = WebhookSubscription.objects.get()
    assert (hook.organization, hook.secret, hook.events) == (
        world.a.agency,
        SECRET,
        ["statement.issued", "payment.recorded"],
    )
    assert hook.created_by == world.a.staff
    for url in (reverse(LIST), reverse(CHANGE, args=[hook.pk]), reverse(TEST, args=[hook.pk])):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url

    # Saving again with the secret left empty keeps it.
    changed = staff_client.post(
        reverse(CHANGE, args=[hook.pk]), _form(receiver, secret="", name="ERP 2")
    )
    assert changed.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.secret) == ("ERP 2", SECRET)


def test_the_form_refuses_what_the_api_refuses(staff_client, receiver, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with translation.override("en"):
        response = staff_client.post(
            reverse(ADD), _form(receiver, secret="short", events=[]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"url", "events", "secret"}
    assert WebhookSubscription.objects.count() == 0


def test_send_a_test_event_from_the_page(staff_client, world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"], format="wecom")
    page = staff_client.get(reverse(CHANGE, args=[hook.pk])).content.decode()
    assert reverse(TEST, args=[hook.pk]) in page  # the button
    confirm = staff_client.get(reverse(TEST, args=[hook.pk]))
    assert confirm.status_code == 200 and receiver.received == []  # GET sends nothing
    receiver.answer = b'{"errcode":0,"errmsg":"ok"}'
    sent = staff_client.post(reverse(TEST, args=[hook.pk]), follow=True)
    assert sent.status_code == 200
    assert len(receiver.received) == 1
    message = receiver.received[0].json()
    assert message["msgtype"] == "markdown" and "测试消息" in message["markdown"]["content"]
    delivery = WebhookDelivery.objects.get(subscription=hook)
    assert (delivery.is_test, delivery.status, delivery.attempts) == (True, "delivered", 1)
    # the log on the page
    page = staff_client.get(reverse(CHANGE, args=[hook.pk])).content.decode()
    assert str(delivery.event_id) in page


def test_another_agencys_webhook_is_out_of_reach(client, world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"], name="ALPHA hook")
    client.force_login(world.b.staff)
    listing = client.get(reverse(LIST))
    assert listing.status_code == 200 and "ALPHA hook" not in listing.content.decode()
    for url in (reverse(CHANGE, args=[hook.pk]),):
        response = client.get(url)
        assert response.status_code in (302, 404)
    assert client.get(reverse(TEST, args=[hook.pk])).status_code == 404
    assert client.post(reverse(TEST, args=[hook.pk])).status_code == 404
    assert client.get(reverse(TEST, args=["abc"])).status_code == 404
    assert receiver.received == []


def test_brand_users_have_no_webhook_admin(client, world):
    client.force_login(world.a.brand_user)
    assert client.get(reverse(LIST)).status_code in (302, 403)


def test_pages_read_in_one_language(staff_client, world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"], format="dingtalk")
    for language, present, absent in (
        ("en", "Send a test event", "发送测试消息"),
        ("zh-hans", "发送测试消息", "Send a test event"),
    ):
        staff_client.cookies["django_language"] = language
        for url in (reverse(CHANGE, args=[hook.pk]), reverse(TEST, args=[hook.pk])):
            page = staff_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert present in page and absent not in page, (language, url)
        listing = staff_client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert ("钉钉群机器人" in listing) == (language == "zh-hans")
