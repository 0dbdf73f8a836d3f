"""The detail of a monthly statement as an XLSX download: the sale lines it settles and,
for B2B, the month's KPIs (``settlements.detail.statement_detail_xlsx``), in the page's
language.

Looked up like the statement page (``labels.visible_statements``: the brand's own
statements, drafts never), so another brand's id answers 404; other kinds of statement
settle no sale lines and answer 404 too.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views import View

from common.portal import BrandPortalMixin, is_zh
from common.xlsx import XLSX_CONTENT_TYPE
from settlements import detail
from settlements.models import Statement
from settlements.portal.labels import visible_statements


class StatementDetailXlsxView(BrandPortalMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statements = visible_statements(self).filter(kind=Statement.Kind.MONTHLY)
        statement = get_object_or_404(statements, pk=kwargs["pk"])
        response = HttpResponse(
            detail.statement_detail_xlsx(statement, zh=is_zh()),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = content_disposition_header(
            True, detail.detail_filename(statement)
        )
        return response
