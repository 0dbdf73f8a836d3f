"""Sales and KPI panels of a brand's agreements: monthly figures summed in ``Decimal``,
judged against the minimums, and drawn as SVG charts.

The portal's sales and KPI pages use them, and so does the brand's dashboard (in
settlements), which is why they live outside ``kpis.portal``. Sums are taken in Python
over ``Decimal`` columns, so the totals are exact on every database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.charts import Point, bar_chart, line_chart
from common.portal import is_zh
from common.templatetags.portal import money_text, number_text, period_text
from contracts.models import Agreement
from core.periods import Period
from kpis import evaluation as calc
from kpis.models import KpiRecord, SaleLine
from kpis.services import active_waiver, kpi_evaluate

ZERO = Decimal("0.00")
WINDOW_MONTHS = 13  # this month and the twelve before it


def month_label(period: Period) -> str:
    """A short month label for a chart axis: "8月" or "Aug"."""
    if is_zh():
        return f"{period.month}月"
    return date_format(period.first_day, "M")


def compact_money(value: Decimal) -> str:
    """An axis tick: ¥ with 万 (zh) or k/M (en), e.g. ¥10万, ¥100k."""
    if value == 0:
        return "0"
    if is_zh() and abs(value) >= 10000:
        return f"¥{number_text(value / 10000)}万"
    if not is_zh() and abs(value) >= 1_000_000:
        return f"¥{number_text(value / 1_000_000)}M"
    if not is_zh() and abs(value) >= 1000:
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


def kpi_records_of(agreements: Iterable[Agreement]) -> dict[int, dict[str, KpiRecord]]:
    """Every KPI record (with its waivers) of ``agreements``, by agreement and period, in
    two queries whatever their number."""
    found: dict[int, dict[str, KpiRecord]] = {}
    for record in KpiRecord.objects.filter(agreement__in=list(agreements)).prefetch_related(
        "waivers"
    ):
        found.setdefault(record.agreement_id, {})[record.period] = record
    return found


def kpi_months(
    agreement: Agreement,
    periods: Iterable[Period],
    records: dict[str, KpiRecord] | None = None,
) -> list[KpiMonth]:
    """The months' records and evaluations; ``records`` (by period) when already loaded."""
    periods = list(periods)
    if records is None:
        records = kpi_records_of([agreement]).get(agreement.pk, {})
    terms = agreement.b2b_terms
    months = []
    for period in periods:
        record = records.get(str(period))
        evaluation = kpi_evaluate(
            agreement=agreement, period=period, record=record, record_loaded=True
        )
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
            "missed": ("、" if is_zh() else ", ").join(
                calc.MINIMUM_NAMES_ZH[n] if is_zh() else calc.MINIMUM_NAMES_EN[n]
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


def b2b_kpi_panel(
    *,
    agreement: Agreement,
    today: date,
    compact: bool = False,
    records: dict[str, KpiRecord] | None = None,
) -> dict[str, Any]:
    """Charts and the latest figures of a B2B agreement over this month and the last 12
    (``records``: its KPI records by period, when the caller loaded many at once)."""
    periods = window(agreement, today)
    if not periods:
        return {"agreement": agreement, "charts": [], "rows": [], "latest": None}
    months = kpi_months(agreement, periods, records)
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
    return monthly_sales_of([agreement], first, last).get(agreement.pk, {})


def monthly_sales_of(
    agreements: Iterable[Agreement], first: Period | None = None, last: Period | None = None
) -> dict[int, dict[Period, MonthSales]]:
    """The sale lines of ``agreements`` summed by agreement and month, in one query."""
    lines = SaleLine.objects.filter(agreement__in=list(agreements))
    if first is not None:
        lines = lines.filter(sold_on__gte=first.first_day)
    if last is not None:
        lines = lines.filter(sold_on__lte=last.last_day)
    found: dict[int, dict[Period, MonthSales]] = {}
    for line in lines.order_by().values("agreement_id", *SUM_FIELDS).iterator(chunk_size=2000):
        period = Period.of(line["sold_on"])
        months = found.setdefault(line["agreement_id"], {})
        months.setdefault(period, MonthSales(period)).add(line)
    return found


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


def sales_panel(
    *, agreement: Agreement, today: date, months: dict[Period, MonthSales] | None = None
) -> dict[str, Any]:
    """A bar chart of monthly sales over this month and the last 12 (no minimum);
    ``months``: the agreement's sales by month, when the caller loaded many at once."""
    periods = window(agreement, today)
    if not periods:
        return {"agreement": agreement, "svg": "", "total": None}
    if months is None:
        months = monthly_sales(agreement, periods[0], periods[-1])
    else:
        months = {p: m for p, m in months.items() if periods[0] <= p <= periods[-1]}
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


def kpi_panels(*, agreements: Iterable[Agreement], today: date) -> list[dict[str, Any]]:
    """The compact KPI panels of many B2B agreements, in a fixed number of queries."""
    chosen = [a for a in agreements if a.kind == Agreement.Kind.B2B_COMMISSION]
    records = kpi_records_of(chosen)
    return [
        b2b_kpi_panel(agreement=a, today=today, compact=True, records=records.get(a.pk, {}))
        for a in chosen
    ]


def sales_panels(*, agreements: Iterable[Agreement], today: date) -> list[dict[str, Any]]:
    """The sales panels of many revenue-share agreements, in one query for their lines."""
    chosen = [a for a in agreements if a.kind == Agreement.Kind.REVENUE_SHARE]
    windows = [w for w in (window(a, today) for a in chosen) if w]
    sales = (
        monthly_sales_of(chosen, min(w[0] for w in windows), max(w[-1] for w in windows))
        if windows
        else {}
    )
    return [sales_panel(agreement=a, today=today, months=sales.get(a.pk, {})) for a in chosen]
