"""Copies of one invoice posted at the same moment on PostgreSQL: the statement's row lock
lets the invoices add up to its total and no more, and never answers 500."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.exceptions import RuleViolation
from settlements import services as s
from settlements.models import Invoice
from tests.concurrency import conftest as races
from tests.concurrency.conftest import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI)"
    ),
]

COPIES = 4
issued_world = races.issued_world  # the concurrency tests' fixture: an issued statement


def test_concurrent_invoices_never_exceed_the_total(issued_world):
    statement, staff = issued_world["statement"], issued_world["staff"]
    total = statement.total_due
    part = (total / 2).quantize(Decimal("0.01"))  # two fit, the others must be refused

    def post(i):
        try:
            s.invoice_record(
                statement=statement,
                kind="vat_normal_paper",
                number=f"{i + 1:08d}",
                issued_on=date(2026, 9, 9),
                amount=part,
                tax_amount=Decimal("0"),
                file=SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4 race"),
                by=staff,
            )
        except RuleViolation as refused:
            return sorted(refused.errors)
        return "ok"

    answers = race(COPIES, post)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert Counter(map(str, answers)) == Counter({"ok": 2, "['amount']": COPIES - 2})
    assert s.invoiced_amount(statement) == part * 2 <= total


def test_one_number_is_recorded_once_under_concurrency(issued_world):
    statement, staff = issued_world["statement"], issued_world["staff"]

    def post(i):
        try:
            s.invoice_record(
                statement=statement,
                kind="vat_special_digital",
                number="26442000000123456789",
                issued_on=date(2026, 9, 9),
                amount=Decimal("1.00"),
                tax_amount=Decimal("0.06"),
                file=SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4 race"),
                by=staff,
            )
        except RuleViolation as refused:
            return sorted(refused.errors)
        return "ok"

    answers = race(COPIES, post)
    assert Counter(map(str, answers)) == Counter({"ok": 1, "['number']": COPIES - 1}), answers
    assert Invoice.objects.filter(number="26442000000123456789").count() == 1
