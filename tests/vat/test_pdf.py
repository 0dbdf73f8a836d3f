"""Every statement, penalty notice and bill PDF shows the VAT split next to its totals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from settlements import documents
from tests.settlements.test_documents import (
    _penalty_notice,
    _setup_fee_bill,
    assert_contains,
    pdf_text,
    worked_example_agreement,
    worked_example_statement,
)

pytestmark = pytest.mark.django_db


def test_the_worked_example_shows_its_split_and_stays_one_page() -> None:
    data = documents.statement_pdf_bytes(worked_example_statement())
    assert_contains(
        data,
        "应付金额 Total due ¥2,793.00",
        "不含税金额 Net of tax ¥2,634.91",
        "税额（税率 6%）VAT (6%) ¥158.09",
        "价税合计 Amount incl. tax ¥2,793.00",
    )
    assert "税额（税率 6%）" in pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_a_bill_at_three_percent() -> None:
    bill = _setup_fee_bill(worked_example_agreement())
    bill.vat_rate = Decimal("0.03")
    bill.save(update_fields=["vat_rate"])
    assert_contains(
        documents.statement_pdf_bytes(bill),
        "不含税金额 Net of tax ¥9,708.74",
        "税额（税率 3%）VAT (3%) ¥291.26",
        "价税合计 Amount incl. tax ¥10,000.00",
    )


def test_a_penalty_notice_without_vat() -> None:
    notice = _penalty_notice(worked_example_statement())
    notice.vat_rate = Decimal("0")
    notice.save(update_fields=["vat_rate"])
    assert_contains(
        documents.statement_pdf_bytes(notice),
        "不含税金额 Net of tax ¥76.34",
        "税额（税率 0%）VAT (0%) ¥0.00",
        "价税合计 Amount incl. tax ¥76.34",
    )


def test_the_rows_are_text_the_template_shows() -> None:
    rows = documents.vat_rows(worked_example_statement())
    assert [(row.zh, row.en, row.value) for row in rows] == [
        ("不含税金额", "Net of tax", "2,634.91"),
        ("税额（税率 6%）", "VAT (6%)", "158.09"),
        ("价税合计", "Amount incl. tax", "2,793.00"),
    ]
