from datetime import date
from decimal import Decimal

import pytest

from common.models import Event
from contracts import validation as msg
from contracts.models import Agreement, Installment
from contracts.services import (
    agreement_activate,
    agreement_create,
    agreement_terminate,
    agreements_roll_over,
    renewal_objection_record,
)
from core.exceptions import InvalidStateError, RuleViolation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _fields(**overrides):
    brand = f.brand()
    fields = {
        "number": "HT-2026-0100",
        "kind": Agreement.Kind.REVENUE_SHARE,
        "brand": brand,
        "agency": brand.agency,
        "title": "t",
        "signed_on": date(2026, 5, 20),
        "starts_on": date(2026, 6, 1),
        "ends_on": date(2027, 5, 31),
        "bank_account": brand.agency.bank_accounts.first(),
    }
    fields.update(overrides)
    return fields


def test_revenue_share_gets_template_defaults():
    agreement = agreement_create(by=None, **_fields())
    terms = agreement.revenue_share_terms
    assert terms.agency_ratio == Decimal("0.30")
    assert terms.setup_fee == Decimal("10000.00")
    assert terms.setup_fee_due_days == 3
    assert (terms.issue_by_day, terms.receipt_working_days, terms.payment_day) == (10, 5, 20)
    assert terms.termination_overdue_days == 15
    assert agreement.penalty_rate_per_day == Decimal("0.003")
    assert agreement.auto_renew is True
    assert agreement.status == Agreement.Status.DRAFT


def test_kind_defaults_for_penalty_rates():
    b2b = f.agreement(Agreement.Kind.B2B_COMMISSION)
    consulting = f.agreement(Agreement.Kind.CONSULTING_FIXED_FEE)
    assert b2b.penalty_rate_per_day == Decimal("0")
    assert b2b.b2b_terms.payment_working_days == 5
    assert b2b.b2b_terms.min_conversion_rate == Decimal("0.015")
    assert consulting.penalty_rate_per_day == Decimal("0.005")
    assert [(i.percent, i.due_from, i.working_days) for i in consulting.installments.all()] == [
        (Decimal("50.00"), Installment.DueFrom.SIGNING, 3),
        (Decimal("50.00"), Installment.DueFrom.END, 3),
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": date(2026, 5, 1)}, "ends_on", msg.ENDS_BEFORE_STARTS),
        ({"kind": "barter"}, "kind", msg.UNKNOWN_KIND.format(kind="barter")),
        ({"penalty_rate_per_day": Decimal("-0.001")}, "penalty_rate_per_day", msg.NEGATIVE_RATE),
        ({"terms": {"agency_ratio": Decimal("1.2")}}, "terms.agency_ratio", msg.RATIO_OUT_OF_RANGE),
        (
            {"terms": {"agency_ratio": Decimal("-0.1")}},
            "terms.agency_ratio",
            msg.RATIO_OUT_OF_RANGE,
        ),
        ({"terms": {"setup_fee": Decimal("-1")}}, "terms.setup_fee", msg.NEGATIVE_AMOUNT),
    ],
)
def test_refused_with_clear_message_and_nothing_saved(overrides, field, message):
    with pytest.raises(RuleViolation) as caught:
        agreement_create(by=None, **_fields(**overrides))
    assert message in caught.value.errors[field]
    assert not Agreement.objects.filter(number="HT-2026-0100").exists()


def test_installments_must_add_up_to_100():
    with pytest.raises(RuleViolation) as caught:
        agreement_create(
            by=None,
            installments=[
                {"percent": "50", "due_from": "signing"},
                {"percent": "40", "due_from": "end"},
            ],
            **_fields(kind=Agreement.Kind.CONSULTING_FIXED_FEE, terms={"total_fee": "50000"}),
        )
    assert caught.value.errors["installments"] == [msg.INSTALLMENTS_NOT_100.format(total="90")]
    assert not Agreement.objects.exists()


def test_negative_b2b_fee_refused():
    with pytest.raises(RuleViolation) as caught:
        agreement_create(
            by=None,
            **_fields(
                kind=Agreement.Kind.B2B_COMMISSION, terms={"monthly_service_fee": Decimal("-5")}
            ),
        )
    assert caught.value.errors["terms.monthly_service_fee"] == [msg.NEGATIVE_AMOUNT]


def test_unknown_term_refused():
    with pytest.raises(RuleViolation) as caught:
        agreement_create(by=None, **_fields(terms={"agency_rato": "0.3"}))
    assert "terms.agency_rato" in caught.value.errors


def test_brand_of_other_agency_and_foreign_bank_account_refused():
    other_agency = f.agency()
    with pytest.raises(RuleViolation) as caught:
        agreement_create(
            by=None, **_fields(agency=other_agency, bank_account=other_agency.bank_accounts.first())
        )
    assert caught.value.errors["brand"] == [msg.BRAND_OF_OTHER_AGENCY]
    fields = _fields()
    fields["bank_account"] = f.agency().bank_accounts.first()
    with pytest.raises(RuleViolation) as caught:
        agreement_create(by=None, **fields)
    assert caught.value.errors["bank_account"] == [msg.BANK_ACCOUNT_NOT_PAYEE]


def test_activate_needs_bank_account_and_only_from_draft():
    agreement = agreement_create(by=None, **_fields(bank_account=None))
    with pytest.raises(RuleViolation) as caught:
        agreement_activate(agreement=agreement, by=None)
    assert caught.value.errors["bank_account"] == [msg.BANK_ACCOUNT_REQUIRED]
    agreement.bank_account = agreement.agency.bank_accounts.first()
    agreement.save()
    agreement_activate(agreement=agreement, by=None)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    with pytest.raises(InvalidStateError):
        agreement_activate(agreement=agreement, by=None)
    actions = Event.objects.filter(agreement=agreement, action__startswith="agreement.")
    assert list(actions.values_list("action", flat=True)) == [
        "agreement.activated",
        "agreement.created",
    ]


def test_consulting_needs_a_total_fee_to_activate():
    agreement = f.agreement(Agreement.Kind.CONSULTING_FIXED_FEE, terms={"total_fee": Decimal("0")})
    with pytest.raises(RuleViolation) as caught:
        agreement_activate(agreement=agreement, by=None)
    assert caught.value.errors["terms.total_fee"] == [msg.TOTAL_FEE_REQUIRED]


def test_terminate_records_date_and_reason():
    staff = f.user(None, "")
    agreement = f.agreement(activate=True)
    with pytest.raises(RuleViolation):
        agreement_terminate(agreement=agreement, on=date(2026, 9, 30), reason="  ", by=staff)
    with pytest.raises(RuleViolation) as caught:
        agreement_terminate(agreement=agreement, on=date(2026, 1, 1), reason="r", by=staff)
    assert caught.value.errors["on"] == [msg.TERMINATION_BEFORE_START]
    agreement_terminate(
        agreement=agreement, on=date(2026, 9, 30), reason="品牌方要求提前终止", by=staff
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.TERMINATED
    assert agreement.terminated_on == date(2026, 9, 30)
    assert agreement.effective_ends_on == date(2026, 9, 30)
    event = Event.objects.get(agreement=agreement, action="agreement.terminated")
    assert event.message == "品牌方要求提前终止"
    assert event.actor == staff
    with pytest.raises(InvalidStateError):
        agreement_terminate(agreement=agreement, on=date(2026, 10, 1), reason="again", by=staff)


def test_auto_renewal_extends_by_term_without_objection():
    agreement = f.agreement(activate=True, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28))
    result = agreements_roll_over(today=date(2027, 3, 1))
    agreement.refresh_from_db()
    assert result.renewed == [agreement.number]
    assert agreement.ends_on == date(2028, 2, 29)
    assert agreement.renewal_count == 1
    assert agreement.status == Agreement.Status.ACTIVE
    # Running again the same day changes nothing.
    assert agreements_roll_over(today=date(2027, 3, 1)).renewed == []
    agreement.refresh_from_db()
    assert agreement.ends_on == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("objected_on", "expected_status"),
    [
        (date(2027, 4, 30), Agreement.Status.EXPIRED),  # on the deadline: in time
        (date(2027, 3, 15), Agreement.Status.EXPIRED),
        (date(2027, 5, 1), Agreement.Status.ACTIVE),  # a day late: renews
    ],
)
def test_objection_before_deadline_stops_renewal(objected_on, expected_status, monkeypatch):
    agreement = f.agreement(activate=True)  # ends 2027-05-31, deadline 2027-04-30
    monkeypatch.setattr("common.clock.today", lambda: date(2027, 6, 1))
    renewal_objection_record(
        agreement=agreement, on=objected_on, by_party="brand", note="书面异议", by=None
    )
    agreements_roll_over(today=date(2027, 6, 1))
    agreement.refresh_from_db()
    assert agreement.status == expected_status
    if expected_status == Agreement.Status.ACTIVE:
        assert agreement.ends_on == date(2028, 5, 31)
        # The late objection counts for the renewed term, whose deadline it precedes.
        agreements_roll_over(today=date(2028, 6, 1))
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.EXPIRED


def test_agreement_without_auto_renew_expires():
    agreement = f.agreement(
        Agreement.Kind.B2B_COMMISSION,
        activate=True,
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    assert agreements_roll_over(today=date(2027, 5, 31)).expired == []
    assert agreements_roll_over(today=date(2027, 6, 1)).expired == [agreement.number]
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EXPIRED


def test_objection_in_the_future_is_refused():
    agreement = f.agreement(activate=True)
    with pytest.raises(RuleViolation) as caught:
        renewal_objection_record(
            agreement=agreement, on=date(2099, 1, 1), by_party="brand", note="", by=None
        )
    assert caught.value.errors["on"] == [msg.FUTURE_DATE]
