"""Tests for kpis.evaluation: a B2B month's KPIs against its minimums and web targets.

Cases come from the business rules (docs/rules.md, "KPI evaluation").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.periods import Period
from kpis.evaluation import (
    PERIOD_OUTSIDE_AGREEMENT,
    B2BTargets,
    KpiFigures,
    evaluate_b2b_kpis,
)
from tests.kpis.figures import TARGETS, WEB_NAMES, figures

D = Decimal
P = Period.parse


# --- KPI evaluation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "kpis", "starts_on", "ends_on", "missed"),
    [
        ("every minimum reached exactly", figures(), date(2026, 1, 1), date(2026, 12, 31), ()),
        (
            "one carton short",
            figures(cartons="30"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            ("cartons",),
        ),
        (
            "two missed, order fixed",
            figures(distributors=9, sales="30999.99"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            ("distributors", "sales_amount"),
        ),
        (
            "no KPI record",
            None,
            date(2026, 1, 1),
            date(2026, 12, 31),
            ("distributors", "cartons", "sales_amount"),
        ),
        # Starts 2026-03-15: 17 of 31 days → required 10×17/31 ≈ 5.48, 17 cartons, 17,000.00.
        (
            "partial first month, prorated minimums reached exactly",
            figures(distributors=6, cartons="17", sales="17000.00"),
            date(2026, 3, 15),
            date(2027, 3, 14),
            (),
        ),
        (
            "partial first month, just below",
            figures(distributors=5, cartons="16.99", sales="16999.99"),
            date(2026, 3, 15),
            date(2027, 3, 14),
            ("distributors", "cartons", "sales_amount"),
        ),
        # Terminated 2026-03-10: 10 of 31 days → 10×10/31 ≈ 3.23 distributors, 10 cartons.
        (
            "partial last month (termination)",
            figures(distributors=4, cartons="10", sales="9999.99"),
            date(2025, 3, 11),
            date(2026, 3, 10),
            ("sales_amount",),
        ),
    ],
)
def test_evaluate_b2b_kpis_minimums(
    case: str, kpis: KpiFigures | None, starts_on: date, ends_on: date, missed: tuple[str, ...]
) -> None:
    evaluation = evaluate_b2b_kpis(
        figures=kpis, targets=TARGETS, period=P("2026-03"), starts_on=starts_on, ends_on=ends_on
    )
    assert evaluation.missed == missed
    assert evaluation.minimums_met is (missed == ())


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "active_days", "required"),
    [
        (
            date(2026, 1, 1),
            date(2026, 12, 31),
            31,
            {"distributors": D(10), "cartons": D(31), "sales_amount": D("31000.00")},
        ),
        (
            date(2026, 3, 15),
            date(2027, 3, 14),
            17,
            {"distributors": D(170) / D(31), "cartons": D(17), "sales_amount": D("17000")},
        ),
        (
            date(2025, 3, 11),
            date(2026, 3, 10),
            10,
            {"distributors": D(100) / D(31), "cartons": D(10), "sales_amount": D("10000")},
        ),
    ],
)
def test_evaluate_b2b_kpis_prorates_required_minimums(
    starts_on: date, ends_on: date, active_days: int, required: dict[str, Decimal]
) -> None:
    evaluation = evaluate_b2b_kpis(
        figures=figures(),
        targets=TARGETS,
        period=P("2026-03"),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    assert evaluation.active_days == active_days
    assert evaluation.days_in_period == 31
    assert dict(evaluation.required) == required


@pytest.mark.parametrize(
    ("starts_on", "period", "applies"),
    [
        (date(2026, 3, 1), "2026-03", False),
        (date(2026, 3, 1), "2026-05", False),
        (date(2026, 3, 1), "2026-06", True),  # 4th month of operation
        (date(2026, 3, 15), "2026-06", False),  # starts 2026-06-01, before 2026-06-15
        (date(2026, 3, 15), "2026-07", True),
        (date(2026, 1, 31), "2026-04", False),  # 2026-01-31 + 3 months = 2026-04-30
        (date(2026, 1, 31), "2026-05", True),
        (date(2025, 11, 1), "2026-02", True),  # across the year end
    ],
)
def test_web_targets_apply_from_the_fourth_month(
    starts_on: date, period: str, applies: bool
) -> None:
    evaluation = evaluate_b2b_kpis(
        figures=figures(),
        targets=TARGETS,
        period=P(period),
        starts_on=starts_on,
        ends_on=date(2027, 12, 31),
    )
    assert evaluation.web_targets_apply is applies
    if applies:
        assert dict(evaluation.web_targets) == dict.fromkeys(WEB_NAMES, True)
    else:
        assert dict(evaluation.web_targets) == {}


@pytest.mark.parametrize(
    ("kpis", "missed_targets"),
    [
        (figures(), set()),  # every target reached exactly: 500, 10, 1.5%
        (figures(baidu=False), {"baidu_first_page"}),
        (figures(google=False), {"google_first_page"}),
        (figures(visitors=499), {"unique_visitors"}),
        (figures(inquiries="9.99"), {"daily_inquiries"}),
        (figures(conversion="0.0149"), {"conversion_rate"}),
        (None, set(WEB_NAMES)),
    ],
)
def test_web_targets_are_reported_and_move_no_money(
    kpis: KpiFigures | None, missed_targets: set[str]
) -> None:
    evaluation = evaluate_b2b_kpis(
        figures=kpis,
        targets=TARGETS,
        period=P("2026-06"),
        starts_on=date(2026, 3, 1),
        ends_on=date(2027, 2, 28),
    )
    assert {name for name, met in evaluation.web_targets.items() if not met} == missed_targets
    assert set(evaluation.web_targets) == set(WEB_NAMES)
    if kpis is not None:
        assert evaluation.minimums_met


def test_evaluate_b2b_kpis_refuses_a_period_outside_the_agreement() -> None:
    with pytest.raises(ValueError) as error:
        evaluate_b2b_kpis(
            figures=figures(),
            targets=TARGETS,
            period=P("2026-02"),
            starts_on=date(2026, 3, 1),
            ends_on=date(2027, 2, 28),
        )
    assert str(error.value) == PERIOD_OUTSIDE_AGREEMENT.format(
        period="2026-02", starts_on="2026-03-01", ends_on="2027-02-28"
    )


@given(
    distributors=st.integers(min_value=0, max_value=50),
    min_distributors=st.integers(min_value=0, max_value=50),
    start_day=st.integers(min_value=1, max_value=31),
)
def test_a_prorated_minimum_is_met_iff_the_figure_reaches_the_required_value(
    distributors: int, min_distributors: int, start_day: int
) -> None:
    targets = B2BTargets(min_distributors=min_distributors, min_cartons=0, min_sales_amount=D(0))
    evaluation = evaluate_b2b_kpis(
        figures=figures(distributors=distributors),
        targets=targets,
        period=P("2026-03"),
        starts_on=date(2026, 3, start_day),
        ends_on=date(2027, 3, 1),
    )
    exact_met = distributors * 31 >= min_distributors * (32 - start_day)
    assert ("distributors" not in evaluation.missed) is exact_met
    assert evaluation.required["distributors"] <= min_distributors
