"""Two daily runs at the same moment on PostgreSQL (two web or worker machines, or a
staff click while beat runs): every record is made once."""

import threading
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from common.models import Event
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services as s
from settlements.models import DailyRun, FlagSeen, Statement
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (CI)"
    ),
]


def _world():
    statements = []
    for number in range(3):
        agreement = f.agreement(
            "revenue_share", activate=True, ends_on=date(2026, 9, 14), auto_renew=number != 0
        )
        f.product(agreement.brand, sku="TEA-1", factory_price=Decimal("80.00"))
        sale_line_record(
            agreement=agreement,
            by=None,
            data={
                "product": "TEA-1",
                "sold_on": "2026-08-05",
                "quantity": 10 + number,
                "unit_price": "199.00",
                "tax": "0",
                "logistics": "0",
                "channel": "tmall",
                "external_ref": f"C-{number}",
            },
        )
        draft = s.statement_generate(agreement=agreement, period=Period(2026, 8), by=None).statement
        statements.append(s.statement_issue(statement=draft, issued_on=date(2026, 9, 8), by=None))
    f.agreement("consulting_fixed_fee", activate=True, ends_on=date(2026, 10, 31))
    return statements


def test_concurrent_runs_make_each_record_once():
    _world()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            s.daily_run(until=date(2026, 11, 20))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    runs = list(DailyRun.objects.all())
    assert len(runs) == 2 and {run.status for run in runs} == {"done"}, [r.errors for r in runs]
    # Together the two runs made each record once: the counts add up to one run's worth.
    made = Counter()
    for run in runs:
        for rule, part in run.summary.items():
            made[rule] += part["count"]
    assert made["deemed_confirmed"] == 3
    assert made["renewed"] == 2 and made["expired"] == 2  # consulting + the non-renewing
    assert made["end_bills"] == 1
    notices = Statement.objects.filter(kind="penalty")
    assert made["penalty_notices"] == notices.count() > 0
    pairs = Counter(notices.values_list("penalty_of", "penalty_as_of"))
    assert max(pairs.values()) == 1
    assert Event.objects.filter(action="statement.deemed_confirmed").count() == 3
    assert Event.objects.filter(action="agreement.renewed").count() == 2
    assert FlagSeen.objects.count() == made["flags"]
    numbers = sorted(Statement.objects.exclude(status="draft").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
