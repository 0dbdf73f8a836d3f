"""KPI figures and targets shared by the evaluation and the B2B settlement tests."""

from decimal import Decimal

from kpis.evaluation import B2BTargets, KpiFigures

D = Decimal

TARGETS = B2BTargets(min_distributors=10, min_cartons=31, min_sales_amount=D("31000.00"))
WEB_NAMES = (
    "baidu_first_page",
    "google_first_page",
    "unique_visitors",
    "daily_inquiries",
    "conversion_rate",
)


def figures(
    *,
    distributors: int = 10,
    cartons: str = "31",
    sales: str = "31000.00",
    visitors: int = 500,
    inquiries: str = "10",
    conversion: str = "0.015",
    baidu: bool = True,
    google: bool = True,
) -> KpiFigures:
    """KPI figures that meet every TARGETS minimum and web target exactly, unless told."""
    return KpiFigures(
        distributors_recruited=distributors,
        cartons_shipped=D(cartons),
        sales_amount=D(sales),
        unique_visitors=visitors,
        daily_inquiries=D(inquiries),
        conversion_rate=D(conversion),
        baidu_first_page=baidu,
        google_first_page=google,
    )
