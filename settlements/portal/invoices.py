"""The brand's invoices (发票): the list, with the statement each belongs to, and each
file as a download.

Invoices are looked up through the brand's scope (``BrandPortalMixin.scoped``), so
another brand's invoice or file answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from common.portal import BrandPortalMixin
from settlements.models import Invoice
from settlements.services.invoices import invoice_file_response

PAGE_SIZE = 50


def visible_invoices(view: BrandPortalMixin) -> QuerySet[Invoice]:
    """The brand's invoices, newest first."""
    return (
        view.scoped(Invoice.objects.all(), "statement__agreement__brand")
        .select_related("statement__agreement")
        .order_by("-issued_on", "-pk")
    )


class InvoiceListView(BrandPortalMixin, TemplateView):
    template_name = "portal/invoices.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(visible_invoices(self), PAGE_SIZE)
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context


class InvoiceFileView(BrandPortalMixin, TemplateView):
    """An invoice's file as a download, for the brand it belongs to (else 404)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invoice = get_object_or_404(visible_invoices(self), pk=kwargs["pk"])
        if not invoice.file or not invoice.file.storage.exists(invoice.file.name):
            raise Http404
        return invoice_file_response(invoice)
