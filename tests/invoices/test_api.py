"""invoices/ through the API: multipart upload, the file, reversal, filters, and the wall
between brands (404, never 403, for what is not yours)."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from settlements import messages as msg
from settlements.models import Invoice
from tests import factories as f
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
URL = "/api/v1/invoices/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_brand_statement(rs, staff):
    """A statement of another brand of the same agency."""
    brand = f.brand(rs.agency)
    agreement = f.agreement("revenue_share", brand_org=brand, activate=True)
    f.product(brand, sku="TEA-1", factory_price=Decimal("80.00"))
    return issue_august(agreement, staff, ref="OTHER-1")


def test_staff_post_multipart_and_read_it_back(statement, staff):
    client = client_for(staff)
    response = client.post(URL, post_data(statement), format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["statement"] == statement.pk and data["statement_number"] == statement.number
    assert (data["kind"], data["number"], data["amount"], data["tax_amount"]) == (
        "vat_special_digital",
        DIGITAL,
        "2793.00",
        "158.09",
    )
    assert (data["status"], data["content_type"], data["size"]) == (
        "issued",
        "application/pdf",
        len(PDF),
    )
    download = client.get(data["file_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f"{DIGITAL}.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    statement_data = client.get(f"/api/v1/statements/{statement.pk}/").json()
    assert statement_data["invoiced_amount"] == "2793.00"
    listed = client.get("/api/v1/statements/").json()["results"]
    assert [row["invoiced_amount"] for row in listed if row["id"] == statement.pk] == ["2793.00"]


def test_bad_input_is_400_by_field_never_500(statement, staff):
    client = client_for(staff)
    response = client.post(
        URL, post_data(statement, number="123", file=upload("a.pdf", XML)), format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {
        "number": [msg.INVOICE_NUMBER_DIGITAL],
        "file": [msg.INVOICE_FILE_MISMATCH.format(name="a.pdf", actual="XML")],
    }
    no_file = post_data(statement)
    del no_file["file"]
    response = client.post(URL, no_file, format="multipart")
    assert response.status_code == 400 and response.json() == {"file": [msg.INVOICE_FILE_REQUIRED]}
    record(statement, staff, amount=Decimal("2000.00"), tax_amount=Decimal("0"))
    response = client.post(
        URL, post_data(statement, number="26442000000123456790"), format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"amount": [msg.INVOICE_OVER_TOTAL.format(available="793.00")]}
    response = client.post(URL, post_data(statement, kind="x", amount="abc"), format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"kind", "amount"}


def test_a_void_statement_is_409(statement, staff):
    from settlements import services as s

    s.statement_void(statement=statement, by=staff, reason="错")
    response = client_for(staff).post(URL, post_data(statement), format="multipart")
    assert response.status_code == 409


def test_brands_read_their_own_and_nothing_else(
    rs, statement, staff, finance, other_brand_statement
):
    mine = record(statement, staff)
    theirs = record(other_brand_statement, staff, number="26442000000123456790")
    client = client_for(finance)
    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    download = client.get(f"{URL}{mine.pk}/file/", HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    missing = client.get(f"{URL}987654321/file/")
    for path in (f"{URL}{theirs.pk}/", f"{URL}{theirs.pk}/file/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.content == client.get(path.replace(str(theirs.pk), "987654321")).content
    assert missing.status_code == 404
    reverse = {"red_number": "26442000000999999999"}
    assert client.post(f"{URL}{theirs.pk}/reverse/", reverse, format="json").status_code == 404
    # Their own: the brand reads but never writes.
    assert client.post(f"{URL}{mine.pk}/reverse/", reverse, format="json").status_code == 403
    assert (
        client.post(
            URL, post_data(statement, number="26442000000123456791"), format="multipart"
        ).status_code
        == 403
    )
    # Staff of another agency: 404 for the statement in a body too.
    outsider = f.user(f.agency(), User.Role.AGENCY_STAFF)
    response = client_for(outsider).post(
        URL, post_data(statement, number="26442000000123456791"), format="multipart"
    )
    assert response.status_code == 404
    assert client_for(outsider).get(f"{URL}{mine.pk}/file/").status_code == 404


def test_filters(statement, staff):
    a = record(statement, staff, amount=Decimal("100.00"), tax_amount=Decimal("0"))
    b = record(
        statement,
        staff,
        kind="vat_normal_paper",
        number="00000001",
        amount=Decimal("100.00"),
        tax_amount=Decimal("0"),
    )
    from settlements import services as s

    s.invoice_reverse(invoice=b, red_number="00000002", by=staff)
    client = client_for(staff)

    def ids(query):
        return {row["id"] for row in client.get(URL + query).json()["results"]}

    assert ids(f"?statement={statement.pk}") == {a.pk, b.pk}
    assert ids("?status=reversed") == {b.pk}
    assert ids("?kind=vat_special_digital") == {a.pk}
    assert client.get(URL + "?status=nope").status_code == 400


def test_reverse_through_the_api(rs, staff):
    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    invoice = record(statement, staff)
    statement.refresh_from_db()
    assert statement.payment_due_on is not None
    client = client_for(staff)
    response = client.post(
        f"{URL}{invoice.pk}/reverse/", {"red_number": "1", "on": "2026-09-10"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()) == {"red_number"}
    response = client.post(
        f"{URL}{invoice.pk}/reverse/",
        {"red_number": "26442000000999999999", "on": "2026-09-10"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reversed_on"]) == ("reversed", "2026-09-10")
    assert client.get(f"/api/v1/statements/{statement.pk}/").json()["payment_due_on"] is None
    again = client.post(
        f"{URL}{invoice.pk}/reverse/", {"red_number": "26442000000999999998"}, format="json"
    )
    assert again.status_code == 409
    assert Invoice.objects.get(pk=invoice.pk).red_number == "26442000000999999999"
    assert date(2026, 9, 10) == Invoice.objects.get(pk=invoice.pk).reversed_on
