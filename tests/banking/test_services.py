"""Allocating credits: payments recorded, splits, over-allocation refused, repeats."""

from datetime import date
from decimal import Decimal

import pytest

from banking import messages as msg
from banking.models import Allocation, BankTransaction
from banking.selectors import suggestions_for
from banking.services import (
    bank_transaction_allocate,
    bank_transaction_create,
    bank_transactions_create,
)
from common.models import Event
from core.exceptions import DomainError, RuleViolation
from settlements.models import Payment, Statement
from settlements.selectors import statement_penalty

D = Decimal


def _credit(
    world, amount, ref="R1", remark="", name="杭州茗香茶业有限公司", booked_on=date(2026, 9, 25)
):
    data = {
        "booked_on": booked_on,
        "amount": D(amount),
        "payer_name": name,
        "remark": remark,
        "bank_ref": ref,
    }
    return bank_transaction_create(agency=world.agency, data=data, by=world.staff).transaction


def test_create_is_idempotent_by_reference(world):
    data = {
        "booked_on": date(2026, 9, 25),
        "amount": D("10.00"),
        "bank_ref": "R1",
        "payer_name": "x",
    }
    first = bank_transaction_create(agency=world.agency, data=data, by=world.staff)
    again = bank_transaction_create(agency=world.agency, data=data, by=world.staff)
    assert first.created and not again.created and again.transaction.pk == first.transaction.pk
    with pytest.raises(DomainError) as error:
        bank_transaction_create(
            agency=world.agency, data={**data, "amount": D("11.00")}, by=world.staff
        )
    assert str(error.value) == msg.REF_CONFLICT.format(ref="R1")
    # another agency may use the same reference
    assert bank_transaction_create(
        agency=world.other_agency, data=data, by=world.other_staff
    ).created


def test_a_list_is_all_or_nothing(world):
    rows = [
        {"booked_on": date(2026, 9, 25), "amount": D("10.00"), "bank_ref": "A"},
        {"booked_on": date(2026, 12, 25), "amount": D("10.00"), "bank_ref": "B"},
        {"booked_on": date(2026, 9, 25), "amount": D("10.00"), "bank_ref": "A"},
    ]
    with pytest.raises(RuleViolation) as error:
        bank_transactions_create(agency=world.agency, rows=rows, by=world.staff)
    assert [p["index"] for p in error.value.errors["errors"]] == [1, 2]
    assert not BankTransaction.objects.exists()


def test_only_the_agencys_staff(world):
    with pytest.raises(RuleViolation):
        bank_transactions_create(agency=world.agency, rows=[], by=world.other_staff)
    with pytest.raises(RuleViolation):
        bank_transactions_create(agency=world.agency, rows=[], by=world.finance)


def test_suggestions_and_allocation_of_a_quoted_number(world):
    credit = _credit(world, "3570.00", remark=f"货款 {world.monthly.number}")
    assert credit.payer_brand == world.brand
    [suggestion] = suggestions_for([credit])[credit.pk]
    assert (suggestion.statement, suggestion.amount, suggestion.reason) == (
        world.monthly.pk,
        D("3570.00"),
        "number_in_remark",
    )
    done = bank_transaction_allocate(
        transaction=credit,
        allocations=[{"statement": world.monthly.pk, "amount": D("3570.00")}],
        by=world.staff,
    )
    credit.refresh_from_db()
    assert (credit.status, credit.allocated) == ("matched", D("3570.00"))
    payment = Payment.objects.get(statement=world.monthly)
    assert (payment.amount, payment.paid_on) == (D("3570.00"), date(2026, 9, 25))
    assert payment.external_ref == f"bank:R1:{world.monthly.pk}"
    assert done.allocations[0].payment == payment
    world.monthly.refresh_from_db()
    assert world.monthly.payment_status == Statement.PaymentStatus.PAID
    # paid 5 days after its due date (2026-09-20): the penalty follows as for any payment
    state = statement_penalty(statement=world.monthly, as_of=date(2026, 11, 20))
    assert state.penalty == (D("3570.00") * world.monthly.penalty_rate_per_day * 5).quantize(
        D("0.01")
    )
    assert world.monthly.penalty_notices.exists()  # the final notice, as paying in full does
    assert Event.objects.filter(action="bank.allocated", object_id=credit.pk).exists()
    assert suggestions_for([credit]) == {}


def test_split_over_two_items_and_the_rest_stays_unmatched(world):
    credit = _credit(world, "30000.00")
    bank_transaction_allocate(
        transaction=credit,
        allocations=[
            {"statement": world.installment.pk, "amount": D("25000.00")},
            {"statement": world.setup_fee.pk, "amount": D("4000.00")},
        ],
        by=world.staff,
    )
    credit.refresh_from_db()
    assert (credit.status, credit.allocated) == ("partially_matched", D("29000.00"))
    assert Allocation.objects.filter(transaction=credit).count() == 2
    [rest] = suggestions_for([credit])[credit.pk]
    assert (rest.statement, rest.amount, rest.reason) == (
        world.setup_fee.pk,
        D("1000.00"),
        "oldest",
    )


def test_over_allocation_is_refused(world):
    credit = _credit(world, "1000.00")
    with pytest.raises(RuleViolation) as error:
        bank_transaction_allocate(
            transaction=credit,
            allocations=[
                {"statement": world.installment.pk, "amount": D("600.00")},
                {"statement": world.monthly.pk, "amount": D("500.00")},
            ],
            by=world.staff,
        )
    assert error.value.errors == {
        "allocations": [msg.OVER_ALLOCATED.format(total="1100.00", left="1000.00")]
    }
    big = _credit(world, "50000.00", ref="R2")
    with pytest.raises(RuleViolation) as error:
        bank_transaction_allocate(
            transaction=big,
            allocations=[{"statement": world.monthly.pk, "amount": D("3570.01")}],
            by=world.staff,
        )
    assert error.value.errors["allocations"] == [
        msg.OVER_OUTSTANDING.format(
            number=world.monthly.number, amount="3570.01", outstanding="3570.00"
        )
    ]
    assert not Payment.objects.exists() and not Allocation.objects.exists()


def test_a_repeated_allocation_records_nothing_twice(world):
    credit = _credit(world, "1000.00")
    allocation = [{"statement": world.installment.pk, "amount": D("400.00")}]
    first = bank_transaction_allocate(transaction=credit, allocations=allocation, by=world.staff)
    again = bank_transaction_allocate(transaction=credit, allocations=allocation, by=world.staff)
    assert first.created and not again.created
    assert Payment.objects.count() == 1
    # another amount to the same item is a second allocation with its own reference
    bank_transaction_allocate(
        transaction=credit,
        allocations=[{"statement": world.installment.pk, "amount": D("100.00")}],
        by=world.staff,
    )
    assert sorted(Payment.objects.values_list("external_ref", flat=True)) == [
        f"bank:R1:{world.installment.pk}",
        f"bank:R1:{world.installment.pk}:2",
    ]
    credit.refresh_from_db()
    assert credit.allocated == D("500.00")


def test_another_agencys_statement_is_refused(world):
    credit = _credit(world, "100.00")
    with pytest.raises(RuleViolation) as error:
        bank_transaction_allocate(
            transaction=credit,
            allocations=[{"statement": world.other_statement.pk, "amount": D("1.00")}],
            by=world.staff,
        )
    assert error.value.errors == {
        "allocations": [msg.OTHER_AGENCY.format(number=world.other_statement.number)]
    }
    with pytest.raises(RuleViolation):
        bank_transaction_allocate(
            transaction=credit,
            allocations=[{"statement": world.installment.pk, "amount": D("1.00")}],
            by=world.other_staff,
        )
