"""``/api/v1/webhooks/``: staff manage their agency's webhooks; brands are refused; another
agency's webhook is not found; the secret is never shown."""

import hashlib
import hmac

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from integrations import messages as msg
from integrations.models import WebhookSubscription
from tests import factories as f
from tests.integrations.conftest import SECRET, subscribe

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def seen():
    """Every response text of a test, to look for the secret in."""
    return []


def _call(seen, client, method, url, data=None):
    response = getattr(client, method)(url, data, format="json")
    seen.append(response.content.decode())
    return response


def test_staff_add_read_change_and_delete_their_webhook(world, receiver, seen):
    staff = _client(world.a.staff)
    created = _call(
        seen,
        staff,
        "post",
        URL,
        {
            "url": receiver.url,
            "events": ["payment.recorded", "statement.issued"],
            "format": "json",
            "secret": SECRET,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "secret" not in body and body["has_secret"] is True
    assert body["agency"] == world.a.agency.pk
    assert body["events"] == ["statement.issued", "payment.recorded"]  # the catalogue's order
    assert (body["format"], body["active"], body["consecutive_failures"]) == ("json", True, 0)
    pk = body["id"]

    listed = _call(seen, staff, "get", URL).json()
    assert [item["id"] for item in listed["results"]] == [pk] and listed["count"] == 1
    assert _call(seen, staff, "get", f"{URL}{pk}/").json()["url"] == receiver.url

    changed = _call(seen, staff, "patch", f"{URL}{pk}/", {"events": ["flag.raised"], "name": "ERP"})
    assert changed.status_code == 200 and changed.json()["events"] == ["flag.raised"]
    assert WebhookSubscription.objects.get(pk=pk).secret == SECRET  # kept when not given
    rotated = _call(seen, staff, "patch", f"{URL}{pk}/", {"secret": "another-secret-0123456789"})
    assert rotated.status_code == 200
    assert WebhookSubscription.objects.get(pk=pk).secret == "another-secret-0123456789"

    tested = _call(seen, staff, "post", f"{URL}{pk}/test/")
    assert tested.status_code == 200
    assert tested.json()["delivered"] is True and tested.json()["type"] == "webhook.test"
    got = receiver.received[-1]
    expected = hmac.new(b"another-secret-0123456789", got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Signature"] == f"sha256={expected}"
    assert got.json()["data"]["webhook"] == pk
    log = _call(seen, staff, "get", f"{URL}{pk}/deliveries/").json()
    assert log["count"] == 1
    row = log["results"][0]
    assert set(row) == {
        "id",
        "event_id",
        "type",
        "attempt",
        "status_code",
        "error",
        "delivered",
        "duration_ms",
        "at",
    }
    assert (row["type"], row["attempt"], row["status_code"], row["error"]) == (
        "webhook.test",
        1,
        200,
        "ok",
    )

    assert _call(seen, staff, "delete", f"{URL}{pk}/").status_code == 204
    assert not WebhookSubscription.objects.filter(pk=pk).exists()
    for text in seen:
        assert SECRET not in text and "another-secret" not in text


def test_bad_input_is_400_with_the_field(world, settings, seen):
    staff = _client(world.a.staff)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    cases = [
        ({"url": "http://127.0.0.1:9/h", "events": ["statement.issued"], "format": "wecom"}, "url"),
        (
            {"url": "http://169.254.169.254/", "events": ["statement.issued"], "format": "wecom"},
            "url",
        ),
        ({"url": "ftp://example.com/", "events": ["statement.issued"], "format": "wecom"}, "url"),
        ({"url": "https://8.8.8.8/h", "events": [], "format": "wecom"}, "events"),
        ({"url": "https://8.8.8.8/h", "events": ["statement.nope"], "format": "wecom"}, "events"),
        ({"url": "https://8.8.8.8/h", "events": "statement.issued", "format": "wecom"}, "events"),
        ({"url": "https://8.8.8.8/h", "events": ["statement.issued"], "format": "json"}, "secret"),
        (
            {
                "url": "https://8.8.8.8/h",
                "events": ["statement.issued"],
                "format": "json",
                "secret": "short",
            },
            "secret",
        ),
        ({"url": "https://8.8.8.8/h", "events": ["statement.issued"], "format": "xml"}, "format"),
        ({"url": 42, "events": ["statement.issued"], "format": "wecom"}, "url"),
        ({"events": ["statement.issued"], "format": "wecom"}, "url"),
    ]
    for data, field in cases:
        response = _call(seen, staff, "post", URL, data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json(), (data, response.json())
    assert WebhookSubscription.objects.count() == 0
    refused = _call(seen, staff, "post", URL, cases[1][0]).json()
    assert refused["url"] == [msg.URL_REFUSED.format(address="169.254.169.254")]
    bad_json = staff.generic("POST", URL, "{not json", content_type="application/json")
    assert bad_json.status_code == 400


def test_brand_users_are_refused_everywhere(world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    brand = _client(world.a.brand_user)
    for method, url in [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}{hook.pk}/"),
        ("patch", f"{URL}{hook.pk}/"),
        ("delete", f"{URL}{hook.pk}/"),
        ("get", f"{URL}{hook.pk}/deliveries/"),
        ("post", f"{URL}{hook.pk}/test/"),
    ]:
        assert getattr(brand, method)(url, {}, format="json").status_code == 403, (method, url)
    assert APIClient().get(URL).status_code == 401
    assert receiver.received == []


def test_another_agencys_webhook_is_not_found_and_never_triggered(world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    other = _client(world.b.staff)
    assert other.get(URL).json()["count"] == 0
    for method, url in [
        ("get", f"{URL}{hook.pk}/"),
        ("patch", f"{URL}{hook.pk}/"),
        ("delete", f"{URL}{hook.pk}/"),
        ("get", f"{URL}{hook.pk}/deliveries/"),
        ("post", f"{URL}{hook.pk}/test/"),
    ]:
        assert getattr(other, method)(url, {"active": False}, format="json").status_code == 404
    assert receiver.received == []
    hook.refresh_from_db()
    assert hook.active
    for pk in ("0", "abc", "99999999999999999999999"):
        assert other.get(f"{URL}{pk}/").status_code == 404


def test_the_agency_a_webhook_belongs_to(world, receiver):
    staff = _client(world.a.staff)
    data = {"url": receiver.url, "events": ["statement.issued"], "format": "wecom"}
    assert staff.post(URL, {**data, "agency": world.b.agency.pk}, format="json").status_code == 404
    brand = staff.post(URL, {**data, "agency": world.a.brand.pk}, format="json")
    assert brand.status_code == 400 and brand.json() == {"agency": [msg.AGENCY_NOT_AGENCY]}
    own = staff.post(URL, {**data, "agency": world.a.agency.pk}, format="json")
    assert own.status_code == 201 and own.json()["has_secret"] is False
    moved = staff.patch(f"{URL}{own.json()['id']}/", {"agency": world.b.agency.pk}, format="json")
    assert moved.status_code == 400 and moved.json() == {"agency": [msg.AGENCY_FIXED]}

    root = _client(f.superuser())
    assert root.post(URL, data, format="json").json() == {"agency": [msg.AGENCY_REQUIRED]}
    made = root.post(URL, {**data, "agency": world.b.agency.pk}, format="json")
    assert made.status_code == 201 and made.json()["agency"] == world.b.agency.pk
    assert root.get(URL).json()["count"] == 2


def test_turning_a_disabled_webhook_back_on_clears_its_failures(world, receiver):
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    WebhookSubscription.objects.filter(pk=hook.pk).update(active=False, consecutive_failures=10)
    response = _client(world.a.staff).patch(f"{URL}{hook.pk}/", {"active": True}, format="json")
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["consecutive_failures"]) == (True, 0)


def test_the_schema_documents_the_webhooks(world):
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = {path for path in schema["paths"] if "webhooks" in path}
    assert paths == {
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/deliveries/",
        "/api/v1/webhooks/{id}/test/",
    }
    create = schema["paths"]["/api/v1/webhooks/"]["post"]
    assert create["tags"] == ["webhooks"]
    assert "application/json" in create["requestBody"]["content"]
    fields = schema["components"]["schemas"]["WebhookSubscription"]["properties"]
    assert "secret" not in fields and fields["has_secret"]["readOnly"]


def test_an_unknown_user_role_sees_nothing(world):
    nobody = User.objects.create_user(username="nobody", password="pw-Test-1234")
    assert _client(nobody).get(URL).status_code == 403
