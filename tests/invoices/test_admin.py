"""Invoices in the staff admin: recording one through the form (file included), the
service's refusals beside their fields, the reversal page, and the statement's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from settlements import messages as msg
from settlements.models import Invoice
from tests.invoices.conftest import (
    DIGITAL,
    PDF,
    XML,
    issue_august,
    pay_after_invoice,
    post_data,
    record,
    upload,
)

pytestmark = pytest.mark.django_db
ADD = "admin:settlements_invoice_add"


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_record_through_the_form(admin_client, statement):
    page = admin_client.get(reverse(ADD) + f"?statement={statement.pk}")
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["statement"] == str(statement.pk)
    response = admin_client.post(reverse(ADD), post_data(statement))
    assert response.status_code == 302, response.context["adminform"].form.errors
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.amount, invoice.content_type) == (
        DIGITAL,
        Decimal("2793.00"),
        "application/pdf",
    )
    file = admin_client.get(reverse("admin:settlements_invoice_file", args=[invoice.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF
    listing = admin_client.get(reverse("admin:settlements_invoice_changelist") + "?status=issued")
    assert DIGITAL in listing.content.decode()
    # A recorded invoice reads only.
    change = admin_client.get(reverse("admin:settlements_invoice_change", args=[invoice.pk]))
    assert change.status_code == 200 and "adminform" in change.context
    assert not change.context["adminform"].form.fields


def test_refusals_show_on_the_form_and_keep_nothing(admin_client, statement):
    response = admin_client.post(
        reverse(ADD), post_data(statement, number="12", file=upload("fp.pdf", XML))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["number"] == [msg.INVOICE_NUMBER_DIGITAL]
    assert errors["file"] == [msg.INVOICE_FILE_MISMATCH.format(name="fp.pdf", actual="XML")]
    response = admin_client.post(
        reverse(ADD), post_data(statement, amount="2793.01", tax_amount="0")
    )
    errors = response.context["adminform"].form.errors
    assert errors["amount"] == [msg.INVOICE_OVER_TOTAL.format(available="2793.00")]
    response = admin_client.post(
        reverse(ADD), post_data(statement, amount="10.00", tax_amount="20.00")
    )
    assert msg.INVOICE_TAX_RANGE in str(response.context["adminform"].form.errors)
    assert not Invoice.objects.exists()


def test_reverse_from_the_invoice_page(admin_client, statement, staff):
    invoice = record(statement, staff)
    url = reverse("admin:settlements_invoice_reverse_invoice", args=[invoice.pk])
    change = admin_client.get(reverse("admin:settlements_invoice_change", args=[invoice.pk]))
    assert url in change.content.decode()
    page = admin_client.get(url)
    assert page.status_code == 200
    refused = admin_client.post(url, {"red_number": "1", "on": "2026-10-20"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["red_number"] == [msg.INVOICE_NUMBER_DIGITAL]
    done = admin_client.post(url, {"red_number": "26442000000999999999", "on": "2026-10-20"})
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.red_number) == ("reversed", "26442000000999999999")
    # Reversed: the button is gone and the page refuses.
    change = admin_client.get(reverse("admin:settlements_invoice_change", args=[invoice.pk]))
    assert url not in change.content.decode()
    assert admin_client.get(url).status_code == 403


def test_the_statement_page_lists_invoices_and_offers_one_more(admin_client, rs, staff):
    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    page = admin_client.get(reverse("admin:settlements_statement_change", args=[statement.pk]))
    html = page.content.decode()
    add_url = reverse(ADD) + f"?statement={statement.pk}"
    assert add_url in html
    assert page.context["page"]["awaits_invoice"] is True
    invoice = record(statement, staff)
    page = admin_client.get(reverse("admin:settlements_statement_change", args=[statement.pk]))
    html = page.content.decode()
    assert DIGITAL in html and reverse("admin:settlements_invoice_file", args=[invoice.pk]) in html
    assert add_url not in html  # invoiced in full
    assert page.context["page"]["invoiced"] == Decimal("2793.00")


def test_another_agencys_invoice_is_not_found(client, statement, staff):
    from accounts.models import User
    from tests import factories as f

    invoice = record(statement, staff)
    outsider = f.user(f.agency(), User.Role.AGENCY_STAFF)
    client.force_login(outsider)
    for name in ("admin:settlements_invoice_file", "admin:settlements_invoice_reverse_invoice"):
        assert client.get(reverse(name, args=[invoice.pk])).status_code in (403, 404)
    assert (
        client.get(reverse("admin:settlements_invoice_file", args=[invoice.pk])).status_code == 404
    )
