"""Client portal pages of sales and KPIs: what the agency recorded for the brand, month by
month, read-only, with totals, SVG charts and CSV exports.

Agreements are looked up in the brand's scoped queryset, so another brand's agreement id
answers 404. Sums are taken in Python over ``Decimal`` columns, so the totals are exact on
every database. CSV files start with a UTF-8 byte-order mark so that Excel opens Chinese
text correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.portal import BrandPortalMixin
from common import clock
from common.charts import Point, bar_chart, line_chart
from common.templatetags.portal import money_text, number_text, percent_text, period_text
from contracts.models import Agreement
from core.periods import Period
from kpis import evaluation as calc
from kpis.models import KpiRecord, SaleLine
from kpis.services import active_waiver, kpi_evaluate

ZERO = Decimal("0.00")
WINDOW_MONTHS = 13  # this month and the twelve before it
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


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def month_label(period: Period) -> str:
    """A short month label for a chart axis: "8月" or "Aug"."""
    if _zh():
        return f"{period.month}月"
    return date_format(period.first_day, "M")


def compact_money(value: Decimal) -> str:
    """An axis tick: ¥ with 万 (zh) or k/M (en), e.g. ¥10万, ¥100k."""
    if value == 0:
        return "0"
    if _zh() and abs(value) >= 10000:
        return f"¥{number_text(value / 10000)}万"
    if not _zh() and abs(value) >= 1_000_000:
        return f"¥{number_text(value / 1_000_000)}M"
    if not _zh() and abs(value) >= 1000:
        return f"¥{number_text(value / 1000)}k"
    return f"¥{number_text(value)}"


def window(agreement: Agreement, today: date) -> list[Period]:
    """This month and the twelve before it, inside the agreement's months."""
    end = min(Period.of(today), Period.of(agreement.effective_ends_on))
    first = Period.of(agreement.starts_on)
    periods = []
    period = end
    for _step in range(WINDOW_MONTHS):
        if period < first:
            break
        periods.append(period)
        period = period.previous()
    return list(reversed(periods))


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


# --- KPI charts -------------------------------------------------------------------------


def _tooltip(period: Period, value: str, target: str | None, met: bool | None) -> str:
    text = f"{period_text(str(period))}: {value}"
    if target is not None:
        text += " · " + _("minimum %(target)s") % {"target": target}
    if met is not None:
        text += " · " + (_("met") if met else _("missed"))
    return text


@dataclass(frozen=True)
class Series:
    """One KPI over the months: how to read it from a record and judge it."""

    key: str
    title: str
    value: Callable[[KpiRecord], Decimal]
    fmt: Callable[[Decimal], str]
    tick: Callable[[Decimal], str]
    line: bool = False


@dataclass
class KpiMonth:
    period: Period
    record: KpiRecord | None
    evaluation: calc.KpiEvaluation | None
    waived: bool = False
    targets: dict[str, Decimal | None] = field(default_factory=dict)


def _kpi_months(agreement: Agreement, periods: Iterable[Period]) -> list[KpiMonth]:
    periods = list(periods)
    records = {
        r.period: r
        for r in KpiRecord.objects.filter(
            agreement=agreement, period__in=[str(p) for p in periods]
        ).prefetch_related("waivers")
    }
    terms = agreement.b2b_terms
    months = []
    for period in periods:
        record = records.get(str(period))
        evaluation = kpi_evaluate(agreement=agreement, period=period, record=record)
        assert evaluation is not None
        web = evaluation.web_targets_apply
        targets: dict[str, Decimal | None] = {
            calc.MINIMUM_DISTRIBUTORS: evaluation.required[calc.MINIMUM_DISTRIBUTORS],
            calc.MINIMUM_CARTONS: evaluation.required[calc.MINIMUM_CARTONS],
            calc.MINIMUM_SALES_AMOUNT: evaluation.required[calc.MINIMUM_SALES_AMOUNT],
            calc.WEB_UNIQUE_VISITORS: Decimal(terms.min_unique_visitors) if web else None,
            calc.WEB_DAILY_INQUIRIES: terms.min_daily_inquiries if web else None,
            calc.WEB_CONVERSION_RATE: terms.min_conversion_rate * 100 if web else None,
        }
        months.append(
            KpiMonth(
                period=period,
                record=record,
                evaluation=evaluation if record is not None else None,
                waived=bool(record is not None and active_waiver(record) is not None),
                targets=targets,
            )
        )
    return months


def kpi_series() -> list[Series]:
    def count(value: Decimal) -> str:
        return number_text(value)

    return [
        Series(
            calc.MINIMUM_DISTRIBUTORS,
            _("New distributors"),
            lambda r: Decimal(r.distributors_recruited),
            count,
            count,
        ),
        Series(
            calc.MINIMUM_CARTONS, _("Cartons shipped"), lambda r: r.cartons_shipped, count, count
        ),
        Series(
            calc.MINIMUM_SALES_AMOUNT,
            _("Sales"),
            lambda r: r.sales_amount,
            money_text,
            compact_money,
        ),
        Series(
            calc.WEB_UNIQUE_VISITORS,
            _("Unique visitors a month"),
            lambda r: Decimal(r.unique_visitors),
            count,
            count,
            line=True,
        ),
        Series(
            calc.WEB_DAILY_INQUIRIES,
            _("Inquiries a day"),
            lambda r: r.daily_inquiries,
            count,
            count,
            line=True,
        ),
        Series(
            calc.WEB_CONVERSION_RATE,
            _("Conversion rate"),
            lambda r: r.conversion_rate * 100,
            lambda v: f"{number_text(v)}%",
            lambda v: f"{number_text(v)}%",
            line=True,
        ),
    ]


def _chart(agreement: Agreement, series: Series, months: list[KpiMonth]) -> dict[str, Any]:
    points = []
    for month in months:
        value = series.value(month.record) if month.record is not None else None
        target = month.targets.get(series.key)
        point = Point(label=month_label(month.period), value=value, target=target)
        shown_target = series.fmt(target) if target is not None else None
        tooltip = (
            _tooltip(month.period, series.fmt(value), shown_target, point.met)
            if value is not None
            else f"{period_text(str(month.period))}: " + _("not recorded yet")
        )
        points.append(Point(point.label, value, target, tooltip))
    first, last = months[0].period, months[-1].period
    description = _("%(title)s per month from %(first)s to %(last)s, with the minimum.") % {
        "title": series.title,
        "first": period_text(str(first)),
        "last": period_text(str(last)),
    }
    recorded = [p for p in points if p.value is not None]
    if recorded:
        description += " " + _("%(met)s of %(count)s recorded months reached it.") % {
            "met": sum(1 for p in recorded if p.met),
            "count": len(recorded),
        }
    draw = line_chart if series.line else bar_chart
    svg = draw(
        chart_id=f"kpi-{agreement.pk}-{series.key}",
        title=f"{series.title} · {agreement.number}",
        description=description,
        points=points,
        format_value=series.tick,
    )
    return {
        "key": series.key,
        "title": series.title,
        "svg": mark_safe(svg),  # common.charts escapes every text it writes
        "line": series.line,
        "has_target": any(p.target is not None for p in points),
    }


def _mark(ok: bool | None) -> dict[str, Any]:
    if ok is None:
        return {"ok": None, "text": "—"}
    return {"ok": ok, "text": _("met") if ok else _("missed")}


def kpi_row(month: KpiMonth) -> dict[str, Any]:
    """One month of the KPI table: figures, minimums met or missed, web targets."""
    record, evaluation = month.record, month.evaluation
    row: dict[str, Any] = {"period": month.period, "recorded": record is not None}
    if record is None or evaluation is None:
        return row
    web = dict(evaluation.web_targets)
    row.update(
        {
            "record": record,
            "required": {k: v for k, v in month.targets.items() if v is not None},
            "minimums": _mark(evaluation.minimums_met),
            "missed": ("、" if _zh() else ", ").join(
                calc.MINIMUM_NAMES_ZH[n] if _zh() else calc.MINIMUM_NAMES_EN[n]
                for n in evaluation.missed
            ),
            "waived": month.waived,
            "web_apply": evaluation.web_targets_apply,
            "web": {name: _mark(web.get(name)) for name in calc.WEB_TARGETS},
            "web_met": sum(1 for ok in web.values() if ok),
            "web_count": len(web),
        }
    )
    return row


def b2b_kpi_panel(*, agreement: Agreement, today: date, compact: bool = False) -> dict[str, Any]:
    """Charts and the latest figures of a B2B agreement over this month and the last 12."""
    periods = window(agreement, today)
    if not periods:
        return {"agreement": agreement, "charts": [], "rows": [], "latest": None}
    months = _kpi_months(agreement, periods)
    series = kpi_series()
    web_apply = any(m.targets[calc.WEB_UNIQUE_VISITORS] is not None for m in months)
    charts = [_chart(agreement, s, months) for s in series if not s.line or web_apply]
    rows = [kpi_row(m) for m in months]
    latest = next((row for row in reversed(rows) if row["recorded"]), None)
    this_month = rows[-1] if rows[-1]["period"] == Period.of(today) else None
    this_targets = months[-1].targets if this_month is not None else {}
    return {
        "agreement": agreement,
        "charts": charts,
        "rows": rows,
        "latest": latest,
        "this_month": this_month,
        "this_targets": this_targets,
        "this_period": Period.of(today),
        "first": periods[0],
        "last": periods[-1],
        "compact": compact,
    }


# --- sales ------------------------------------------------------------------------------


@dataclass
class MonthSales:
    """A month of recorded sale lines, summed in Decimal."""

    period: Period
    lines: int = 0
    quantity: int = 0
    amount: Decimal = ZERO
    factory_cost: Decimal = ZERO
    tax: Decimal = ZERO
    logistics: Decimal = ZERO
    commission: Decimal = ZERO
    returns: int = 0
    violations: int = 0
    distributors: set[str] = field(default_factory=set)

    @property
    def profit(self) -> Decimal:
        """Sales less factory cost, tax and logistics (the revenue-share profit)."""
        return self.amount - self.factory_cost - self.tax - self.logistics

    @property
    def distributor_count(self) -> int:
        return len(self.distributors)

    def add(self, line: dict[str, Any]) -> None:
        quantity = line["quantity"]
        self.lines += 1
        self.quantity += quantity
        self.amount += line["amount"]
        self.factory_cost += line["factory_price"] * quantity
        self.tax += line["tax"]
        self.logistics += line["logistics"]
        self.commission += (line["distributor_price"] - line["factory_price"]) * quantity
        self.returns += 1 if quantity < 0 else 0
        self.violations += 1 if line["price_violation"] else 0
        if line["distributor"]:
            self.distributors.add(line["distributor"])


SUM_FIELDS = (
    "sold_on",
    "quantity",
    "amount",
    "factory_price",
    "distributor_price",
    "tax",
    "logistics",
    "price_violation",
    "distributor",
)


def monthly_sales(
    agreement: Agreement, first: Period | None = None, last: Period | None = None
) -> dict[Period, MonthSales]:
    lines = SaleLine.objects.filter(agreement=agreement)
    if first is not None:
        lines = lines.filter(sold_on__gte=first.first_day)
    if last is not None:
        lines = lines.filter(sold_on__lte=last.last_day)
    months: dict[Period, MonthSales] = {}
    for line in lines.order_by().values(*SUM_FIELDS).iterator(chunk_size=2000):
        period = Period.of(line["sold_on"])
        months.setdefault(period, MonthSales(period)).add(line)
    return months


def total_of(months: Iterable[MonthSales]) -> MonthSales:
    total = MonthSales(Period(1, 1))
    for month in months:
        total.lines += month.lines
        total.quantity += month.quantity
        total.amount += month.amount
        total.factory_cost += month.factory_cost
        total.tax += month.tax
        total.logistics += month.logistics
        total.commission += month.commission
        total.returns += month.returns
        total.violations += month.violations
        total.distributors |= month.distributors
    return total


def sales_panel(*, agreement: Agreement, today: date) -> dict[str, Any]:
    """A bar chart of monthly sales over this month and the last 12 (no minimum)."""
    periods = window(agreement, today)
    if not periods:
        return {"agreement": agreement, "svg": "", "total": None}
    months = monthly_sales(agreement, periods[0], periods[-1])
    points = []
    for period in periods:
        month = months.get(period)
        value = month.amount if month else None
        tooltip = f"{period_text(str(period))}: " + (
            money_text(value) if value is not None else _("no sales recorded")
        )
        points.append(Point(month_label(period), value, None, tooltip))
    title = _("Monthly sales")
    svg = bar_chart(
        chart_id=f"sales-{agreement.pk}",
        title=f"{title} · {agreement.number}",
        description=_("Sales recorded per month from %(first)s to %(last)s.")
        % {"first": period_text(str(periods[0])), "last": period_text(str(periods[-1]))},
        points=points,
        format_value=compact_money,
    )
    return {
        "agreement": agreement,
        "title": title,
        "svg": mark_safe(svg),  # common.charts escapes every text it writes
        "total": total_of(months.values()),
        "first": periods[0],
        "last": periods[-1],
    }


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
            rows = [kpi_row(m) for m in reversed(_kpi_months(agreement, all_periods))]
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
        months = _kpi_months(agreement, _all_periods(agreement, clock.today()))
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
    return f"{value.quantize(Decimal('0.01')):f}"
