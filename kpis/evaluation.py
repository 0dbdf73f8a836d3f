"""The B2B KPI evaluation: a month's figures against the agreement's minimums and web targets.

Pure Python (no Django): frozen dataclasses, ``Decimal`` and ``date`` in and out. The
settlement of a B2B month (``settlements.calculations.settle_b2b_month``) withholds the
service fee when ``evaluate_b2b_kpis`` says a minimum was missed; the portal and the
admin show the same evaluation beside the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from types import MappingProxyType

from core.periods import Period, add_months, overlap_days

PERIOD_OUTSIDE_AGREEMENT = (
    "Period {period} has no day inside the agreement ({starts_on} to {ends_on})."
)

# --- names --------------------------------------------------------------------------------

MINIMUM_DISTRIBUTORS = "distributors"
MINIMUM_CARTONS = "cartons"
MINIMUM_SALES_AMOUNT = "sales_amount"
MINIMUMS: tuple[str, ...] = (MINIMUM_DISTRIBUTORS, MINIMUM_CARTONS, MINIMUM_SALES_AMOUNT)

WEB_BAIDU_FIRST_PAGE = "baidu_first_page"
WEB_GOOGLE_FIRST_PAGE = "google_first_page"
WEB_UNIQUE_VISITORS = "unique_visitors"
WEB_DAILY_INQUIRIES = "daily_inquiries"
WEB_CONVERSION_RATE = "conversion_rate"
WEB_TARGETS: tuple[str, ...] = (
    WEB_BAIDU_FIRST_PAGE,
    WEB_GOOGLE_FIRST_PAGE,
    WEB_UNIQUE_VISITORS,
    WEB_DAILY_INQUIRIES,
    WEB_CONVERSION_RATE,
)

MINIMUM_NAMES_ZH = {
    MINIMUM_DISTRIBUTORS: "经销商",
    MINIMUM_CARTONS: "出货箱数",
    MINIMUM_SALES_AMOUNT: "销售额",
}
MINIMUM_NAMES_EN = {
    MINIMUM_DISTRIBUTORS: "distributors",
    MINIMUM_CARTONS: "cartons",
    MINIMUM_SALES_AMOUNT: "sales amount",
}

# Precision of a prorated minimum as reported; the met/missed decision itself is exact.
_REQUIRED_PRECISION = 28
# Enough digits that products of figures and day counts are exact.
_EXACT_PRECISION = 60


def active_days(*, period: Period, starts_on: date, ends_on: date) -> int:
    """Days of ``period`` inside the agreement; refuses a period with none."""
    days = overlap_days(period=period, starts_on=starts_on, ends_on=ends_on)
    if days == 0:
        raise ValueError(
            PERIOD_OUTSIDE_AGREEMENT.format(period=period, starts_on=starts_on, ends_on=ends_on)
        )
    return days


@dataclass(frozen=True)
class KpiFigures:
    """A month's KPI record as staff confirmed it.

    ``daily_inquiries`` is the month's inquiry count ÷ days; ``conversion_rate`` is a
    fraction (0.015 = 1.5%).
    """

    distributors_recruited: int
    cartons_shipped: Decimal
    sales_amount: Decimal
    unique_visitors: int
    daily_inquiries: Decimal
    conversion_rate: Decimal
    baidu_first_page: bool
    google_first_page: bool


@dataclass(frozen=True)
class B2BTargets:
    """A B2B agreement's monthly minimums (for a whole month) and web targets."""

    min_distributors: int
    min_cartons: int
    min_sales_amount: Decimal
    web_targets_from_month: int = 4
    min_unique_visitors: int = 500
    min_daily_inquiries: Decimal = Decimal("10")
    min_conversion_rate: Decimal = Decimal("0.015")


@dataclass(frozen=True)
class KpiEvaluation:
    """How a month's KPIs measure up.

    ``required`` holds each minimum as it applies to this period (prorated by
    ``active_days / days_in_period``); ``missed`` names the minimums not reached, in the
    order distributors, cartons, sales_amount. ``web_targets`` maps each web target to
    whether it was met, and is empty when ``web_targets_apply`` is false.
    """

    minimums_met: bool
    missed: tuple[str, ...]
    required: Mapping[str, Decimal]
    web_targets_apply: bool
    web_targets: Mapping[str, bool]
    active_days: int
    days_in_period: int


def _web_targets_apply(*, period: Period, starts_on: date, from_month: int = 4) -> bool:
    """Whether web targets apply to ``period``: from the ``from_month``-th month of operation.

    DOMAIN: "periods starting 3 months or more after starts_on", i.e. the period's first
    day is on or after ``starts_on + (from_month − 1) months``. Starting 2026-03-01 the
    first such period is 2026-06; starting 2026-03-15 it is 2026-07.
    """
    return period.first_day >= add_months(starts_on, from_month - 1)


def evaluate_b2b_kpis(
    *,
    figures: KpiFigures | None,
    targets: B2BTargets,
    period: Period,
    starts_on: date,
    ends_on: date,
) -> KpiEvaluation:
    """Judge a B2B month's KPI record against the minimums and, if they apply, web targets.

    ``ends_on`` is the effective last day (the termination date if terminated). In a
    partial first or last month each minimum is prorated: minimum × active days ÷ days in
    the period, never rounded; the comparison is exact (figure × days ≥ minimum × active
    days), so reaching a minimum exactly meets it. No record (``figures`` None) misses
    every minimum and every web target. Web targets are not prorated and move no money.
    """
    days_in_period = period.days
    days_active = active_days(period=period, starts_on=starts_on, ends_on=ends_on)
    minimums: dict[str, Decimal] = {
        MINIMUM_DISTRIBUTORS: Decimal(targets.min_distributors),
        MINIMUM_CARTONS: Decimal(targets.min_cartons),
        MINIMUM_SALES_AMOUNT: targets.min_sales_amount,
    }
    with localcontext() as context:
        context.prec = _REQUIRED_PRECISION
        required = {
            name: minimum * days_active / days_in_period for name, minimum in minimums.items()
        }
    if figures is None:
        missed = MINIMUMS
    else:
        actual: dict[str, Decimal] = {
            MINIMUM_DISTRIBUTORS: Decimal(figures.distributors_recruited),
            MINIMUM_CARTONS: figures.cartons_shipped,
            MINIMUM_SALES_AMOUNT: figures.sales_amount,
        }
        # Cross-multiplied so a prorated minimum such as 10 × 17/31 is compared exactly.
        with localcontext() as context:
            context.prec = _EXACT_PRECISION
            missed = tuple(
                name
                for name in MINIMUMS
                if actual[name] * days_in_period < minimums[name] * days_active
            )
    applies = _web_targets_apply(
        period=period, starts_on=starts_on, from_month=targets.web_targets_from_month
    )
    web: dict[str, bool] = {}
    if applies:
        if figures is None:
            web = dict.fromkeys(WEB_TARGETS, False)
        else:
            web = {
                WEB_BAIDU_FIRST_PAGE: figures.baidu_first_page,
                WEB_GOOGLE_FIRST_PAGE: figures.google_first_page,
                WEB_UNIQUE_VISITORS: figures.unique_visitors >= targets.min_unique_visitors,
                WEB_DAILY_INQUIRIES: figures.daily_inquiries >= targets.min_daily_inquiries,
                WEB_CONVERSION_RATE: figures.conversion_rate >= targets.min_conversion_rate,
            }
    return KpiEvaluation(
        minimums_met=not missed,
        missed=missed,
        required=MappingProxyType(required),
        web_targets_apply=applies,
        web_targets=MappingProxyType(web),
        active_days=days_active,
        days_in_period=days_in_period,
    )
