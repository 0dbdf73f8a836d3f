"""Recording invoices, their checks, the void that marks them for 红冲, the reversal, and
the due date under ``invoice_before_payment`` with the penalty and flags that follow."""

from datetime import date
from decimal import Decimal

import pytest

from common.models import Event
from contracts.models import Agreement
from core.exceptions import InvalidStateError, RuleViolation
from core.periods import Period
from settlements import messages as msg
from settlements import selectors
from settlements import services as s
from settlements.models import Invoice, Statement
from tests import factories as f
from tests.invoices.conftest import (
    DIGITAL,
    PDF,
    XML,
    issue_august,
    ofd_bytes,
    pay_after_invoice,
    record,
    upload,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _flags(statement, as_of):
    """The flags the daily job sees on ``statement`` as of a day."""
    agreements = Agreement.objects.filter(pk=statement.agreement_id)
    found = selectors.flags_as_of(as_of=as_of, agreements=agreements)
    return {flag.name for flag in found if flag.statement == statement}


def _errors(excinfo):
    return excinfo.value.errors


def test_record_stores_the_invoice_its_file_and_an_event(statement, staff):
    invoice = record(statement, staff)
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.content_type == "application/pdf"
    assert invoice.file_name == "invoice.pdf" and invoice.size == len(PDF)
    assert invoice.file.read() == PDF
    assert invoice.recorded_by == staff
    assert s.invoiced_amount(statement) == D("2793.00")
    event = Event.objects.get(action="invoice.recorded")
    assert (event.object_type, event.object_id) == ("statement", statement.pk)
    assert event.detail["number"] == DIGITAL and event.detail["amount"] == "2793.00"


def test_the_invoiced_total_never_exceeds_the_statement_total(statement, staff):
    record(statement, staff, amount=D("2000.00"), tax_amount=D("113.21"))
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, number="26442000000123456790", amount=D("793.01"))
    assert _errors(refused) == {"amount": [msg.INVOICE_OVER_TOTAL.format(available="793.00")]}
    record(statement, staff, number="26442000000123456790", amount=D("793.00"), tax_amount=D("0"))
    assert s.invoiced_amount(statement) == statement.total_due


@pytest.mark.parametrize(
    ("kind", "number", "problem"),
    [
        ("vat_special_digital", "2644200000012345678", msg.INVOICE_NUMBER_DIGITAL),
        ("vat_normal_digital", "2644200000012345678X", msg.INVOICE_NUMBER_DIGITAL),
        ("vat_special_paper", "123456789", msg.INVOICE_NUMBER_PAPER),
        ("vat_normal_paper", DIGITAL, msg.INVOICE_NUMBER_PAPER),
    ],
)
def test_number_form_by_kind(statement, staff, kind, number, problem):
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, kind=kind, number=number)
    assert _errors(refused) == {"number": [problem]}


def test_paper_numbers_have_eight_digits(statement, staff):
    assert (
        record(statement, staff, kind="vat_normal_paper", number=" 01234567 ").number == "01234567"
    )


def test_a_number_is_recorded_once_in_the_agency(rs, statement, staff):
    record(statement, staff, amount=D("100.00"), tax_amount=D("5.66"))
    with pytest.raises(RuleViolation) as refused:
        # the other digital kind shares the platform's numbering
        record(statement, staff, kind="vat_normal_digital", amount=D("100.00"), tax_amount=D("0"))
    assert _errors(refused) == {"number": [msg.INVOICE_NUMBER_TAKEN.format(number=DIGITAL)]}
    # Another agency may hold the same number: no wall is crossed to check it.
    other = f.agreement("revenue_share", activate=True)
    f.product(other.brand, sku="TEA-1", factory_price=D("80.00"))
    other_staff = f.user(other.agency, "agency_staff")
    other_statement = issue_august(other, other_staff, ref="B-1")
    assert record(other_statement, other_staff).number == DIGITAL


def test_dates_and_amounts(statement, staff):
    with pytest.raises(RuleViolation) as refused:
        record(
            statement,
            staff,
            kind="bogus",
            issued_on=date(2026, 9, 7),
            amount=D("0"),
            tax_amount=D("1.00"),
        )
    assert _errors(refused) == {
        "kind": [msg.INVOICE_KIND],
        "issued_on": [msg.INVOICE_BEFORE_ISSUE.format(issued_on=date(2026, 9, 8))],
        "amount": [msg.AMOUNT_POSITIVE],
        "tax_amount": [msg.INVOICE_TAX_RANGE],
    }
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, issued_on=date(2026, 10, 21), amount=D("1.001"))
    assert set(_errors(refused)) == {"issued_on", "amount"}
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, amount=D("10.00"), tax_amount=D("10.01"))
    assert _errors(refused) == {"tax_amount": [msg.INVOICE_TAX_RANGE]}
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("invoice.pdf", b"GIF89a not a pdf", msg.INVOICE_FILE_TYPE),
        ("invoice.pdf", XML, msg.INVOICE_FILE_MISMATCH.replace("{actual}", "XML")),
        ("invoice.xml", PDF, msg.INVOICE_FILE_MISMATCH.replace("{actual}", "PDF")),
        ("invoice.ofd", b"PK\x03\x04 broken zip", msg.INVOICE_FILE_TYPE),
        ("invoice.xml", b"<a><b></a>", msg.INVOICE_FILE_TYPE),
        ("invoice.txt", b"<a/>", msg.INVOICE_FILE_MISMATCH.replace("{actual}", "XML")),
        (
            "invoice.xml",
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>',
            msg.INVOICE_XML_DTD,
        ),
        ("invoice.pdf", b"", msg.INVOICE_FILE_EMPTY),
    ],
)
def test_the_file_type_is_read_from_the_content(statement, staff, name, content, problem):
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, file=upload(name, content))
    assert _errors(refused) == {"file": [problem.format(name=name)]}
    assert not Invoice.objects.exists()


def test_a_zip_without_ofd_xml_is_not_an_ofd(statement, staff):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, file=upload("invoice.ofd", buffer.getvalue()))
    assert _errors(refused) == {"file": [msg.INVOICE_FILE_TYPE.format(name="invoice.ofd")]}


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("发票.OFD", None, "application/ofd"), ("invoice.xml", XML, "application/xml")],
)
def test_ofd_and_xml_are_accepted(statement, staff, name, content, content_type):
    invoice = record(statement, staff, file=upload(name, content or ofd_bytes()))
    assert invoice.content_type == content_type and invoice.file_name == name


def test_the_size_limit_is_a_setting(statement, staff, settings):
    settings.INVOICE_FILE_MAX_BYTES = 40
    with pytest.raises(RuleViolation) as refused:
        record(statement, staff, file=upload("big.pdf", PDF + b" " * 40))
    assert _errors(refused) == {
        "file": [msg.INVOICE_FILE_TOO_LARGE.format(name="big.pdf", max_mb=f"{40 / 2**20:g}")]
    }


def test_no_invoice_on_a_draft_or_void_statement_nor_by_the_brand(rs, statement, staff, finance):
    with pytest.raises(RuleViolation):
        record(statement, finance)
    s.statement_void(statement=statement, by=staff, reason="错")
    with pytest.raises(InvalidStateError):
        record(statement, staff)
    sale_draft = s.statement_generate(agreement=rs, period=Period(2026, 9), by=staff).statement
    with pytest.raises(InvalidStateError):
        record(sale_draft, staff)


def test_void_marks_the_invoices_for_reversal_until_the_red_number(statement, staff):
    first = record(statement, staff, amount=D("1000.00"), tax_amount=D("56.60"))
    second = record(
        statement,
        staff,
        kind="vat_normal_paper",
        number="00000001",
        amount=D("10.00"),
        tax_amount=D("0.57"),
    )
    s.invoice_reverse(invoice=second, red_number="00000002", on=date(2026, 9, 10), by=staff)
    s.statement_void(statement=statement, by=staff, reason="金额有误")
    first.refresh_from_db()
    assert first.status == Invoice.Status.TO_REVERSE
    event = Event.objects.get(action="invoice.to_reverse")
    assert event.detail == {"numbers": [DIGITAL]}
    assert event.message == msg.INVOICES_TO_REVERSE.format(numbers=DIGITAL)
    reversed_ = s.invoice_reverse(
        invoice=first, red_number="26442000000999999999", on=date(2026, 10, 9), by=staff
    )
    assert (reversed_.status, reversed_.red_number) == ("reversed", "26442000000999999999")
    assert reversed_.reversed_on == date(2026, 10, 9)
    assert s.invoiced_amount(statement) == D("0")
    with pytest.raises(InvalidStateError):
        s.invoice_reverse(invoice=first, red_number="26442000000999999998", by=staff)


def test_reversal_checks(statement, staff, finance):
    invoice = record(statement, staff)
    with pytest.raises(RuleViolation) as refused:
        s.invoice_reverse(invoice=invoice, red_number="123", on=date(2026, 9, 1), by=staff)
    assert _errors(refused) == {
        "red_number": [msg.INVOICE_NUMBER_DIGITAL],
        "on": [msg.INVOICE_REVERSE_BEFORE.format(issued_on=date(2026, 9, 9))],
    }
    with pytest.raises(RuleViolation) as refused:
        s.invoice_reverse(invoice=invoice, red_number=DIGITAL, by=staff)
    assert _errors(refused) == {"red_number": [msg.INVOICE_RED_SAME]}
    with pytest.raises(RuleViolation):
        s.invoice_reverse(invoice=invoice, red_number="26442000000999999999", by=finance)
    # A plain issued invoice that was wrong is reversed directly, dated today by default;
    # its number is free again (a corrected invoice may be recorded), the red one is not.
    s.invoice_reverse(invoice=invoice, red_number="26442000000999999999", by=staff)
    invoice.refresh_from_db()
    assert invoice.reversed_on == date(2026, 10, 20)
    assert record(statement, staff).status == "issued"
    with pytest.raises(RuleViolation):
        record(statement, staff, number="26442000000999999999", amount=D("1.00"), tax_amount=D("0"))


# --- invoice_before_payment ---------------------------------------------------------------


def test_without_the_term_invoices_change_no_date(statement, staff):
    due = statement.payment_due_on
    assert due is not None and statement.contract_due_on == due
    record(statement, staff, issued_on=date(2026, 10, 19))
    statement.refresh_from_db()
    assert statement.payment_due_on == due


def test_with_the_term_nothing_is_due_until_the_invoice_for_the_full_total(rs, staff, finance):
    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    contract_due = statement.contract_due_on
    assert contract_due == date(2026, 9, 20)  # a make-up working Sunday in 2026
    assert statement.payment_due_on is None
    far = date(2026, 10, 20)
    state = selectors.statement_penalty(statement=statement, as_of=far)
    assert (state.days_overdue, state.penalty, state.due_on) == (0, D("0"), None)
    assert "payment_overdue" not in _flags(statement, far)
    # Silence confirms on the receipt deadline; still nothing is due.
    s.statements_deem_confirmed(on=far)
    statement.refresh_from_db()
    assert statement.status == "confirmed" and statement.payment_due_on is None
    # A part invoice changes nothing.
    record(statement, staff, amount=D("2000.00"), tax_amount=D("113.21"))
    statement.refresh_from_db()
    assert statement.payment_due_on is None
    # The completing invoice on Mon 9-21 (recorded late, dated then): 5 working days
    # skip the Mid-Autumn Friday and the weekend → Tue 9-29, later than the contract's.
    record(
        statement,
        staff,
        number="26442000000123456790",
        issued_on=date(2026, 9, 21),
        amount=D("793.00"),
        tax_amount=D("44.89"),
    )
    statement.refresh_from_db()
    assert statement.payment_due_on == date(2026, 9, 29)
    assert Event.objects.filter(action="invoice.recorded").order_by("pk").last().detail[
        "payment_due_on"
    ] == ("2026-09-29")
    # The penalty and the flags follow: 21 days overdue on 10-20 at 0.3% a day.
    state = selectors.statement_penalty(statement=statement, as_of=far)
    assert state.days_overdue == 21
    assert state.penalty == (D("2793.00") * D("0.003") * 21).quantize(D("0.01"))
    assert "payment_overdue" in _flags(statement, far)
    # Reversing the completing invoice takes the due date away again.
    completing = statement.invoices.get(number="26442000000123456790")
    s.invoice_reverse(invoice=completing, red_number="26442000000123456799", by=staff)
    statement.refresh_from_db()
    assert statement.payment_due_on is None


def test_an_invoice_before_the_contract_date_keeps_the_contract_date(rs, staff):
    pay_after_invoice(rs, working_days=3)
    statement = issue_august(rs, staff)
    record(statement, staff, issued_on=date(2026, 9, 8))
    statement.refresh_from_db()
    assert statement.payment_due_on == statement.contract_due_on == date(2026, 9, 20)


def test_a_dispute_still_wins_and_withdrawal_brings_the_rule_back(rs, staff, finance):

    pay_after_invoice(rs)
    statement = issue_august(rs, staff)
    record(statement, staff, issued_on=date(2026, 9, 9))
    s.statement_dispute(
        statement=statement, by=finance, comment="数量不对", disputed_on=date(2026, 9, 10)
    )
    statement.refresh_from_db()
    assert (statement.payment_due_on, statement.contract_due_on) == (None, None)
    statement = s.statement_withdraw_dispute(
        statement=statement, by=finance, withdrawn_on=date(2026, 9, 28)
    )
    # Confirmed 9-28: the contract's date is the later of 9-20 and 3 working days → 10-8
    # (the National Day week is off); the invoice of 9-9 + 5 working days is earlier.
    assert statement.contract_due_on == date(2026, 10, 8)
    assert statement.payment_due_on == date(2026, 10, 8)


def test_one_off_bills_and_penalty_notices_follow_the_term(staff):
    agreement = f.agreement("consulting_fixed_fee")
    agreement.consulting_terms.invoice_before_payment = True
    agreement.consulting_terms.save()
    from contracts.services import agreement_activate

    agreement_activate(agreement=agreement, by=None)
    bills = Statement.objects.filter(agreement=agreement, kind="installment")
    assert bills.exists()
    for bill in bills:
        assert bill.contract_due_on is not None and bill.payment_due_on is None
