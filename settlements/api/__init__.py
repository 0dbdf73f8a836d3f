"""REST API of statements, month-end runs, payments, expenses and demands (see
shared/API.md).

ROUTES is registered by config/api_urls.py. Every change goes through
``settlements.services``; the views only look objects up in the caller's scope (an id
outside it, or unknown, answers 404 on every method and action, including a
``statement`` or ``agreement`` id in a POST body), call the service and answer with the
object as it is now.

- ``statements``: statements, their receipt, corrections, penalty and PDF;
- ``runs``: month-end runs;
- ``daily``: daily runs (the daily job up to a day, and what it did);
- ``payments`` and ``expenses``: what staff record;
- ``demands``: the brand's demand (催缴) for a late statement, under ``agreements/``.
"""

from typing import Any

from settlements.api.daily import DailyRunViewSet
from settlements.api.demands import AgreementDemandViewSet
from settlements.api.detail import StatementDetailViewSet
from settlements.api.expenses import ExpenseViewSet
from settlements.api.invoices import InvoiceViewSet
from settlements.api.payments import PAYMENT_REF_CONFLICT, PaymentViewSet
from settlements.api.runs import StatementRunViewSet
from settlements.api.statements import (
    PDF_NOT_READY,
    STATEMENT_NOT_FOUND,
    StatementViewSet,
    statement_in_scope,
    statements_in_scope,
)

ROUTES: list[tuple[str, Any, str]] = [  # (prefix, viewset, basename)
    ("statement-runs", StatementRunViewSet, "statement-run"),
    ("daily-runs", DailyRunViewSet, "daily-run"),
    ("statements", StatementViewSet, "statement"),
    ("statements", StatementDetailViewSet, "statement-detail"),  # statements/{id}/detail/
    ("payments", PaymentViewSet, "payment"),
    ("expenses", ExpenseViewSet, "expense"),
    ("invoices", InvoiceViewSet, "invoice"),
    # Adds agreements/{id}/demand/ beside contracts' agreements routes.
    ("agreements", AgreementDemandViewSet, "agreement-demand"),
]

__all__ = [
    "PAYMENT_REF_CONFLICT",
    "PDF_NOT_READY",
    "ROUTES",
    "STATEMENT_NOT_FOUND",
    "statement_in_scope",
    "statements_in_scope",
]
