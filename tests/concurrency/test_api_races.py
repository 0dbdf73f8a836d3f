"""Copies of one request arriving at the same moment (a client retrying on a timeout, a
double click, two workers of a queue) on PostgreSQL: the work is done once and every copy
gets the same answer, never a 500.

Measured before the fix (20 trials x 3 twins): the Idempotency-Key let 2-3 copies through
per trial (55 payments for 20), and copies with one external_ref answered 500
(IntegrityError) about half the time.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tokens import api_token_issue
from common.models import IdempotencyRecord
from kpis.models import SaleLine
from settlements.models import Payment
from tests.concurrency.conftest import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI)"
    ),
]

TRIALS, TWINS = 20, 3
PAYMENTS, SALES = "/api/v1/payments/", "/api/v1/sales/"


def _clients(user, count):
    clients = []
    for _ in range(count):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, by=None).key}")
        clients.append(client)
    return clients


def _sale(agreement, ref, quantity=1):
    return {
        "agreement": agreement.pk,
        "product": "TEA-1",
        "sold_on": "2026-08-06",
        "quantity": quantity,
        "unit_price": "199.00",
        "channel": "tmall",
        "external_ref": ref,
    }


def _post_twins(clients, path, body, **headers):
    """TWINS copies of one POST at once: [(status, json)]."""

    def post(i):
        response = clients[i].post(path, body, format="json", **headers)
        return response.status_code, response.json()

    answers = race(TWINS, post)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    return answers


def _assert_one_answer(answers, created_status=201):
    """Every copy answered 2xx with the same body; at most one created it."""
    statuses = Counter(status for status, _ in answers)
    assert all(200 <= status < 300 for status in statuses), answers
    assert statuses[created_status] >= 1, answers
    bodies = [body for _, body in answers]
    assert all(body == bodies[0] for body in bodies), answers


def test_idempotency_key_twins_record_one_payment_each(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    statement = issued_world["statement"]
    five_hundreds = 0
    for trial in range(TRIALS):
        body = {"statement": statement.pk, "amount": "1.00", "paid_on": "2026-09-25"}
        answers = _post_twins(clients, PAYMENTS, body, HTTP_IDEMPOTENCY_KEY=f"pay-{trial}")
        five_hundreds += sum(status >= 500 for status, _ in answers)
        # A replay answers what the first answered: 201 each time.
        assert [status for status, _ in answers] == [201] * TWINS, answers
        _assert_one_answer(answers)
    assert five_hundreds == 0
    assert Payment.objects.filter(statement=statement).count() == TRIALS
    assert not IdempotencyRecord.objects.filter(in_progress=True).exists()


def test_idempotency_key_twins_record_one_sale_each(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    agreement = issued_world["agreement"]
    before = SaleLine.objects.count()
    for trial in range(TRIALS):
        body = [_sale(agreement, ""), _sale(agreement, "", quantity=2)]  # no external_ref
        answers = _post_twins(clients, SALES, body, HTTP_IDEMPOTENCY_KEY=f"sales-{trial}")
        assert [status for status, _ in answers] == [201] * TWINS, answers
        _assert_one_answer(answers)
    assert SaleLine.objects.count() - before == 2 * TRIALS


def test_same_external_ref_at_once_records_one_payment(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    statement = issued_world["statement"]
    for trial in range(TRIALS):
        body = {
            "statement": statement.pk,
            "amount": "1.00",
            "paid_on": "2026-09-26",
            "external_ref": f"BANK-{trial}",
        }
        answers = _post_twins(clients, PAYMENTS, body)
        _assert_one_answer(answers)
        assert sorted(status for status, _ in answers) == [200] * (TWINS - 1) + [201]
    assert Payment.objects.filter(statement=statement).count() == TRIALS


def test_same_external_ref_with_other_content_at_once_is_409_not_500(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    statement = issued_world["statement"]
    for trial in range(TRIALS):

        def post(i, trial=trial):
            body = {
                "statement": statement.pk,
                "amount": f"{i + 1}.00",  # each copy says another amount
                "paid_on": "2026-09-27",
                "external_ref": f"CLASH-{trial}",
            }
            return clients[i].post(PAYMENTS, body, format="json").status_code

        statuses = race(TWINS, post)
        assert sorted(statuses) == [201] + [409] * (TWINS - 1), statuses
    assert Payment.objects.filter(external_ref__startswith="CLASH-").count() == TRIALS


def test_same_external_ref_at_once_records_one_sale(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    agreement = issued_world["agreement"]
    for trial in range(TRIALS):
        answers = _post_twins(clients, SALES, _sale(agreement, f"TM-{trial}"))
        _assert_one_answer(answers)
        assert sorted(status for status, _ in answers) == [200] * (TWINS - 1) + [201]
    assert SaleLine.objects.filter(external_ref__startswith="TM-").count() == TRIALS


def test_same_list_of_sales_at_once_records_each_line_once(issued_world):
    clients = _clients(issued_world["staff"], TWINS)
    agreement = issued_world["agreement"]
    for trial in range(TRIALS):
        body = [_sale(agreement, f"JD-{trial}-a"), _sale(agreement, f"JD-{trial}-b", quantity=2)]
        answers = _post_twins(clients, SALES, body)
        _assert_one_answer(answers)
        assert sorted(status for status, _ in answers) == [200] * (TWINS - 1) + [201]
    lines = SaleLine.objects.filter(external_ref__startswith="JD-")
    assert lines.count() == 2 * TRIALS
    assert sum(line.quantity for line in lines) == 3 * TRIALS
    assert Decimal("0") < sum(line.amount for line in lines)
