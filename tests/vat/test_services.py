"""Every statement, notice and bill keeps the VAT rate its agreement had when it was made
(a draft follows the agreement until it is issued); the split it shows never changes what
is owed."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from contracts.services import agreement_activate, terms_save
from core.money import VatSplit
from core.periods import Period
from settlements import services as s
from settlements.models import Statement
from settlements.vat import DEFAULT_VAT_RATE, agreement_vat_rate, statement_vat
from tests import factories as f
from tests.settlements.test_services import _sale

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def rs():
    """The worked example's revenue-share agreement, its invoices at 3%."""
    agreement = f.agreement("revenue_share", terms={"vat_rate": D("0.03")}, activate=True)
    f.product(agreement.brand, sku="TEA-1", factory_price=D("80.00"))
    return agreement


@pytest.fixture
def staff(rs):
    return f.user(rs.agency, User.Role.AGENCY_STAFF)


@pytest.fixture
def finance(rs):
    return f.user(rs.brand, User.Role.BRAND_FINANCE)


def _rate(agreement, rate):
    terms_save(agreement=agreement, terms={"vat_rate": D(rate)})
    agreement.refresh_from_db()


def test_the_setup_fee_bill_keeps_the_rate_of_activation(rs):
    bill = Statement.objects.get(agreement=rs, kind="setup_fee")
    assert bill.vat_rate == D("0.03")
    assert statement_vat(bill) == VatSplit(
        rate=D("0.03"), without_tax=D("9708.74"), tax=D("291.26"), total=D("10000.00")
    )


def test_a_draft_follows_the_agreement_and_issuing_fixes_the_rate(rs, staff, finance):
    _sale(rs, "WE-1")
    draft = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    assert draft.vat_rate == D("0.03")
    _rate(rs, "0.01")
    draft = s.statement_refresh(statement=draft)
    assert Statement.objects.get(pk=draft.pk).vat_rate == D("0.01")
    _rate(rs, "0.06")  # changed again before the issue: the issued statement has 6%
    issued = s.statement_issue(statement=draft, issued_on=date(2026, 9, 8), by=staff)
    issued.refresh_from_db()
    assert issued.vat_rate == D("0.06")
    assert (statement_vat(issued).without_tax, statement_vat(issued).tax) == (
        D("2634.91"),
        D("158.09"),
    )
    _rate(rs, "0")  # later changes of the terms never reach an issued statement
    s.statement_confirm(statement=issued, confirmed_on=date(2026, 9, 11), by=finance)
    issued.refresh_from_db()
    assert issued.vat_rate == D("0.06")
    assert issued.total_due == D("2793.00")  # the split never changes what is owed
    # A penalty notice is made now, so it carries the agreement's rate now.
    s.payment_record(statement=issued, amount=D("2793.00"), paid_on=date(2026, 9, 30), by=staff)
    notice = issued.penalty_notices.get()
    assert notice.total_due == D("83.79") and notice.vat_rate == D("0")
    assert statement_vat(notice).without_tax == D("83.79") and statement_vat(notice).tax == 0


def test_a_correction_takes_the_agreements_rate_at_correction(rs, staff, finance):
    bill = Statement.objects.get(agreement=rs, kind="setup_fee")
    voided = s.statement_void(statement=bill, reason="金额有误", by=staff)
    _rate(rs, "0.01")
    corrected = s.statement_correct(statement=voided, by=staff)
    assert corrected.vat_rate == D("0.01")
    voided.refresh_from_db()
    assert voided.vat_rate == D("0.03")  # the voided version keeps its own
    _sale(rs, "WE-1")
    monthly = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    monthly = s.statement_issue(statement=monthly, issued_on=date(2026, 9, 8), by=staff)
    voided = s.statement_void(statement=monthly, reason="漏记退货", by=staff)
    _rate(rs, "0")
    assert s.statement_correct(statement=voided, by=staff).vat_rate == D("0")


def test_consulting_installments_carry_their_agreements_rate():
    agreement = f.agreement("consulting_fixed_fee", terms={"total_fee": D("50000.00")})
    _rate(agreement, "0.01")
    agreement_activate(agreement=agreement, by=None)
    first = Statement.objects.get(agreement=agreement, kind="installment")
    assert first.vat_rate == D("0.01")
    assert statement_vat(first).tax == D("247.52")  # 25,000.00 − 24,752.48


def test_an_agreement_without_terms_falls_back_to_six_percent():
    agreement = f.agreement("revenue_share")
    agreement.revenue_share_terms.delete()
    agreement = type(agreement).objects.get(pk=agreement.pk)
    assert agreement.terms is None
    assert agreement_vat_rate(agreement) == DEFAULT_VAT_RATE == D("0.06")


def test_the_default_terms_are_six_percent():
    assert agreement_vat_rate(f.agreement("b2b_commission")) == D("0.06")
