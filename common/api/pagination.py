"""Page-number pagination for every list (``?page=2&page_size=100``)."""

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE_INVALID = "每页条数应为正整数 / page_size must be a whole number from 1"


class Pagination(PageNumberPagination):
    """DRF's page numbers; a ``page_size`` that is not a whole number from 1 is 400 (DRF
    would quietly use the default), one above ``max_page_size`` is cut to it."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Any) -> int | None:
        text = request.query_params.get(self.page_size_query_param, "").strip()
        if not text:
            return self.page_size
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_INVALID]})
        return min(int(text), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
