"""Two allocations of one credit at the same moment (two staff, two tabs) on PostgreSQL:
the row locks let one through and refuse the other; the credit is never over-allocated."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import api_token_issue
from banking.models import Allocation, BankTransaction
from banking.services import bank_transaction_create
from common import clock
from settlements.models import Payment, Statement
from tests import factories as f
from tests.concurrency.conftest import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI)"
    ),
]

TRIALS = 5


def test_concurrent_allocations_never_over_allocate(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 20))
    agreement = f.agreement("revenue_share", activate=True)
    f.agreement("consulting_fixed_fee", activate=True, brand_org=agreement.brand)
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    setup_fee = Statement.objects.get(agreement=agreement, kind=Statement.Kind.SETUP_FEE)
    installment = Statement.objects.get(
        agreement__brand=agreement.brand, kind=Statement.Kind.INSTALLMENT
    )
    clients = []
    for _ in range(2):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=staff, by=None).key}")
        clients.append(client)
    for trial in range(TRIALS):
        credit = bank_transaction_create(
            agency=agreement.agency,
            data={
                "booked_on": date(2026, 9, 25),
                "amount": Decimal("1000.00"),
                "bank_ref": f"C{trial}",
            },
            by=staff,
        ).transaction
        targets = [setup_fee.pk, installment.pk]

        def allocate(i, credit=credit, targets=targets):
            response = clients[i].post(
                f"/api/v1/bank-transactions/{credit.pk}/allocate/",
                {"allocations": [{"statement": targets[i], "amount": "600.00"}]},
                format="json",
            )
            return response.status_code

        statuses = sorted(race(2, allocate))
        assert statuses == [200, 400], statuses
        credit.refresh_from_db()
        assert credit.allocated == Decimal("600.00")
        assert Allocation.objects.filter(transaction=credit).count() == 1
    assert Payment.objects.count() == TRIALS
    assert all(t.allocated <= t.amount for t in BankTransaction.objects.all())
