"""Client portal pages of sales and KPIs: what the agency recorded for the brand, month by
month, read-only, with totals, SVG charts and CSV exports.

Agreements are looked up in the brand's scoped queryset, so another brand's agreement id
answers 404. The monthly sums and the charts are ``kpis.panels``. CSV files start with a UTF-8 byte-order mark so that Excel opens Chinese
text correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from common import clock
from common.portal import BrandPortalMixin
from common.templatetags.portal import percent_text
from contracts.models import Agreement
from core.money import quantize_money
from core.periods import Period
from kpis import evaluation as calc
from kpis.models import SaleLine
from kpis.panels import MonthSales, b2b_kpi_panel, kpi_months, kpi_row, monthly_sales, total_of

LINES_PER_PAGE = 100
CSV_BOM = "\ufeff"
# Text a spreadsheet would run as a formula if a cell started with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CHANNEL_LABELS = {
    SaleLine.Channel.JD: gettext_lazy("JD"),
    SaleLine.Channel.TMALL: gettext_lazy("Tmall"),
    SaleLine.Channel.WECHAT: gettext_lazy("WeChat shop"),
    SaleLine.Channel.B2B_DISTRIBUTOR: gettext_lazy("Distributor"),
    SaleLine.Channel.OTHER: gettext_lazy("Other"),
}
SALES_KINDS = (Agreement.Kind.B2B_COMMISSION, Agreement.Kind.REVENUE_SHARE)


def brand_agreements(view: BrandPortalMixin) -> Any:
    return view.scoped(Agreement.objects.all(), "brand").exclude(status=Agreement.Status.DRAFT)


def selected_agreement(view: BrandPortalMixin, agreements: Any) -> Agreement | None:
    """The agreement asked for in ``?agreement=`` (404 outside the list), else the first."""
    wanted = view.request.GET.get("agreement")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        return get_object_or_404(agreements, pk=int(wanted))
    return agreements.first()


class SalesView(BrandPortalMixin, TemplateView):
    template_name = "portal/sales.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agreements = brand_agreements(self).filter(kind__in=SALES_KINDS).order_by("number")
        agreement = selected_agreement(self, agreements)
        months = sorted(
            monthly_sales(agreement).values() if agreement else [],
            key=lambda m: m.period,
            reverse=True,
        )
        context.update(
            {
                "agreements": agreements,
                "agreement": agreement,
                "is_b2b": bool(agreement and agreement.kind == Agreement.Kind.B2B_COMMISSION),
                "months": months,
                "total": total_of(months),
            }
        )
        return context


def _period_or_404(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise Http404 from None


class SalesMonthView(BrandPortalMixin, TemplateView):
    template_name = "portal/sales_month.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agreements = brand_agreements(self).filter(kind__in=SALES_KINDS)
        agreement = get_object_or_404(agreements, pk=kwargs["agreement_pk"])
        period = _period_or_404(kwargs["period"])
        lines = (
            SaleLine.objects.filter(
                agreement=agreement, sold_on__gte=period.first_day, sold_on__lte=period.last_day
            )
            .select_related("product", "promotion", "settled_in")
            .order_by("sold_on", "pk")
        )
        page = Paginator(lines, LINES_PER_PAGE).get_page(self.request.GET.get("page"))
        for line in page.object_list:
            line.channel_label = CHANNEL_LABELS.get(line.channel, line.channel)  # type: ignore[attr-defined]
        months = monthly_sales(agreement, period, period)
        context.update(
            {
                "agreement": agreement,
                "is_b2b": agreement.kind == Agreement.Kind.B2B_COMMISSION,
                "period": period,
                "page": page,
                "total": months.get(period) or MonthSales(period),
                "previous": period.previous()
                if period.previous() >= Period.of(agreement.starts_on)
                else None,
                "next": period.next()
                if period.next().first_day <= agreement.effective_ends_on
                else None,
            }
        )
        return context


# --- KPI page ---------------------------------------------------------------------------


class KpiView(BrandPortalMixin, TemplateView):
    template_name = "portal/kpis.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:

        context = super().get_context_data(**kwargs)
        agreements = (
            brand_agreements(self)
            .filter(kind=Agreement.Kind.B2B_COMMISSION)
            .select_related("b2b_terms")
            .order_by("number")
        )
        agreement = selected_agreement(self, agreements)
        panel = rows = None
        if agreement is not None:
            today = clock.today()
            panel = b2b_kpi_panel(agreement=agreement, today=today)
            all_periods = _all_periods(agreement, today)
            rows = [kpi_row(m) for m in reversed(kpi_months(agreement, all_periods))]
        context.update(
            {"agreements": agreements, "agreement": agreement, "panel": panel, "rows": rows}
        )
        return context


def _all_periods(agreement: Agreement, today: date) -> list[Period]:
    """Every month of the agreement up to this month."""
    last = min(Period.of(today), Period.of(agreement.effective_ends_on))
    periods = []
    period = Period.of(agreement.starts_on)
    while period <= last:
        periods.append(period)
        period = period.next()
    return periods


# --- CSV --------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the text, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """A text cell that cannot run as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield CSV_BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SalesCsvView(BrandPortalMixin, View):
    """The agreement's sale lines (one month with ``?period=``) as CSV."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreements = brand_agreements(self).filter(kind__in=SALES_KINDS)
        wanted = request.GET.get("agreement", "")
        if not wanted.isdigit():
            raise Http404
        agreement = get_object_or_404(agreements, pk=int(wanted))
        lines = SaleLine.objects.filter(agreement=agreement)
        suffix = ""
        if request.GET.get("period"):
            period = _period_or_404(request.GET["period"])
            lines = lines.filter(sold_on__gte=period.first_day, sold_on__lte=period.last_day)
            suffix = f"-{period}"
        lines = lines.select_related("product", "promotion", "settled_in").order_by("sold_on", "pk")
        header = [
            _("Date"),
            _("SKU"),
            _("Product"),
            _("Channel"),
            _("Distributor"),
            _("Quantity"),
            _("Unit price"),
            _("Amount"),
            _("Factory price"),
            _("Distributor price"),
            _("Tax"),
            _("Logistics"),
            _("Below minimum retail price"),
            _("Promotion"),
            _("External reference"),
            _("Statement"),
        ]

        def rows() -> Iterator[list[Any]]:
            for line in lines.iterator(chunk_size=2000):
                yield [
                    line.sold_on.isoformat(),
                    line.product.sku,
                    line.product.name,
                    str(CHANNEL_LABELS.get(line.channel, line.channel)),
                    line.distributor,
                    line.quantity,
                    line.unit_price,
                    line.amount,
                    line.factory_price,
                    line.distributor_price,
                    line.tax,
                    line.logistics,
                    _("Yes") if line.price_violation else _("No"),
                    line.promotion.code if line.promotion else "",
                    line.external_ref,
                    line.settled_in.number
                    if line.settled_in and line.settled_in.status != "draft"
                    else "",
                ]

        return _csv_response(f"sales-{agreement.number}{suffix}.csv", header, rows())


class KpiCsvView(BrandPortalMixin, View):
    """Every month's KPI record of a B2B agreement, with minimums and web targets, as CSV."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:

        agreements = brand_agreements(self).filter(kind=Agreement.Kind.B2B_COMMISSION)
        wanted = request.GET.get("agreement", "")
        if not wanted.isdigit():
            raise Http404
        agreement = get_object_or_404(agreements, pk=int(wanted))
        months = kpi_months(agreement, _all_periods(agreement, clock.today()))
        header = [
            _("Period"),
            _("New distributors"),
            _("Minimum"),
            _("Cartons shipped"),
            _("Minimum"),
            _("Sales"),
            _("Minimum"),
            _("Minimums"),
            _("Fee withholding waived"),
            _("Unique visitors a month"),
            _("Inquiries a day"),
            _("Conversion rate"),
            _("Baidu first page"),
            _("Google first page"),
            _("Web targets met"),
        ]

        def rows() -> Iterator[list[Any]]:
            for month in months:
                record, evaluation = month.record, month.evaluation
                if record is None or evaluation is None:
                    continue
                required = evaluation.required
                web = dict(evaluation.web_targets)
                yield [
                    str(month.period),
                    record.distributors_recruited,
                    _plain(required[calc.MINIMUM_DISTRIBUTORS]),
                    record.cartons_shipped,
                    _plain(required[calc.MINIMUM_CARTONS]),
                    record.sales_amount,
                    _plain(required[calc.MINIMUM_SALES_AMOUNT]),
                    _("met") if evaluation.minimums_met else _("missed"),
                    _("Yes") if month.waived else "",
                    record.unique_visitors,
                    record.daily_inquiries,
                    percent_text(record.conversion_rate),
                    _("Yes") if record.baidu_first_page else _("No"),
                    _("Yes") if record.google_first_page else _("No"),
                    f"{sum(1 for ok in web.values() if ok)}/{len(web)}"
                    if evaluation.web_targets_apply
                    else "",
                ]

        return _csv_response(f"kpis-{agreement.number}.csv", header, rows())


def _plain(value: Decimal) -> str:
    """A prorated minimum to two places (the exact comparison is the service's)."""
    return f"{quantize_money(value):f}"
