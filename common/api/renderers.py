"""Renderers that let a client ask for a file's own type (``Accept: application/pdf``)
instead of getting DRF's 406; an error answered to such a request is JSON, and its
``Content-Type`` says so."""

import json
from typing import Any

from rest_framework.renderers import BaseRenderer

from common.xlsx import XLSX_CONTENT_TYPE


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class XlsxRenderer(PdfRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class AnyFileRenderer(PdfRenderer):
    """A stored file of one of several types (an invoice's PDF, OFD or XML)."""

    media_type = "*/*"
    format = "file"
