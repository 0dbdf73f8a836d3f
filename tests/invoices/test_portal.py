"""The brand's invoices in the portal: the list, the statement's page, the download,
and 404 for another brand's file."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories as f
from tests.invoices.conftest import DIGITAL, PDF, issue_august, pay_after_invoice, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, finance):
    client.force_login(finance)
    return client


def test_the_list_and_the_download(portal, statement, staff):
    invoice = record(statement, staff)
    page = portal.get(reverse("portal:invoices"))
    assert page.status_code == 200
    html = page.content.decode()
    assert DIGITAL in html and statement.number in html
    file_url = reverse("portal:invoice_file", args=[invoice.pk])
    assert file_url in html
    download = portal.get(file_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{DIGITAL}.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    # The nav links to the page.
    assert reverse("portal:invoices") in portal.get(reverse("portal:statements")).content.decode()


def test_the_statement_page_lists_its_invoices(portal, statement, staff):
    invoice = record(statement, staff, amount=Decimal("1000.00"), tax_amount=Decimal("56.60"))
    html = portal.get(reverse("portal:statement", args=[statement.pk])).content.decode()
    assert 'data-testid="statement-invoices"' in html
    assert reverse("portal:invoice_file", args=[invoice.pk]) in html
    assert html.count("¥1,000.00") == 2  # the invoice and the invoiced total


def test_no_due_date_until_invoiced_is_said(portal, rs, staff):
    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    html = portal.get(reverse("portal:statement", args=[statement.pk])).content.decode()
    assert "none until invoices for the full total are recorded" in html or "开票" in html


def test_another_brands_invoice_file_is_404(portal, rs, staff):
    brand = f.brand(rs.agency)
    other = f.agreement("revenue_share", brand_org=brand, activate=True)
    f.product(brand, sku="TEA-1", factory_price=Decimal("80.00"))
    theirs = record(issue_august(other, staff, ref="O-1"), staff)
    assert portal.get(reverse("portal:invoice_file", args=[theirs.pk])).status_code == 404
    assert portal.get(reverse("portal:invoice_file", args=[987654321])).status_code == 404
    assert theirs.number not in portal.get(reverse("portal:invoices")).content.decode()
    # The brand's own user of the other brand downloads it.
    other_user = f.user(brand, User.Role.BRAND_VIEWER)
    portal.force_login(other_user)
    assert portal.get(reverse("portal:invoice_file", args=[theirs.pk])).status_code == 200


def test_staff_are_sent_to_the_admin(client, staff):
    client.force_login(staff)
    assert client.get(reverse("portal:invoices")).status_code == 302


def test_the_confirm_page_says_when_payment_falls_due_after_the_invoice(
    portal, rs, staff, monkeypatch
):
    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 10))  # before the receipt
    url = reverse("portal:statement_confirm", args=[statement.pk])
    portal.cookies["django_language"] = "en"
    waiting = portal.get(url).content.decode()
    assert "Payment falls due only after the agency's invoice" in waiting
    assert "If you confirm today, payment is due on" not in waiting
    # With the invoice for the full total in (9 Sept.), confirming on 10 Sept. makes payment
    # due on the 20th (the contract's date, later than 5 working days after the invoice).
    record(statement, staff)
    ready = portal.get(url).content.decode()
    assert "If you confirm today, payment is due on Sept. 20, 2026." in ready
