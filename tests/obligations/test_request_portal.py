"""The brand asks the agency for an approval in the portal: finance only, on its own
agreements, listed under "Your requests" until the agency answers."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from obligations.models import Obligation
from obligations.services import approval_decide
from tests.obligations.conftest import TODAY

URL = "/portal/obligations/request/"


def _client(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_brand_finance_asks_and_the_agency_answers(people, deals):
    finance = _client(people["finance"])
    agreement = deals["revenue_share"]
    page = finance.get(URL)
    assert page.status_code == 200
    assert agreement.number in page.content.decode()
    response = finance.post(
        URL,
        {
            "agreement": agreement.pk,
            "title": "新品上架页面",
            "description": "请于上线前确认页面文案",
            "file": SimpleUploadedFile("页面.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        },
    )
    assert response.status_code == 302
    request = Obligation.objects.get(title="新品上架页面")
    assert (request.kind, request.owed_by, request.requested_by) == ("approval", "agency", "brand")
    assert request.files.count() == 1
    listed = finance.get("/portal/obligations/").content.decode()
    assert "新品上架页面" in listed

    approval_decide(obligation=request, by=people["staff"], approve=True, comment="同意")
    request.refresh_from_db()
    assert request.status == Obligation.Status.APPROVED


def test_refusals_stay_on_the_form_and_change_nothing(people, deals):
    finance = _client(people["finance"], "en")
    before = Obligation.objects.count()
    past = finance.post(
        URL,
        {
            "agreement": deals["revenue_share"].pk,
            "title": "Price change",
            "due_on": TODAY.replace(day=TODAY.day - 1).isoformat(),
        },
    )
    assert past.status_code == 200
    assert "Choose today or a later day." in past.content.decode()
    blank = finance.post(URL, {"agreement": deals["revenue_share"].pk, "title": ""})
    assert blank.status_code == 200
    assert Obligation.objects.count() == before


def test_viewers_and_other_brands_cannot_ask(people, deals):
    assert _client(people["viewer"]).get(URL).status_code == 403
    assert _client(people["viewer"]).post(URL, {}).status_code == 403
    other = _client(people["other_finance"])
    before = Obligation.objects.count()
    response = other.post(URL, {"agreement": deals["revenue_share"].pk, "title": "越权"})
    assert response.status_code == 200  # the agreement is no choice of theirs
    assert deals["revenue_share"].number not in other.get(URL).content.decode()
    assert Obligation.objects.count() == before
