"""breach-notices/ through the API: sending, filters, cure, PDF, roles and scope."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from obligations import breach
from obligations import breach_messages as msg

pytestmark = pytest.mark.django_db
URL = "/api/v1/breach-notices/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(world, **kwargs):
    values = {
        "agreement": world.agreement.pk,
        "by": "agency",
        "sent_on": "2026-09-01",
        "description": "未按约定提交月度推广计划",
        "clause": "第六章 A",
    }
    values.update(kwargs)
    return values


def test_staff_send_and_read_a_notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(URL, body(world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "BN-2026-000001"
    assert data["cure_by"] == "2026-09-16"
    assert data["status"] == "open"
    assert data["termination_right"] == {
        "held_by": "agency",
        "from": "2026-09-17",
        "until": "2027-05-31",  # the agreement's last day, while uncured
        "holds_today": True,
    }
    pdf = client_for(world.finance).get(f"{URL}{data['id']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_pdf_is_404_until_rendered(world):
    notice = breach.breach_notice_send(
        agreement=world.agreement,
        by="agency",
        sent_on=date(2026, 9, 1),
        description="x",
        user=world.staff,
    )
    assert client_for(world.staff).get(f"{URL}{notice.pk}/pdf/").status_code == 404
    assert client_for(world.staff).get(f"{URL}{notice.pk}/").json()["pdf_url"] is None


def test_brand_finance_sends_as_the_brand_only(world):
    finance = client_for(world.finance)
    assert finance.post(URL, body(world, by="brand"), format="json").status_code == 201
    refused = finance.post(URL, body(world, by="agency"), format="json")
    assert refused.status_code == 400
    assert refused.json() == {"by": [msg.BRAND_SENDS_AS_BRAND]}


def test_a_viewer_reads_but_cannot_send_or_cure(world):
    viewer = client_for(world.viewer)
    assert viewer.post(URL, body(world, by="brand"), format="json").status_code == 403
    notice = breach.breach_notice_send(
        agreement=world.agreement,
        by="agency",
        sent_on=date(2026, 9, 1),
        description="x",
        user=world.staff,
    )
    assert viewer.get(URL).json()["count"] == 1
    cure = viewer.post(f"{URL}{notice.pk}/cure/", {"cured_on": "2026-09-10"}, format="json")
    assert cure.status_code == 403


def test_another_brand_gets_404(world):
    notice = breach.breach_notice_send(
        agreement=world.agreement,
        by="agency",
        sent_on=date(2026, 9, 1),
        description="x",
        user=world.staff,
    )
    other = client_for(world.other_finance)
    assert other.get(f"{URL}{notice.pk}/").status_code == 404
    assert other.post(f"{URL}{notice.pk}/cure/", {"cured_on": "2026-09-10"}).status_code == 404
    assert other.get(URL).json()["count"] == 0
    assert other.post(URL, body(world, by="brand"), format="json").status_code == 404


def test_cure_then_409_and_the_filters(world):
    staff = client_for(world.staff)
    first = staff.post(URL, body(world), format="json").json()
    staff.post(URL, body(world, by="brand", sent_on="2026-09-20"), format="json")
    cured = staff.post(
        f"{URL}{first['id']}/cure/", {"cured_on": "2026-09-16", "note": "已补交"}, format="json"
    )
    assert cured.status_code == 200
    assert cured.json()["status"] == "cured" and cured.json()["termination_right"] is None
    again = staff.post(f"{URL}{first['id']}/cure/", {"cured_on": "2026-09-17"}, format="json")
    assert again.status_code == 409
    future = staff.post(URL, body(world, sent_on="2026-10-01"), format="json")
    assert future.status_code == 400 and future.json() == {"sent_on": [msg.FUTURE_DATE]}
    assert staff.get(URL, {"status": "open"}).json()["count"] == 1
    assert staff.get(URL, {"status": "cured"}).json()["count"] == 1
    assert staff.get(URL, {"by": "brand"}).json()["count"] == 1
    assert staff.get(URL, {"agreement": world.other.pk}).json()["count"] == 0
    assert staff.get(URL, {"status": "nonsense"}).status_code == 400
