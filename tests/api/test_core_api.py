"""holidays/ (calendar overrides) and events/ (the audit trail) through the REST API."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.models import Organization
from common.api.views import HOLIDAY_DATE_TAKEN
from common.calendar import work_calendar
from common.events import event_record
from common.models import Event, Holiday

pytestmark = pytest.mark.django_db

HOLIDAYS = "/api/v1/holidays/"
EVENTS = "/api/v1/events/"


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- holidays ---------------------------------------------------------------------------


def test_staff_add_a_calendar_override_that_the_calendar_uses(world, clients):
    response = clients["staff_a"].post(
        HOLIDAYS, {"date": "2031-10-01", "is_working_day": False, "name": "国庆节"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "date": "2031-10-01",
        "is_working_day": False,
        "name": "国庆节",
    }
    assert work_calendar().is_working_day(date(2031, 10, 1)) is False


def test_everyone_signed_in_reads_the_calendar(world, clients):
    holiday = Holiday.objects.create(date=date(2031, 9, 28), is_working_day=True, name="调休上班")
    for name in ("viewer_a1", "finance_b1", "staff_b"):
        response = clients[name].get(HOLIDAYS)
        assert response.status_code == 200
        assert set(response.json()) == {"count", "next", "previous", "results"}
        assert _ids(response) == {holiday.pk}
        detail = clients[name].get(f"{HOLIDAYS}{holiday.pk}/").json()
        assert detail == {
            "id": holiday.pk,
            "date": "2031-09-28",
            "is_working_day": True,
            "name": "调休上班",
        }
    assert APIClient().get(HOLIDAYS).status_code == 401


def test_duplicate_date_is_400(world, clients):
    Holiday.objects.create(date=date(2031, 10, 1), name="国庆节")
    response = clients["staff_a"].post(HOLIDAYS, {"date": "2031-10-01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"date": [HOLIDAY_DATE_TAKEN]}
    assert (
        clients["staff_a"].post(HOLIDAYS, {"date": "2031-02-30"}, format="json").status_code == 400
    )


def test_patch_and_delete(world, clients):
    holiday = Holiday.objects.create(date=date(2031, 10, 1), name="国庆")
    url = f"{HOLIDAYS}{holiday.pk}/"
    response = clients["staff_b"].patch(
        url, {"name": "国庆节", "is_working_day": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "国庆节"
    assert response.json()["is_working_day"] is True
    assert clients["staff_a"].delete(url).status_code == 204
    assert not Holiday.objects.exists()


def test_brand_users_do_not_change_the_calendar(world, clients):
    holiday = Holiday.objects.create(date=date(2031, 10, 1), name="国庆节")
    url = f"{HOLIDAYS}{holiday.pk}/"
    client = clients["finance_a1"]
    assert client.post(HOLIDAYS, {"date": "2031-10-02"}, format="json").status_code == 403
    assert client.patch(url, {"name": "x"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    assert Holiday.objects.get().name == "国庆节"


def test_holiday_filters(world, clients):
    Holiday.objects.create(date=date(2030, 10, 1), name="a")
    second = Holiday.objects.create(date=date(2031, 10, 1), name="b")
    third = Holiday.objects.create(date=date(2031, 9, 28), is_working_day=True, name="c")
    client = clients["staff_a"]
    assert _ids(client.get(HOLIDAYS, {"year": 2031})) == {second.pk, third.pk}
    assert _ids(client.get(HOLIDAYS, {"is_working_day": "true"})) == {third.pk}
    assert _ids(client.get(HOLIDAYS, {"date_from": "2031-09-30"})) == {second.pk}
    assert client.get(HOLIDAYS, {"year": "0.5"}).status_code == 400


# --- events -----------------------------------------------------------------------------


def test_events_show_actor_object_and_detail(world, clients):
    agreement = world["agreements"][world["brand_a1"].pk]
    staff = world["users"]["staff_a"]
    mine = event_record(
        action="agreement.note",
        obj=agreement,
        actor=staff,
        agreement=agreement,
        message="备注",
        detail={"k": "v"},
    )
    system = event_record(action="agreement.checked", obj=agreement, agreement=agreement)
    response = clients["finance_a1"].get(f"{EVENTS}{mine.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": mine.pk,
        "at": body["at"],
        "actor": staff.username,
        "action": "agreement.note",
        "object": f"agreement:{agreement.pk}",
        "agreement": agreement.pk,
        "message": "备注",
        "detail": {"k": "v"},
    }
    assert body["at"].endswith("+08:00")  # Asia/Shanghai
    assert clients["finance_a1"].get(f"{EVENTS}{system.pk}/").json()["actor"] == "system"


def test_events_are_scoped_by_agreement(world, clients):
    a1 = world["agreements"][world["brand_a1"].pk]
    a2 = world["agreements"][world["brand_a2"].pk]
    b1 = world["agreements"][world["brand_b1"].pk]
    events = {a.pk: event_record(action="x.test", obj=a, agreement=a) for a in (a1, a2, b1)}
    orphan = event_record(action="x.orphan", obj=world["brand_a1"])

    def seen(name):
        return _ids(clients[name].get(EVENTS, {"action": "x.test", "page_size": 500})) | _ids(
            clients[name].get(EVENTS, {"action": "x.orphan"})
        )

    assert seen("staff_a") == {events[a1.pk].pk, events[a2.pk].pk}
    assert seen("finance_a1") == {events[a1.pk].pk}
    assert seen("staff_b") == {events[b1.pk].pk}
    assert seen("superuser") == {*(e.pk for e in events.values()), orphan.pk}
    for name in ("finance_a2", "finance_b1", "staff_b"):
        assert clients[name].get(f"{EVENTS}{events[a1.pk].pk}/").status_code == 404
    assert clients["staff_a"].get(f"{EVENTS}{orphan.pk}/").status_code == 404
    assert APIClient().get(EVENTS).status_code == 401


def test_event_filters(world, clients):
    a1 = world["agreements"][world["brand_a1"].pk]
    a2 = world["agreements"][world["brand_a2"].pk]
    on_statement = Event.objects.create(
        action="statement.issued", agreement=a1, object_type="statement", object_id=12
    )
    other_statement = Event.objects.create(
        action="statement.issued", agreement=a1, object_type="statement", object_id=13
    )
    same_id_other_type = Event.objects.create(
        action="x", agreement=a1, object_type="payment", object_id=12
    )
    client = clients["staff_a"]
    response = client.get(EVENTS, {"statement": 12})
    assert _ids(response) == {on_statement.pk}
    assert response.json()["results"][0]["object"] == "statement:12"
    by_agreement = _ids(client.get(EVENTS, {"agreement": a2.pk, "page_size": 500}))
    assert by_agreement and not by_agreement & {
        on_statement.pk,
        other_statement.pk,
        same_id_other_type.pk,
    }
    assert all(
        row["agreement"] == a2.pk
        for row in client.get(EVENTS, {"agreement": a2.pk}).json()["results"]
    )
    assert client.get(EVENTS, {"agreement": "x"}).status_code == 400
    assert client.get(EVENTS, {"statement": 10**30}).status_code == 400


def test_events_are_read_only(world, clients):
    event = Event.objects.filter(agreement__brand=world["brand_a1"]).first()
    client = clients["superuser"]
    assert client.post(EVENTS, {"action": "x"}, format="json").status_code == 405
    assert client.patch(f"{EVENTS}{event.pk}/", {"action": "x"}, format="json").status_code == 405
    assert client.delete(f"{EVENTS}{event.pk}/").status_code == 405


def test_newest_first(world, clients):
    brand = Organization.objects.get(pk=world["brand_a1"].pk)
    agreement = world["agreements"][brand.pk]
    first = event_record(action="x.first", obj=agreement, agreement=agreement)
    second = event_record(action="x.second", obj=agreement, agreement=agreement)
    rows = clients["staff_a"].get(EVENTS, {"agreement": agreement.pk}).json()["results"]
    assert [row["id"] for row in rows].index(second.pk) < [row["id"] for row in rows].index(
        first.pk
    )
