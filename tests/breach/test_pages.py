"""The admin's breach notices (list, send form, record cure, PDF) and the portal's pages
(list, detail, send, record a cure; viewers read; another brand's notice is 404)."""

from datetime import date

import pytest

from obligations import breach
from obligations.models import BreachNotice

pytestmark = pytest.mark.django_db
ADMIN = "/admin/obligations/breachnotice/"


def notice_of(world, **kwargs):
    values = {
        "agreement": world.agreement,
        "by": "agency",
        "sent_on": date(2026, 9, 1),
        "description": "未按约定提交月度推广计划",
        "clause": "第六章 A",
        "user": world.staff,
    }
    values.update(kwargs)
    return breach.breach_notice_send(**values)


def test_admin_lists_cure_clocks_and_sends_a_notice(world, client):
    notice_of(world, sent_on=date(2026, 9, 25))
    client.force_login(world.staff)
    page = client.get(ADMIN, {"state": "open"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "10 days left" in page.content.decode()
    sent = client.post(
        f"{ADMIN}add/",
        {
            "agreement": world.agreement.pk,
            "by": "brand",
            "sent_on": "2026-09-20",
            "clause": "6.A",
            "description": "品牌方书面通知：未按时提交报告",
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    notice = BreachNotice.objects.get(by="brand")
    assert notice.cure_by == date(2026, 10, 5) and notice.created_by == world.staff
    future = client.post(
        f"{ADMIN}add/",
        {
            "agreement": world.agreement.pk,
            "by": "agency",
            "sent_on": "2026-10-20",
            "description": "x",
        },
    )
    assert future.status_code == 200 and BreachNotice.objects.count() == 2


def test_admin_records_the_cure_and_downloads_the_pdf(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_of(world)
    client.force_login(world.staff)
    page = client.get(f"{ADMIN}{notice.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Agency may terminate since" in page.content.decode()
    form = client.get(f"{ADMIN}{notice.pk}/cure/")
    assert form.status_code == 200
    refused = client.post(f"{ADMIN}{notice.pk}/cure/", {"cured_on": "2026-08-01"})
    assert refused.status_code == 200
    done = client.post(f"{ADMIN}{notice.pk}/cure/", {"cured_on": "2026-09-20", "note": "ok"})
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.cured_on == date(2026, 9, 20)
    pdf = client.get(f"{ADMIN}{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_admin_of_another_agency_sees_nothing(world, client):
    from accounts.models import User
    from tests import factories as f

    notice = notice_of(world)
    stranger = f.user(f.agency(), User.Role.AGENCY_STAFF)
    client.force_login(stranger)
    assert client.get(f"{ADMIN}{notice.pk}/change/").status_code in (302, 404)
    assert client.get(f"{ADMIN}{notice.pk}/cure/").status_code == 404
    assert notice.number not in client.get(ADMIN).content.decode()


def test_the_workbench_shows_the_cure_clocks(world, client):
    notice = notice_of(world, sent_on=date(2026, 9, 25))
    client.force_login(world.staff)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cure clocks running" in page and notice.number in page


def test_portal_lists_and_shows_notices(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        received = notice_of(world)
    sent = notice_of(world, by="brand", user=world.finance, sent_on=date(2026, 9, 20))
    client.force_login(world.viewer)
    page = client.get("/portal/breach-notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert received.number in page and sent.number in page
    detail = client.get(f"/portal/breach-notices/{received.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = detail.content.decode()
    assert "the agency holds a right to terminate" in text
    assert "Record that" not in text  # viewers read only
    assert client.get(f"/portal/breach-notices/{received.pk}/pdf/").status_code == 200
    assert client.get("/portal/breach-notices/new/").status_code == 403
    assert client.post(f"/portal/breach-notices/{sent.pk}/cure/", {}).status_code == 403


def test_portal_finance_sends_a_notice_and_records_the_cure(world, client):
    client.force_login(world.finance)
    assert client.get("/portal/breach-notices/new/").status_code == 200
    response = client.post(
        "/portal/breach-notices/new/",
        {
            "agreement": world.agreement.pk,
            "sent_on": "2026-09-10",
            "clause": "6.A",
            "description": "代运营方未按约定召开月度会议",
        },
    )
    notice = BreachNotice.objects.get()
    assert response.status_code == 302 and notice.by == "brand"
    assert notice.created_by == world.finance
    refused = client.post(
        f"/portal/breach-notices/{notice.pk}/cure/",
        {"cured_on": "2026-10-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 200
    assert "the date cannot be in the future" in refused.content.decode().lower()
    cured = client.post(f"/portal/breach-notices/{notice.pk}/cure/", {"cured_on": "2026-09-28"})
    assert cured.status_code == 302
    notice.refresh_from_db()
    assert notice.cured_on == date(2026, 9, 28)


def test_portal_another_brand_gets_404(world, client):
    notice = notice_of(world)
    client.force_login(world.other_finance)
    for url in ("", "cure/", "pdf/"):
        assert client.get(f"/portal/breach-notices/{notice.pk}/{url}").status_code == 404
    assert notice.number not in client.get("/portal/breach-notices/").content.decode()
    refused = client.post(
        "/portal/breach-notices/new/",
        {"agreement": world.agreement.pk, "sent_on": "2026-09-10", "description": "x"},
    )
    assert refused.status_code == 200 and not BreachNotice.objects.filter(by="brand").exists()
