"""The brand portal's receivables and balance confirmations."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.models import User
from receivables import services
from receivables.models import BalanceConfirmation
from tests import factories as f
from tests.receivables.conftest import TODAY

pytestmark = pytest.mark.django_db


def logged_in(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def confirmation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.balance_confirmation_issue(brand=world.brand, as_of=TODAY, by=world.staff)
    issued.refresh_from_db()
    return issued


def test_the_brand_sees_what_it_owes_today_by_bucket(world, other, confirmation):
    page = logged_in(world.viewer).get("/portal/receivables/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.august.number in html and world.september.number in html
    assert other.august.number not in html
    found = page.context["found"]
    assert found.as_of == TODAY and found.brand == world.brand
    assert "Over 90 days overdue" in html and "Disputed (nothing due)" in html
    assert "¥17,140.00" in html  # the principal, the disputed month included
    assert confirmation.number in html
    assert 'href="/portal/receivables/"' in html and 'aria-current="page"' in html


def test_nothing_owed_shows_the_empty_state(world):
    brand = f.brand(world.agency)
    html = logged_in(f.user(brand, User.Role.BRAND_FINANCE)).get("/portal/receivables/")
    html = html.content.decode()
    assert "Nothing is owed" in html and "No balance confirmations yet" in html


def test_the_page_reads_in_chinese(world, confirmation):
    html = logged_in(world.finance, "zh-hans").get("/portal/receivables/").content.decode()
    assert "应收账款" in html and "往来余额确认函" in html and "截至该日违约金" not in html
    assert "Outstanding" not in html and "Nothing is owed" not in html


def test_finance_confirms(world, confirmation):
    client = logged_in(world.finance)
    url = f"/portal/balance-confirmations/{confirmation.pk}/"
    detail = client.get(url).content.decode()
    assert "Confirm the balance" in detail and world.august.number in detail
    assert client.get(url + "confirm/").status_code == 200
    done = client.post(url + "confirm/")
    assert done.status_code == 302 and done["Location"] == url
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.confirmed_on) == ("confirmed", TODAY)
    page = client.get(url).content.decode()
    assert "You confirmed the balance of" in page and "Confirm the balance" not in page
    again = client.post(url + "dispute/", {"comment": "x"})
    assert again.status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.status == "confirmed"


def test_finance_disputes_with_a_comment(world, confirmation):
    client = logged_in(world.finance)
    url = f"/portal/balance-confirmations/{confirmation.pk}/dispute/"
    empty = client.post(url, {"comment": "  "})
    assert empty.status_code == 200 and empty.context["form"].errors
    assert client.post(url, {"comment": "八月已付 3570 元"}).status_code == 302
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.dispute_comment) == ("disputed", "八月已付 3570 元")


def test_a_viewer_reads_but_cannot_answer(world, confirmation):
    client = logged_in(world.viewer)
    url = f"/portal/balance-confirmations/{confirmation.pk}/"
    page = client.get(url).content.decode()
    assert "Confirm the balance" not in page
    assert "Only your company's finance users" in page
    for action in ("confirm/", "dispute/"):
        assert client.get(url + action).status_code == 403
        assert client.post(url + action, {"comment": "x"}).status_code == 403
    confirmation.refresh_from_db()
    assert confirmation.status == BalanceConfirmation.Status.ISSUED


def test_downloads_and_another_brands_confirmation(world, other, confirmation):
    client = logged_in(world.viewer)
    url = f"/portal/balance-confirmations/{confirmation.pk}/"
    pdf = client.get(url + "pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(url + "items.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=1, column=1).value == "Document"
    assert world.august.number in [row[0] for row in sheet.iter_rows(values_only=True)]
    outsider = logged_in(other.finance)
    for path in ("", "confirm/", "dispute/", "pdf/", "items.xlsx"):
        assert outsider.get(url + path).status_code == 404, path
    assert confirmation.number not in outsider.get("/portal/receivables/").content.decode()
