"""An issued August statement of the worked example (¥2,793.00, issued 2026-09-08), its
agency's staff and brand users, and invoice files of each type built in memory."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from common import clock
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services as s
from tests import factories as f

TODAY = date(2026, 10, 20)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<EInvoice><Header><InvoiceNumber>'
    b"26442000000123456789</InvoiceNumber></Header><TotalTax-includedAmount>2793.00"
    b"</TotalTax-includedAmount></EInvoice>"
)
DIGITAL = "26442000000123456789"


def ofd_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "OFD.xml", '<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        )
        package.writestr("Doc_0/Document.xml", "<Document/>")
    return buffer.getvalue()


def upload(name: str = "invoice.pdf", content: bytes = PDF, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def sale(agreement, ref: str, sold_on: str = "2026-08-05"):
    return sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": "TEA-1",
            "sold_on": sold_on,
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": ref,
        },
    ).line


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def rs(db):
    agreement = f.agreement("revenue_share", activate=True)
    f.product(agreement.brand, sku="TEA-1", factory_price=Decimal("80.00"))
    return agreement


@pytest.fixture
def staff(rs):
    return f.user(rs.agency, User.Role.AGENCY_STAFF)


@pytest.fixture
def finance(rs):
    return f.user(rs.brand, User.Role.BRAND_FINANCE)


def issue_august(agreement, staff, ref="A-1"):
    sale(agreement, ref)
    draft = s.statement_generate(agreement=agreement, period=Period(2026, 8), by=staff).statement
    return s.statement_issue(statement=draft, issued_on=date(2026, 9, 8), by=staff)


@pytest.fixture
def statement(rs, staff):
    return issue_august(rs, staff)


def pay_after_invoice(agreement, working_days: int = 5) -> None:
    terms = agreement.revenue_share_terms
    terms.invoice_before_payment = True
    terms.invoice_payment_working_days = working_days
    terms.save()


def post_data(statement, **kw):
    """What a form or multipart POST sends for the worked example's full invoice."""
    data = {
        "statement": statement.pk,
        "kind": "vat_special_digital",
        "number": DIGITAL,
        "issued_on": "2026-09-09",
        "amount": "2793.00",
        "tax_amount": "158.09",
        "file": upload(),
    }
    data.update(kw)
    return data


def record(statement, staff, **kw):
    values = {
        "kind": "vat_special_digital",
        "number": DIGITAL,
        "issued_on": date(2026, 9, 9),
        "amount": Decimal("2793.00"),
        "tax_amount": Decimal("158.09"),
        "file": upload(),
    }
    values.update(kw)
    return s.invoice_record(statement=statement, by=staff, **values)
