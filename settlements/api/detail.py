"""The detail of a monthly statement as XLSX: ``GET statements/{id}/detail/``.

Registered under the ``statements`` prefix beside ``StatementViewSet`` (the API root lists
the prefix once, as that first registration). Scoped exactly like the statement: an id
outside the caller's scope answers 404, and so does a statement of another kind, which
settles no sale lines. The sheet's words follow the request's language (Accept-Language;
Chinese by default).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from common.api.renderers import XlsxRenderer
from common.api.scoping import ScopedViewSetMixin
from common.xlsx import XLSX_CONTENT_TYPE
from settlements import detail
from settlements.models import Statement

NOT_MONTHLY = "仅月度对账单有销售明细 / only a monthly statement has a sale detail"


class StatementDetailViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The sale lines (and a B2B month's KPIs) a monthly statement settles, as XLSX."""

    queryset = Statement.objects.select_related("agreement")
    brand_path = "agreement__brand"

    @extend_schema(
        summary="The detail of a monthly statement as XLSX: its sale lines and KPIs",
        description="One sheet of the sale lines the statement settles (date, SKU, "
        "product, quantity, prices, factory cost, tax, logistics, profit or commission, "
        "distributor, channel, external reference, prior-period adjustment) with a total "
        "row; for B2B a second sheet of the month's KPIs against its minimums. Words "
        "follow Accept-Language (zh-hans by default, en).",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope, or not a monthly statement"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="detail",
        url_name="xlsx",
        renderer_classes=[JSONRenderer, XlsxRenderer],
    )
    def detail_xlsx(self, request: Request, pk: Any = None) -> HttpResponse:
        statement = self.get_object()
        if statement.kind != Statement.Kind.MONTHLY:
            raise NotFound(NOT_MONTHLY)
        zh = (get_language() or "").startswith("zh")
        response = HttpResponse(
            detail.statement_detail_xlsx(statement, zh=zh), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(
            True, detail.detail_filename(statement)
        )
        return response
