"""REST API of sales and KPIs (see shared/API.md). ROUTES is registered by config/api_urls.py.

``sales/`` takes one line or a JSON list of lines (all-or-nothing), ``sales/import/`` a
CSV or XLSX file (``kpis.api.sales``); ``kpis/`` the monthly KPI records with their
evaluation and waivers (``kpis.api.records``). Every row is validated by the services
(``sale_row_clean``, ``kpi_record_save``), so the API refuses exactly what the admin and
the imports refuse, with the same messages.

An ``agreement`` id outside the caller's scope (or that does not exist) answers 404 on
every write, like any other object outside the scope: existence never leaks.
"""

from typing import Any

from core.messages import AGREEMENT_NOT_FOUND
from kpis.api.records import KPI_EXISTS, KPI_IMMUTABLE, KpiRecordViewSet
from kpis.api.sales import (
    BODY_NOT_OBJECT_OR_LIST,
    EMPTY_LIST,
    ITEM_NOT_OBJECT,
    MAX_LINES_PER_REQUEST,
    NOT_AN_ID,
    TOO_MANY_LINES,
    SaleLineViewSet,
)

ROUTES: list[tuple[str, Any, str]] = [  # (prefix, viewset, basename)
    ("sales", SaleLineViewSet, "sale"),
    ("kpis", KpiRecordViewSet, "kpi"),
]

__all__ = [
    "AGREEMENT_NOT_FOUND",
    "BODY_NOT_OBJECT_OR_LIST",
    "EMPTY_LIST",
    "ITEM_NOT_OBJECT",
    "KPI_EXISTS",
    "KPI_IMMUTABLE",
    "MAX_LINES_PER_REQUEST",
    "NOT_AN_ID",
    "ROUTES",
    "TOO_MANY_LINES",
]
