"""Helpers for real concurrency on PostgreSQL: a world built through the services, and
``race``, which runs copies of a piece of work at the same moment in threads."""

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from accounts.models import User
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services as s
from tests import factories as f


def race(copies: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``copies`` threads released together; each result or exception."""
    barrier = threading.Barrier(copies)
    results: list[Any] = [None] * copies

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the caller asserts on it
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def issued_statement(agreement, *, ref: str, quantity: int = 100):
    """One August sale of TEA-1 (the agreement's brand has it), settled and issued on
    2026-09-08: an open statement, overdue from its due date on."""
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": "TEA-1",
            "sold_on": "2026-08-05",
            "quantity": quantity,
            "unit_price": "199.00",
            "channel": "tmall",
            "external_ref": ref,
        },
    )
    draft = s.statement_generate(agreement=agreement, period=Period(2026, 8), by=None).statement
    return s.statement_issue(statement=draft, issued_on=date(2026, 9, 8), by=None)


@pytest.fixture
def issued_world():
    """An issued August statement of a revenue-share agreement, and its agency's staff."""
    agreement = f.agreement("revenue_share", activate=True)
    f.product(agreement.brand, sku="TEA-1", factory_price=Decimal("80.00"))
    statement = issued_statement(agreement, ref="SEED-1")
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    return {"agreement": agreement, "statement": statement, "staff": staff}
