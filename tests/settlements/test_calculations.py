"""Tests for settlements.calculations: monthly statements, one-off bills, deadlines, flags.

Cases come from DOMAIN.md; 2026 working days were checked against chinese_calendar 1.11.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    INSTALLMENTS_NOT_100,
    SHARE_RATIO_OUT_OF_RANGE,
    CommissionLine,
    Payment,
    penalty_as_of,
    termination_right_held,
)
from core.periods import Period
from core.workdays import WorkCalendar
from settlements.calculations import (
    AMOUNT_NEGATIVE,
    CARRIED_IN_POSITIVE,
    EXPENSE_NEGATIVE,
    FEE_WITHHELD_DESCRIPTION,
    INSTALLMENT_DUE_FROM_UNKNOWN,
    PERIOD_OUTSIDE_AGREEMENT,
    WAIVER_REASON_REQUIRED,
    B2BMonthResult,
    Expense,
    InstallmentTerm,
    KpiEvaluation,
    Line,
    LineKind,
    RevenueShareResult,
    SaleFigures,
    ScheduleTerms,
    brand_termination_right,
    deemed_confirmed_on,
    installment_bills,
    issue_deadline,
    payment_due_on,
    penalty_notice_amount,
    receipt_due_on,
    settle_b2b_month,
    settle_revenue_share_month,
    setup_fee_bill,
    statement_late,
)

D = Decimal
P = Period.parse

CALENDAR = WorkCalendar()
REVENUE_SHARE_TERMS = ScheduleTerms()
B2B_TERMS = ScheduleTerms(payment_day=None, payment_working_days=5, payment_window_start_day=None)


def lines_sum(lines: tuple[Line, ...]) -> Decimal:
    return sum((line.amount for line in lines), start=D("0.00"))


def summary(lines: tuple[Line, ...]) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in lines]


# --- B2B month ----------------------------------------------------------------------------

# 100 cartons at distributor price 62.50 and factory price 60.00 → commission 250.00.
SHIPMENT = CommissionLine(quantity=D(100), distributor_price=D("62.50"), factory_price=D("60.00"))
# A return of 400 cartons → commission −1,000.00.
RETURN = CommissionLine(quantity=D(-400), distributor_price=D("62.50"), factory_price=D("60.00"))
FEE = D("5000.00")
YEAR_STARTS = date(2026, 1, 1)
YEAR_ENDS = date(2026, 12, 31)


def evaluation_for(
    missed: tuple[str, ...] = (), *, active_days: int = 31, days_in_period: int = 31
) -> KpiEvaluation:
    return KpiEvaluation(
        minimums_met=not missed,
        missed=missed,
        required={},
        web_targets_apply=False,
        web_targets={},
        active_days=active_days,
        days_in_period=days_in_period,
    )


@pytest.mark.parametrize(
    ("case", "kwargs", "lines", "total_due", "carry_forward"),
    [
        (
            "minimums met",
            {"commission_lines": [SHIPMENT]},
            [(LineKind.COMMISSION, D("250.00")), (LineKind.SERVICE_FEE, FEE)],
            D("5250.00"),
            D("0.00"),
        ),
        (
            "no sales: the commission line is still there",
            {"commission_lines": []},
            [(LineKind.COMMISSION, D("0.00")), (LineKind.SERVICE_FEE, FEE)],
            D("5000.00"),
            D("0.00"),
        ),
        (
            "minimum missed: fee withheld, commission unaffected",
            {"commission_lines": [SHIPMENT], "evaluation": evaluation_for(("cartons",))},
            [(LineKind.COMMISSION, D("250.00")), (LineKind.FEE_WITHHELD, D("0.00"))],
            D("250.00"),
            D("0.00"),
        ),
        (
            "minimum missed, withholding waived by the brand",
            {
                "commission_lines": [SHIPMENT],
                "evaluation": evaluation_for(("cartons",)),
                "waived": True,
                "waiver_reason": "春节停工",
            },
            [(LineKind.COMMISSION, D("250.00")), (LineKind.SERVICE_FEE, FEE)],
            D("5250.00"),
            D("0.00"),
        ),
        (
            "partial first month: fee 5,000.00 × 17/31 = 2,741.935… → 2,741.94",
            {"commission_lines": [SHIPMENT], "starts_on": date(2026, 3, 15)},
            [(LineKind.COMMISSION, D("250.00")), (LineKind.SERVICE_FEE, D("2741.94"))],
            D("2991.94"),
            D("0.00"),
        ),
        (
            "partial last month after termination on 2026-03-10: 10/31",
            {"commission_lines": [], "ends_on": date(2026, 3, 10)},
            [(LineKind.COMMISSION, D("0.00")), (LineKind.SERVICE_FEE, D("1612.90"))],
            D("1612.90"),
            D("0.00"),
        ),
        (
            "negative commission netted against the fee",
            {"commission_lines": [RETURN]},
            [(LineKind.COMMISSION, D("-1000.00")), (LineKind.SERVICE_FEE, FEE)],
            D("4000.00"),
            D("0.00"),
        ),
        (
            "negative commission, fee withheld: rest carried forward",
            {"commission_lines": [SHIPMENT, RETURN], "evaluation": evaluation_for(("cartons",))},
            [
                (LineKind.COMMISSION, D("-750.00")),
                (LineKind.FEE_WITHHELD, D("0.00")),
                (LineKind.CARRIED_FORWARD, D("750.00")),
            ],
            D("0.00"),
            D("-750.00"),
        ),
        (
            "carried-in rest absorbed by the fee",
            {"commission_lines": [SHIPMENT], "carried_in": D("-750.00")},
            [
                (LineKind.COMMISSION, D("250.00")),
                (LineKind.SERVICE_FEE, FEE),
                (LineKind.CARRIED_IN, D("-750.00")),
            ],
            D("4500.00"),
            D("0.00"),
        ),
        (
            "carried-in rest larger than the month: carried on",
            {
                "commission_lines": [SHIPMENT],
                "carried_in": D("-750.00"),
                "evaluation": evaluation_for(("distributors",)),
            },
            [
                (LineKind.COMMISSION, D("250.00")),
                (LineKind.FEE_WITHHELD, D("0.00")),
                (LineKind.CARRIED_IN, D("-750.00")),
                (LineKind.CARRIED_FORWARD, D("500.00")),
            ],
            D("0.00"),
            D("-500.00"),
        ),
        (
            "late sales of an issued period: own line, rounded separately",
            {
                # 0.005 and 0.005: 0.01 + 0.01, not round(0.01) on the combined 0.010.
                "commission_lines": [
                    CommissionLine(quantity=D(1), distributor_price=D("1.005"), factory_price=D(1))
                ],
                "adjustment_lines": [
                    CommissionLine(quantity=D(1), distributor_price=D("1.005"), factory_price=D(1))
                ],
            },
            [
                (LineKind.COMMISSION, D("0.01")),
                (LineKind.ADJUSTMENT, D("0.01")),
                (LineKind.SERVICE_FEE, FEE),
            ],
            D("5000.02"),
            D("0.00"),
        ),
    ],
)
def test_settle_b2b_month(
    case: str,
    kwargs: dict[str, object],
    lines: list[tuple[str, Decimal]],
    total_due: Decimal,
    carry_forward: Decimal,
) -> None:
    arguments: dict[str, object] = {
        "monthly_service_fee": FEE,
        "period": P("2026-03"),
        "starts_on": YEAR_STARTS,
        "ends_on": YEAR_ENDS,
        "evaluation": evaluation_for(),
        **kwargs,
    }
    result = settle_b2b_month(**arguments)  # type: ignore[arg-type]
    assert summary(result.lines) == lines
    assert result.total_due == total_due
    assert result.carry_forward == carry_forward
    assert lines_sum(result.lines) == result.total_due


@pytest.mark.parametrize(
    ("starts_on", "description"),
    [
        (YEAR_STARTS, "外包服务费 / Outsourcing service fee"),
        (
            date(2026, 3, 15),
            "外包服务费（按 17/31 天折算）/ Outsourcing service fee (prorated 17/31 days)",
        ),
    ],
)
def test_service_fee_line_says_when_it_is_prorated(starts_on: date, description: str) -> None:
    result = settle_b2b_month(
        commission_lines=[],
        monthly_service_fee=FEE,
        period=P("2026-03"),
        starts_on=starts_on,
        ends_on=YEAR_ENDS,
        evaluation=evaluation_for(),
    )
    assert result.lines[1].description == description


def test_withheld_fee_line_names_the_missed_minimums() -> None:
    result = settle_b2b_month(
        commission_lines=[SHIPMENT],
        monthly_service_fee=FEE,
        period=P("2026-03"),
        starts_on=YEAR_STARTS,
        ends_on=YEAR_ENDS,
        evaluation=evaluation_for(("distributors", "cartons")),
    )
    withheld = result.lines[1]
    assert withheld == Line(
        LineKind.FEE_WITHHELD,
        "外包服务费暂不支付：未达最低指标（经销商、出货箱数）"
        "/ Service fee withheld: minimums missed (distributors, cartons)",
        D("0.00"),
    )
    assert withheld.description == FEE_WITHHELD_DESCRIPTION.format(
        missed_zh="经销商、出货箱数", missed_en="distributors, cartons"
    )
    assert result.fee_withheld is True
    assert result.service_fee == D("0.00")
    assert result.commission == D("250.00")


def test_waived_fee_line_mentions_the_waiver_and_its_reason() -> None:
    result = settle_b2b_month(
        commission_lines=[],
        monthly_service_fee=FEE,
        period=P("2026-03"),
        starts_on=date(2026, 3, 15),
        ends_on=YEAR_ENDS,
        evaluation=evaluation_for(("sales_amount",), active_days=17),
        waived=True,
        waiver_reason="甲方书面同意 2026-04-02",
    )
    fee_line = result.lines[1]
    assert fee_line.kind == LineKind.SERVICE_FEE
    assert fee_line.amount == D("2741.94")
    assert fee_line.description == (
        "外包服务费（按 17/31 天折算）：未达最低指标（销售额），甲方同意照付，理由：甲方书面同意 2026-04-02"
        " / Outsourcing service fee (prorated 17/31 days): minimums missed (sales amount),"
        " withholding waived by the brand: 甲方书面同意 2026-04-02"
    )
    assert result.fee_withheld is False
    assert result.service_fee == D("2741.94")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"evaluation": evaluation_for(("cartons",)), "waived": True, "waiver_reason": "  "},
            WAIVER_REASON_REQUIRED,
        ),
        ({"carried_in": D("0.01")}, CARRIED_IN_POSITIVE.format(amount="0.01")),
        (
            {"monthly_service_fee": D("-1")},
            AMOUNT_NEGATIVE.format(name="A service fee", amount="-1"),
        ),
        (
            {"period": P("2027-01")},
            PERIOD_OUTSIDE_AGREEMENT.format(
                period="2027-01", starts_on=YEAR_STARTS, ends_on=YEAR_ENDS
            ),
        ),
    ],
)
def test_settle_b2b_month_refuses(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "commission_lines": [SHIPMENT],
        "monthly_service_fee": FEE,
        "period": P("2026-03"),
        "starts_on": YEAR_STARTS,
        "ends_on": YEAR_ENDS,
        "evaluation": evaluation_for(),
        **kwargs,
    }
    with pytest.raises(ValueError) as error:
        settle_b2b_month(**arguments)  # type: ignore[arg-type]
    assert str(error.value) == message


commission_lines = st.lists(
    st.builds(
        CommissionLine,
        quantity=st.integers(min_value=-500, max_value=500).map(D),
        distributor_price=st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100),
        factory_price=st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100),
    ),
    max_size=5,
)
money_amounts = st.integers(min_value=0, max_value=10**8).map(lambda n: D(n) / 100)


@given(
    lines=commission_lines,
    adjustments=commission_lines,
    fee=money_amounts,
    carried_in=money_amounts.map(lambda amount: -amount),
    missed=st.sampled_from([(), ("cartons",)]),
    waived=st.booleans(),
    start_day=st.integers(min_value=1, max_value=31),
)
def test_b2b_month_properties(
    lines: list[CommissionLine],
    adjustments: list[CommissionLine],
    fee: Decimal,
    carried_in: Decimal,
    missed: tuple[str, ...],
    waived: bool,
    start_day: int,
) -> None:
    result: B2BMonthResult = settle_b2b_month(
        commission_lines=lines,
        adjustment_lines=adjustments,
        monthly_service_fee=fee,
        period=P("2026-03"),
        starts_on=date(2026, 3, start_day),
        ends_on=YEAR_ENDS,
        evaluation=evaluation_for(missed, active_days=32 - start_day),
        waived=waived,
        waiver_reason="同意",
        carried_in=carried_in,
    )
    assert lines_sum(result.lines) == result.total_due
    assert result.total_due >= 0
    assert result.carry_forward <= 0
    assert result.total_due == 0 or result.carry_forward == 0
    net = result.commission + result.adjustment_commission + carried_in + result.service_fee
    assert result.total_due + result.carry_forward == net
    assert result.fee_withheld is (bool(missed) and not waived)
    assert result.lines[0].kind == LineKind.COMMISSION
    assert all(line.amount.as_tuple().exponent == -2 for line in result.lines)
    met = settle_b2b_month(
        commission_lines=lines,
        monthly_service_fee=fee,
        period=P("2026-03"),
        starts_on=date(2026, 3, start_day),
        ends_on=YEAR_ENDS,
        evaluation=evaluation_for(),
    )
    assert met.commission == result.commission  # the commission is never affected


# --- revenue share month ------------------------------------------------------------------

# DOMAIN worked example: 100 units × 199.00, factory 80.00 each, tax 1,990.00, logistics 600.00.
EXAMPLE_SALE = SaleFigures(
    sale_amount=D("19900.00"), factory_cost=D("8000.00"), tax=D("1990.00"), logistics=D("600.00")
)
# A return of 10 of those units: line profit −931.00.
EXAMPLE_RETURN = SaleFigures(
    sale_amount=D("-1990.00"), factory_cost=D("-800.00"), tax=D("-199.00"), logistics=D("-60.00")
)
# A month selling at a loss: 1,000.00 − (900.00 + 100.00 + 300.00) = −300.00.
LOSS_SALE = SaleFigures(
    sale_amount=D("1000.00"), factory_cost=D("900.00"), tax=D("100.00"), logistics=D("300.00")
)
RATIO = D("0.3")


def test_revenue_share_worked_example() -> None:
    result = settle_revenue_share_month(sales=[EXAMPLE_SALE], agency_ratio=RATIO)
    assert result == RevenueShareResult(
        lines=(
            Line(
                LineKind.AGENCY_SHARE,
                "收益分成 30%（收益 9,310.00）/ Agency share 30% of profit 9,310.00",
                D("2793.00"),
            ),
        ),
        total_due=D("2793.00"),
        month_profit=D("9310.00"),
        adjustment_profit=D("0"),
        carried_in=D("0"),
        profit=D("9310.00"),
        agency_share=D("2793.00"),
        brand_share=D("6517.00"),
        carry_forward=D("0.00"),
        expenses_total=D("0.00"),
    )


@pytest.mark.parametrize(
    ("case", "kwargs", "profit", "agency", "brand", "carry_forward", "total_due"),
    [
        (
            "a return line reduces the profit",
            {"sales": [EXAMPLE_SALE, EXAMPLE_RETURN]},
            D("8379.00"),
            D("2513.70"),
            D("5865.30"),
            D("0.00"),
            D("2513.70"),
        ),
        (
            "a share rounds half-up: 100.05 × 0.3 = 30.015",
            {
                "sales": [
                    SaleFigures(
                        sale_amount=D("100.05"), factory_cost=D(0), tax=D(0), logistics=D(0)
                    )
                ]
            },
            D("100.05"),
            D("30.02"),
            D("70.03"),
            D("0.00"),
            D("30.02"),
        ),
        (
            "a loss month owes nothing and carries the whole loss",
            {"sales": [LOSS_SALE]},
            D("-300.00"),
            D("0.00"),
            D("0.00"),
            D("-300.00"),
            D("0.00"),
        ),
        (
            "a second loss month accumulates",
            {"sales": [LOSS_SALE], "carried_in": D("-300.00")},
            D("-600.00"),
            D("0.00"),
            D("0.00"),
            D("-600.00"),
            D("0.00"),
        ),
        (
            "a profit that exactly absorbs the loss owes nothing",
            {"sales": [EXAMPLE_SALE], "carried_in": D("-9310.00")},
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
        ),
        (
            "expenses are billed in a loss month, never netted",
            {
                "sales": [LOSS_SALE],
                "expenses": [
                    Expense(description="百度竞价", amount=D("1200.00"), receipt_ref="FP-001"),
                    Expense(description="软文营销", amount=D("300.50")),
                ],
            },
            D("-300.00"),
            D("0.00"),
            D("0.00"),
            D("-300.00"),
            D("1500.50"),
        ),
        (
            "no sales at all",
            {"sales": []},
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
        ),
    ],
)
def test_settle_revenue_share_month(
    case: str,
    kwargs: dict[str, object],
    profit: Decimal,
    agency: Decimal,
    brand: Decimal,
    carry_forward: Decimal,
    total_due: Decimal,
) -> None:
    result = settle_revenue_share_month(agency_ratio=RATIO, **kwargs)  # type: ignore[arg-type]
    assert result.profit == profit
    assert result.agency_share == agency
    assert result.brand_share == brand
    assert result.carry_forward == carry_forward
    assert result.total_due == total_due
    assert lines_sum(result.lines) == result.total_due
    assert result.lines[0].kind == LineKind.AGENCY_SHARE
    assert result.lines[0].amount == agency


def test_a_loss_carries_over_two_months_and_is_absorbed_in_the_third() -> None:
    first = settle_revenue_share_month(sales=[LOSS_SALE], agency_ratio=RATIO)
    second = settle_revenue_share_month(
        sales=[LOSS_SALE, LOSS_SALE], carried_in=first.carry_forward, agency_ratio=RATIO
    )
    third = settle_revenue_share_month(
        sales=[EXAMPLE_SALE], carried_in=second.carry_forward, agency_ratio=RATIO
    )
    assert (first.carry_forward, second.carry_forward) == (D("-300.00"), D("-900.00"))
    assert (first.total_due, second.total_due) == (D("0.00"), D("0.00"))
    assert third.profit == D("8410.00")
    assert third.agency_share == D("2523.00")
    assert third.brand_share == D("5887.00")
    assert third.carry_forward == D("0.00")
    assert second.lines[0].description == (
        "收益分成 30%（收益 -900.00，含上期结转亏损 -300.00，亏损结转下月）"
        "/ Agency share 30% of profit -900.00, including loss carried in -300.00;"
        " loss carried forward"
    )


def test_late_sales_get_their_own_adjustment_line() -> None:
    result = settle_revenue_share_month(
        sales=[EXAMPLE_SALE], adjustment_sales=[EXAMPLE_RETURN], agency_ratio=RATIO
    )
    assert result.month_profit == D("9310.00")
    assert result.adjustment_profit == D("-931.00")
    assert result.profit == D("8379.00")
    assert result.agency_share == D("2513.70")
    assert summary(result.lines) == [
        (LineKind.AGENCY_SHARE, D("2793.00")),
        (LineKind.ADJUSTMENT, D("-279.30")),
    ]
    assert result.lines[1].description == (
        "以前期间补记销售的分成 30%（收益 -931.00）"
        "/ Prior-period adjustment: share 30% of late sales' profit -931.00"
    )
    assert result.total_due == D("2513.70")


@pytest.mark.parametrize(
    ("month_sale", "late_sale", "lines"),
    [
        # a late sale in a month that is otherwise a loss: the adjustment is capped at the
        # whole share, the month's line is then 0.00
        (
            SaleFigures(D("100.00"), D("80.00"), D("50.00"), D("0.00")),
            SaleFigures(D("1000.00"), D("500.00"), D("0.00"), D("0.00")),
            [(LineKind.AGENCY_SHARE, D("0.00")), (LineKind.ADJUSTMENT, D("141.00"))],
        ),
        # a late return bigger than the month's share: no adjustment below zero share
        (
            SaleFigures(D("1000.00"), D("500.00"), D("0.00"), D("0.00")),
            SaleFigures(D("-2000.00"), D("-1000.00"), D("0.00"), D("0.00")),
            [(LineKind.AGENCY_SHARE, D("0.00"))],
        ),
    ],
)
def test_adjustment_lines_always_add_up_to_the_share(month_sale, late_sale, lines) -> None:
    result = settle_revenue_share_month(
        sales=[month_sale], adjustment_sales=[late_sale], agency_ratio=RATIO
    )
    assert summary(result.lines) == lines
    assert sum(line.amount for line in result.lines) == result.total_due


def test_expense_lines_carry_description_and_receipt() -> None:
    result = settle_revenue_share_month(
        sales=[EXAMPLE_SALE],
        agency_ratio=RATIO,
        expenses=[
            Expense(description="百度竞价", amount=D("1200.00"), receipt_ref="FP-001"),
            Expense(description="软文营销", amount=D("300.5")),
        ],
    )
    assert result.lines[1:] == (
        Line(
            LineKind.EXPENSE,
            "营销推广费：百度竞价（凭证 FP-001）/ Marketing expense: 百度竞价 (receipt FP-001)",
            D("1200.00"),
        ),
        Line(LineKind.EXPENSE, "营销推广费：软文营销 / Marketing expense: 软文营销", D("300.50")),
    )
    assert result.expenses_total == D("1500.50")
    assert result.total_due == D("4293.50")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"carried_in": D("5.00")}, CARRIED_IN_POSITIVE.format(amount="5.00")),
        ({"agency_ratio": D("1.1")}, SHARE_RATIO_OUT_OF_RANGE.format(ratio="1.1")),
        (
            {"expenses": [Expense(description="退款", amount=D("-1.00"))]},
            EXPENSE_NEGATIVE.format(amount="-1.00", description="退款"),
        ),
    ],
)
def test_settle_revenue_share_month_refuses(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"sales": [EXAMPLE_SALE], "agency_ratio": RATIO, **kwargs}
    with pytest.raises(ValueError) as error:
        settle_revenue_share_month(**arguments)  # type: ignore[arg-type]
    assert str(error.value) == message


cents = st.integers(min_value=-(10**8), max_value=10**8).map(lambda n: D(n) / 100)
sale_lines = st.lists(
    st.builds(SaleFigures, sale_amount=cents, factory_cost=cents, tax=cents, logistics=cents),
    max_size=6,
)
ratios = st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 1000)


@given(
    sales=sale_lines,
    adjustments=sale_lines,
    carried_in=money_amounts.map(lambda amount: -amount),
    ratio=ratios,
    expense_amounts=st.lists(money_amounts, max_size=3),
)
def test_revenue_share_properties(
    sales: list[SaleFigures],
    adjustments: list[SaleFigures],
    carried_in: Decimal,
    ratio: Decimal,
    expense_amounts: list[Decimal],
) -> None:
    expenses = [Expense(description="推广", amount=amount) for amount in expense_amounts]
    result = settle_revenue_share_month(
        sales=sales,
        adjustment_sales=adjustments,
        carried_in=carried_in,
        agency_ratio=ratio,
        expenses=expenses,
    )
    assert result.profit == result.month_profit + result.adjustment_profit + carried_in
    if result.profit > 0:
        assert result.agency_share + result.brand_share == result.profit
        assert result.carry_forward == 0
    else:
        assert result.agency_share == result.brand_share == 0
        assert result.carry_forward == result.profit
    assert result.total_due >= 0
    assert lines_sum(result.lines) == result.total_due
    assert result.expenses_total == sum(expense_amounts, start=D("0.00"))
    assert result.total_due == result.agency_share + result.expenses_total
    expense_lines = [line for line in result.lines if line.kind == LineKind.EXPENSE]
    assert len(expense_lines) == len(expenses)
    assert len(result.lines) - len(expense_lines) in (1, 2)  # share, and a late-sales adjustment


# --- one-off bills ------------------------------------------------------------------------

SEED_INSTALLMENTS = (
    InstallmentTerm(number=1, percent=D(50), due_from="signing", working_days=3),
    InstallmentTerm(number=2, percent=D(50), due_from="end", working_days=3),
)


@pytest.mark.parametrize(
    ("ends_on", "second_due_on"),
    [
        (date(2026, 8, 31), date(2026, 9, 3)),  # the agreed end, a Monday
        # Terminated 2026-09-30: 10-08, 10-09, then Saturday 10-10 (a make-up working day).
        (date(2026, 9, 30), date(2026, 10, 10)),
    ],
)
def test_seed_consulting_installments(ends_on: date, second_due_on: date) -> None:
    first, second = installment_bills(
        total_fee=D("50000.00"),
        installments=SEED_INSTALLMENTS,
        signed_on=date(2026, 3, 2),
        ends_on=ends_on,
        calendar=CALENDAR,
    )
    assert (first.number, first.amount, first.due_from) == (1, D("25000.00"), "signing")
    assert (first.trigger_on, first.due_on) == (date(2026, 3, 2), date(2026, 3, 5))
    assert (second.number, second.amount, second.due_from) == (2, D("25000.00"), "end")
    assert (second.trigger_on, second.due_on) == (ends_on, second_due_on)
    assert first.line == Line(
        LineKind.INSTALLMENT,
        "第 1 期服务费（总费用 50,000.00 的 50%）/ Installment 1: 50% of the total fee 50,000.00",
        D("25000.00"),
    )
    assert second.line.amount == second.amount


def test_installments_round_each_and_give_the_rest_to_the_last() -> None:
    bills = installment_bills(
        total_fee=D("1000.01"),
        installments=(
            InstallmentTerm(number=1, percent=D("33.5"), due_from="signing", working_days=0),
            InstallmentTerm(number=2, percent=D("33.5"), due_from="signing", working_days=5),
            InstallmentTerm(number=3, percent=D(33), due_from="end", working_days=3),
        ),
        signed_on=date(2026, 10, 1),
        ends_on=date(2027, 3, 31),
        calendar=CALENDAR,
    )
    # 1000.01 × 33.5% = 335.00335 → 335.00; the last is 1000.01 − 670.00.
    assert [bill.amount for bill in bills] == [D("335.00"), D("335.00"), D("330.01")]
    assert bills[0].due_on == date(2026, 10, 8)  # 0 working days: the next working day
    assert "33.5%" in bills[0].line.description


@pytest.mark.parametrize(
    ("installments", "message"),
    [
        (
            (InstallmentTerm(number=1, percent=D(100), due_from="activation", working_days=3),),
            INSTALLMENT_DUE_FROM_UNKNOWN.format(due_from="activation", number=1),
        ),
        (
            (InstallmentTerm(number=1, percent=D(90), due_from="signing", working_days=3),),
            INSTALLMENTS_NOT_100.format(total="90"),
        ),
    ],
)
def test_installment_bills_refuse(installments: tuple[InstallmentTerm, ...], message: str) -> None:
    with pytest.raises(ValueError) as error:
        installment_bills(
            total_fee=D("50000.00"),
            installments=installments,
            signed_on=date(2026, 3, 2),
            ends_on=date(2026, 8, 31),
            calendar=CALENDAR,
        )
    assert str(error.value) == message


@given(
    total=money_amounts,
    first_percent=st.integers(min_value=0, max_value=100),
)
def test_installments_add_up_to_the_total(total: Decimal, first_percent: int) -> None:
    bills = installment_bills(
        total_fee=total,
        installments=(
            InstallmentTerm(number=1, percent=D(first_percent), due_from="signing", working_days=3),
            InstallmentTerm(
                number=2, percent=D(100 - first_percent), due_from="end", working_days=3
            ),
        ),
        signed_on=date(2026, 3, 2),
        ends_on=date(2026, 8, 31),
        calendar=CALENDAR,
    )
    assert sum((bill.amount for bill in bills), start=D("0.00")) == total
    assert all(bill.line.amount == bill.amount for bill in bills)


@pytest.mark.parametrize(
    ("signed_on", "due_on"),
    [
        (date(2026, 9, 8), date(2026, 9, 11)),  # Tuesday + 3 days: Friday
        (date(2026, 9, 28), date(2026, 10, 8)),  # 10-01 is National Day: next working day
        (date(2026, 9, 16), date(2026, 9, 20)),  # Saturday 09-19 is off; Sunday 09-20 is not
    ],
)
def test_setup_fee_is_due_three_calendar_days_after_signing(signed_on: date, due_on: date) -> None:
    assert setup_fee_bill(
        amount=D("10000"), signed_on=signed_on, due_days=3, calendar=CALENDAR
    ) == (
        due_on,
        Line(LineKind.SETUP_FEE, "网络销售平台开办费 / Sales platform setup fee", D("10000.00")),
    )


# --- deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "terms", "deadline"),
    [
        ("2026-08", REVENUE_SHARE_TERMS, date(2026, 9, 10)),  # Thursday
        ("2025-12", REVENUE_SHARE_TERMS, date(2026, 1, 12)),  # 01-10 is a Saturday
        ("2026-04", REVENUE_SHARE_TERMS, date(2026, 5, 11)),  # 05-10 is a Sunday
        ("2026-09", REVENUE_SHARE_TERMS, date(2026, 10, 10)),  # Saturday, make-up working day
        ("2026-09", ScheduleTerms(issue_by_day=5), date(2026, 10, 8)),  # National Day
        ("2026-01", ScheduleTerms(issue_by_day=31), date(2026, 2, 28)),  # clamped; make-up Sat
    ],
)
def test_issue_deadline(period: str, terms: ScheduleTerms, deadline: date) -> None:
    assert issue_deadline(period=P(period), terms=terms, calendar=CALENDAR) == deadline


@pytest.mark.parametrize(
    ("issued_on", "due_on"),
    [
        (date(2026, 9, 8), date(2026, 9, 15)),  # DOMAIN worked example
        (date(2026, 9, 27), date(2026, 10, 9)),  # 09-28, 09-29, 09-30, 10-08, 10-09
        (date(2026, 9, 19), date(2026, 9, 24)),  # issued on a Saturday; make-up Sunday counts
    ],
)
def test_receipt_due_on(issued_on: date, due_on: date) -> None:
    assert (
        receipt_due_on(issued_on=issued_on, terms=REVENUE_SHARE_TERMS, calendar=CALENDAR) == due_on
    )


@pytest.mark.parametrize(
    ("period", "confirmed_on", "terms", "due_on"),
    [
        # DOMAIN: later of 09-20 (a make-up working Sunday) and 09-16.
        ("2026-08", date(2026, 9, 11), REVENUE_SHARE_TERMS, date(2026, 9, 20)),
        # 09-29 + 3 working days: 09-30, then National Day, 10-08, 10-09.
        ("2026-08", date(2026, 9, 29), REVENUE_SHARE_TERMS, date(2026, 10, 9)),
        # The 20th of P+1 on a Saturday moves to Monday: 2026-06-20 → 06-22.
        ("2026-05", date(2026, 6, 10), REVENUE_SHARE_TERMS, date(2026, 6, 22)),
        # B2B: 5 working days after confirmation, no fixed-day floor.
        ("2026-08", date(2026, 9, 11), B2B_TERMS, date(2026, 9, 18)),
        (None, date(2026, 9, 11), B2B_TERMS, date(2026, 9, 18)),
        # No period (a one-off bill): the fixed day does not apply.
        (None, date(2026, 9, 11), REVENUE_SHARE_TERMS, date(2026, 9, 16)),
    ],
)
def test_payment_due_on(
    period: str | None, confirmed_on: date, terms: ScheduleTerms, due_on: date
) -> None:
    result = payment_due_on(
        period=None if period is None else P(period),
        confirmed_on=confirmed_on,
        terms=terms,
        calendar=CALENDAR,
    )
    assert result == due_on


def _knows_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(_knows_year(2027), reason="chinese_calendar now has 2027 data")
def test_deadlines_in_a_year_without_holiday_data_fall_back_to_monday_to_friday() -> None:
    calendar = WorkCalendar()
    # 2027-02-10 (Wednesday) would be inside the Spring Festival break; the fallback keeps it.
    assert issue_deadline(period=P("2027-01"), terms=REVENUE_SHARE_TERMS, calendar=calendar) == (
        date(2027, 2, 10)
    )
    issued_on = date(2027, 2, 5)  # Friday
    assert receipt_due_on(issued_on=issued_on, terms=REVENUE_SHARE_TERMS, calendar=calendar) == (
        date(2027, 2, 12)
    )
    # Later of 2027-02-20 (a Saturday → Monday 02-22) and 02-12 + 3 working days (02-17).
    assert payment_due_on(
        period=P("2027-01"),
        confirmed_on=date(2027, 2, 12),
        terms=REVENUE_SHARE_TERMS,
        calendar=calendar,
    ) == date(2027, 2, 22)
    assert calendar.fallback_years == {2027}


@pytest.mark.parametrize(
    ("confirmed_on", "disputed", "as_of", "expected"),
    [
        (None, False, date(2026, 9, 14), None),  # receipt not due yet
        (None, False, date(2026, 9, 15), date(2026, 9, 15)),  # silence: confirmed that day
        (None, False, date(2026, 10, 1), date(2026, 9, 15)),
        (None, True, date(2026, 10, 1), None),  # disputed: no confirmation
        (date(2026, 9, 11), False, date(2026, 9, 12), date(2026, 9, 11)),
        (date(2026, 9, 22), False, date(2026, 9, 30), date(2026, 9, 22)),  # dispute withdrawn
    ],
)
def test_deemed_confirmed_on(
    confirmed_on: date | None, disputed: bool, as_of: date, expected: date | None
) -> None:
    result = deemed_confirmed_on(
        receipt_due_on=date(2026, 9, 15), confirmed_on=confirmed_on, disputed=disputed, as_of=as_of
    )
    assert result == expected


@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=0, max_value=10),
)
def test_payment_due_on_is_a_working_day_on_or_after_both_limits(day: date, days: int) -> None:
    terms = ScheduleTerms(payment_working_days=days)
    period = Period.of(day).previous()
    due_on = payment_due_on(period=period, confirmed_on=day, terms=terms, calendar=CALENDAR)
    assert CALENDAR.is_working_day(due_on)
    assert due_on >= CALENDAR.add_working_days(day, days)
    assert due_on >= date(day.year, day.month, 20)
    assert receipt_due_on(issued_on=day, terms=terms, calendar=CALENDAR) > day


# --- flags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_on", "as_of", "late"),
    [
        (None, date(2026, 9, 10), False),  # the deadline day itself is in time
        (None, date(2026, 9, 11), True),
        (date(2026, 9, 12), date(2026, 9, 11), True),  # issued later than as_of
        (date(2026, 9, 12), date(2026, 9, 12), False),  # issued late: no longer late
        (date(2026, 9, 8), date(2026, 9, 30), False),
    ],
)
def test_statement_late(issued_on: date | None, as_of: date, late: bool) -> None:
    assert (
        statement_late(issue_deadline=date(2026, 9, 10), issued_on=issued_on, as_of=as_of) is late
    )


@pytest.mark.parametrize(
    ("demand_on", "issued_on", "as_of", "held"),
    [
        (None, None, date(2026, 12, 31), False),  # late but no demand
        (date(2026, 9, 14), None, date(2026, 9, 21), False),  # 7 days after the demand
        (date(2026, 9, 14), None, date(2026, 9, 22), True),  # from demand + 8
        (date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 30), False),  # issued in time
        (date(2026, 9, 14), date(2026, 9, 25), date(2026, 9, 22), True),
        (date(2026, 9, 14), date(2026, 9, 25), date(2026, 9, 30), True),  # kept once gained
        (date(2026, 9, 14), None, date(2026, 9, 10), False),  # before the demand
    ],
)
def test_brand_termination_right(
    demand_on: date | None, issued_on: date | None, as_of: date, held: bool
) -> None:
    result = brand_termination_right(demand_on=demand_on, issued_on=issued_on, as_of=as_of)
    assert result is held


@pytest.mark.parametrize(
    ("penalty", "billed", "waived", "amount"),
    [
        (D("133.34"), D("0"), D("0"), D("133.34")),
        (D("133.34"), D("68.79"), D("0"), D("64.55")),
        (D("133.34"), D("68.79"), D("50.00"), D("14.55")),
        (D("133.34"), D("100.00"), D("50.00"), D("0.00")),  # never below zero
        (D("133.34"), D("133.34"), D("0"), D("0.00")),
    ],
)
def test_penalty_notice_amount(
    penalty: Decimal, billed: Decimal, waived: Decimal, amount: Decimal
) -> None:
    result = penalty_notice_amount(penalty_to_date=penalty, already_billed=billed, waived=waived)
    assert result == amount


def test_domain_worked_example_end_to_end() -> None:
    """Period 2026-08, 70:30, 0.3%/day: from the sale line to the last penalty notice."""
    period = P("2026-08")
    settlement = settle_revenue_share_month(sales=[EXAMPLE_SALE], agency_ratio=RATIO)
    assert (settlement.agency_share, settlement.brand_share) == (D("2793.00"), D("6517.00"))

    deadline = issue_deadline(period=period, terms=REVENUE_SHARE_TERMS, calendar=CALENDAR)
    issued_on = date(2026, 9, 8)
    assert not statement_late(issue_deadline=deadline, issued_on=issued_on, as_of=issued_on)
    receipt_on = receipt_due_on(issued_on=issued_on, terms=REVENUE_SHARE_TERMS, calendar=CALENDAR)
    assert receipt_on == date(2026, 9, 15)
    confirmed_on = deemed_confirmed_on(
        receipt_due_on=receipt_on,
        confirmed_on=date(2026, 9, 11),
        disputed=False,
        as_of=date(2026, 9, 11),
    )
    assert confirmed_on == date(2026, 9, 11)
    due_on = payment_due_on(
        period=period, confirmed_on=confirmed_on, terms=REVENUE_SHARE_TERMS, calendar=CALENDAR
    )
    assert due_on == date(2026, 9, 20)

    payments = (
        Payment(paid_on=date(2026, 9, 25), amount=D("1000.00")),
        Payment(paid_on=date(2026, 10, 12), amount=D("1793.00")),
    )
    rate = D("0.003")

    def penalty(as_of: date) -> Decimal:
        return penalty_as_of(
            principal=settlement.total_due,
            due_on=due_on,
            rate_per_day=rate,
            payments=payments,
            as_of=as_of,
        )

    # Monthly notice on 09-30: 1,000.00 × 0.003 × 5 + 1,793.00 × 0.003 × 10 = 68.79.
    monthly = penalty_notice_amount(penalty_to_date=penalty(date(2026, 9, 30)), already_billed=D(0))
    assert monthly == D("68.79")
    # Paid in full on 10-12: 15.00 + 118.338 = 133.338 → 133.34; the notice bills the rest.
    assert penalty(date(2026, 10, 12)) == D("133.34")
    assert penalty(date(2026, 12, 31)) == D("133.34")
    final = penalty_notice_amount(
        penalty_to_date=penalty(date(2026, 10, 12)), already_billed=monthly
    )
    assert final == D("64.55")

    held = [
        day
        for day in (date(2026, 10, 1) + timedelta(days=n) for n in range(20))
        if termination_right_held(
            principal=settlement.total_due, due_on=due_on, payments=payments, as_of=day
        )
    ]
    assert (held[0], held[-1], len(held)) == (date(2026, 10, 6), date(2026, 10, 12), 7)
