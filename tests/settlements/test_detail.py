"""Bills that explain themselves: the detail of a monthly statement (sale lines, KPIs, the
parts of a profit), the day spans of a penalty notice and the late-issue note, in the
PDF and the XLSX.

The revenue-share month is docs/rules.md's worked example: 100 units at 199.00, factory
cost 80.00 each, tax 1,990.00, logistics 600.00 → profit 9,310.00, agency share 2,793.00
due 2026-09-20; paid 1,000.00 on 2026-09-25 and the rest on 2026-10-12 → penalty 133.34.
"""

from __future__ import annotations

import io
import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import User
from contracts.models import Agreement
from core.periods import Period
from kpis.services import kpi_record_save, sale_line_record
from settlements import calculations as calc
from settlements import detail, documents
from settlements import services as s
from settlements.models import Statement
from tests import factories as f

D = Decimal
TODAY = date(2026, 11, 24)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    return TODAY


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squashed(text: str) -> str:
    return "".join(text.split())


def assert_in_pdf(data: bytes, *expected: str) -> None:
    text = squashed(pdf_text(data))
    assert [item for item in expected if squashed(item) not in text] == []


# --- the parts of a profit (pure) ---------------------------------------------------------

WORKED_SALE = calc.SaleFigures(
    sale_amount=D("19900.00"), factory_cost=D("8000.00"), tax=D("1990.00"), logistics=D("600.00")
)
A_RETURN = calc.SaleFigures(
    sale_amount=D("-398.00"), factory_cost=D("-160.00"), tax=D("-39.80"), logistics=D("-12.00")
)


def test_profit_parts_of_the_worked_example() -> None:
    parts = calc.profit_parts([WORKED_SALE])

    assert parts == calc.ProfitParts(
        sales=D("19900.00"),
        factory_cost=D("8000.00"),
        tax=D("1990.00"),
        logistics=D("600.00"),
        profit=D("9310.00"),
    )
    assert parts.sales - parts.factory_cost - parts.tax - parts.logistics == parts.profit
    settled = calc.settle_revenue_share_month(sales=[WORKED_SALE], agency_ratio=D("0.30"))
    assert parts.profit == settled.month_profit == settled.profit
    assert (settled.agency_share, settled.brand_share) == (D("2793.00"), D("6517.00"))


def test_profit_parts_with_a_return_and_none() -> None:
    parts = calc.profit_parts([WORKED_SALE, A_RETURN])

    assert (parts.sales, parts.factory_cost, parts.tax, parts.logistics, parts.profit) == (
        D("19502.00"),
        D("7840.00"),
        D("1950.20"),
        D("588.00"),
        D("9123.80"),
    )
    assert calc.profit_parts([]) == calc.ProfitParts(D(0), D(0), D(0), D(0), D(0))


amounts = st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: D(n) / 100)


@given(
    st.lists(
        st.builds(
            calc.SaleFigures,
            sale_amount=amounts,
            factory_cost=amounts,
            tax=amounts,
            logistics=amounts,
        ),
        max_size=8,
    )
)
def test_profit_parts_add_up_to_the_settled_profit(sales: list[calc.SaleFigures]) -> None:
    parts = calc.profit_parts(sales)
    settled = calc.settle_revenue_share_month(sales=sales, agency_ratio=D("0.30"))

    assert parts.sales - parts.factory_cost - parts.tax - parts.logistics == parts.profit
    assert parts.profit == settled.month_profit


# --- a revenue-share month through the services -------------------------------------------


@pytest.fixture
def rs(db, today):
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
    )
    f.product(
        agreement.brand,
        sku="TEA-1",
        name="高山乌龙茶",
        factory_price=D("80.00"),
        distributor_price=D("120.00"),
        min_retail_price=D("199.00"),
    )
    return agreement


@pytest.fixture
def staff(rs):
    return f.user(rs.agency, User.Role.AGENCY_STAFF)


def sale(agreement: Agreement, ref: str, **kw: str | int) -> None:
    """Record the worked example's sale line (or one like it: ``kw`` overrides)."""
    row = {
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 100,
        "unit_price": "199.00",
        "tax": "1990.00",
        "logistics": "600.00",
        "channel": "tmall",
        "external_ref": ref,
    }
    row.update(kw)
    sale_line_record(agreement=agreement, data=row, by=None)


def _issue(agreement: Agreement, period: Period, issued_on: date, staff: User) -> Statement:
    statement = s.statement_generate(agreement=agreement, period=period, by=staff).statement
    return s.statement_issue(statement=statement, issued_on=issued_on, by=staff)


@pytest.fixture
def august(rs, staff) -> Statement:
    sale(rs, "WE-1")
    statement = _issue(rs, Period(2026, 8), date(2026, 9, 8), staff)
    return s.statement_confirm(statement=statement, confirmed_on=date(2026, 9, 11), by=staff)


def test_detail_lines_of_the_worked_example(august: Statement) -> None:
    (line,) = detail.detail_lines(august)

    assert (line.sold_on, line.sku, line.product, line.quantity) == (
        date(2026, 8, 5),
        "TEA-1",
        "高山乌龙茶",
        100,
    )
    assert (line.amount, line.factory_cost, line.tax, line.logistics, line.result) == (
        D("19900.00"),
        D("8000.00"),
        D("1990.00"),
        D("600.00"),
        D("9310.00"),
    )
    assert (line.channel, line.external_ref, line.adjustment) == ("tmall", "WE-1", False)


def test_profit_breakdown_matches_the_frozen_figures(august: Statement) -> None:
    breakdown = detail.profit_breakdown(august)

    assert breakdown is not None and breakdown.adjustment is None
    assert breakdown.month.profit == D(august.figures["month_profit"]) == D("9310.00")
    assert breakdown.month.sales == D(august.figures["sales_total"])


def test_late_sales_are_a_marked_adjustment(rs, staff, august: Statement) -> None:
    sale(rs, "LATE-1", sold_on="2026-08-20", quantity=10, tax="199.00", logistics="60.00")
    sale(rs, "SEP-1", sold_on="2026-09-03", quantity=20, tax="398.00", logistics="120.00")
    september = _issue(rs, Period(2026, 9), date(2026, 10, 8), staff)

    lines = detail.detail_lines(september)
    breakdown = detail.profit_breakdown(september)

    assert [(line.external_ref, line.adjustment) for line in lines] == [
        ("LATE-1", True),
        ("SEP-1", False),
    ]
    assert breakdown is not None and breakdown.adjustment is not None
    assert breakdown.adjustment.profit == D(september.figures["adjustment_profit"]) == D("931.00")
    assert breakdown.month.profit == D(september.figures["month_profit"]) == D("1862.00")
    data = documents.statement_pdf_bytes(september)
    assert_in_pdf(data, "LATE-1 ＊", "＊ 以前期间调整")


def test_a_void_statement_has_no_breakdown_its_lines_are_released(staff, august) -> None:
    void = s.statement_void(statement=august, by=staff, reason="物流费有误")

    assert detail.detail_lines(void) == []
    assert detail.profit_breakdown(void) is None


def test_draft_detail_is_what_it_would_settle(rs, staff) -> None:
    sale(rs, "WE-1")
    draft = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement

    assert [line.external_ref for line in detail.detail_lines(draft)] == ["WE-1"]
    assert detail.profit_breakdown(draft) is not None


def test_pdf_shows_the_profit_parts_and_the_appendix(august: Statement) -> None:
    started = time.perf_counter()
    data = documents.statement_pdf_bytes(august)
    elapsed = time.perf_counter() - started

    assert_in_pdf(
        data,
        "销售额合计 Sales total 19,900.00",
        "减：出厂成本 Less factory cost 8,000.00",
        "减：税费 Less tax 1,990.00",
        "减：物流费 Less logistics 600.00",
        "本月收益 Profit this month 9,310.00",
        "可分配收益 Profit to share 9,310.00",
        "乙方分成 Agency share 2,793.00",
        "甲方所得 Brand share 6,517.00",
        f"附件：{august.number} 明细",
        "2026-08-05 TEA-1 高山乌龙茶 天猫 / Tmall 100 199.00 19,900.00 8,000.00 1,990.00 "
        "600.00 9,310.00 WE-1",
        "合计 Total 100 19,900.00 8,000.00 1,990.00 600.00 9,310.00",
        documents.both(detail.PENALTY_CLAUSE_KEPT),
    )
    assert "以前期间调整：此前" not in pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert elapsed < 2


def test_xlsx_of_a_revenue_share_month(august: Statement) -> None:
    book = load_workbook(io.BytesIO(detail.statement_detail_xlsx(august, zh=True)))

    assert book.sheetnames == ["销售明细"]
    rows = [[cell.value for cell in row] for row in book["销售明细"].iter_rows()]
    assert rows[0] == [
        "日期",
        "SKU",
        "产品",
        "数量",
        "单价",
        "金额",
        "出厂成本",
        "税费",
        "物流费",
        "收益",
        "经销商",
        "渠道",
        "外部单号",
        "以前期间调整",
    ]
    assert rows[1][0].date() == date(2026, 8, 5)
    assert rows[1][1:] == [
        "TEA-1",
        "高山乌龙茶",
        100,
        199,
        19900,
        8000,
        1990,
        600,
        9310,
        None,
        "天猫",
        "WE-1",
        None,
    ]
    assert rows[2][:10] == ["合计", None, None, 100, None, 19900, 8000, 1990, 600, 9310]
    english = load_workbook(io.BytesIO(detail.statement_detail_xlsx(august, zh=False)))
    header = next(english["Sale lines"].iter_rows(values_only=True))
    assert header[9] == "Profit" and header[11] == "Channel"


# --- B2B: commission per line and the KPI sheet -------------------------------------------


@pytest.fixture
def b2b_month(db, today):
    agency = f.agency()
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    agreement = f.agreement(
        Agreement.Kind.B2B_COMMISSION,
        brand_org=f.brand(agency),
        activate=True,
        by=staff,
        starts_on=date(2026, 5, 1),
        ends_on=date(2027, 4, 30),
        signed_on=date(2026, 4, 20),
        terms={
            "monthly_service_fee": D("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": D("100000.00"),
        },
    )
    f.product(
        agreement.brand,
        sku="TEA-1",
        factory_price=D("80.00"),
        distributor_price=D("120.00"),
        min_retail_price=D("199.00"),
        units_per_carton=20,
    )
    sale(
        agreement,
        "B2B-1",
        sold_on="2026-08-06",
        quantity=50,
        unit_price="120.00",
        tax="0.00",
        logistics="0.00",
        channel="b2b_distributor",
        distributor="福州茶行",
    )
    kpi_record_save(
        agreement=agreement,
        period="2026-08",
        values={
            "distributors_recruited": 3,
            "cartons_shipped": D("90"),
            "sales_amount": D("60000.00"),
            "unique_visitors": 520,
            "daily_inquiries": D("10.5"),
            "conversion_rate": D("0.0160"),
            "baidu_first_page": True,
            "google_first_page": False,
        },
        by=staff,
    )
    return _issue(agreement, Period(2026, 8), date(2026, 9, 8), staff)


def test_b2b_detail_has_commissions_and_kpis(b2b_month: Statement) -> None:
    (line,) = detail.detail_lines(b2b_month)
    assert line.result == D("2000.00")  # (120 − 80) × 50
    assert detail.profit_breakdown(b2b_month) is None

    book = load_workbook(io.BytesIO(detail.statement_detail_xlsx(b2b_month, zh=True)))

    assert book.sheetnames == ["销售明细", "KPI 指标"]
    sales = list(book["销售明细"].iter_rows(values_only=True))
    assert sales[0][9] == "佣金" and sales[1][9] == 2000 and sales[1][10] == "福州茶行"
    kpis = list(book["KPI 指标"].iter_rows(values_only=True))
    assert kpis[:4] == [
        ("指标", "实际", "要求", "达标"),
        ("新增经销商", "3", "5", "否"),
        ("出货箱数", "90", "200", "否"),
        ("经销商销售额", "60,000.00", "100,000.00", "否"),
    ]
    assert ("谷歌首页", "否", "是", "否") in kpis
    assert ("转化率", "1.6%", "1.5%", "是") in kpis

    data = documents.statement_pdf_bytes(b2b_month)
    assert_in_pdf(
        data,
        "佣金 / Commission",
        "2026-08-06 TEA-1 测试产品 经销商 / Distributor 福州茶行 50",
        "新增经销商 / New distributors 3 5 否 / No",
        "百度首页 / Baidu first page 是 / Yes 是 / Yes 是 / Yes",
    )


# --- penalty notices ----------------------------------------------------------------------


def test_penalty_notice_freezes_its_spans_and_payments(staff, august: Statement) -> None:
    s.payment_record(statement=august, amount=D("1000.00"), paid_on=date(2026, 9, 25), by=staff)
    monthly = s.penalty_notice_issue(statement=august, as_of=date(2026, 9, 30))
    s.payment_record(statement=august, amount=D("1793.00"), paid_on=date(2026, 10, 12), by=staff)
    final = august.penalty_notices.get(penalty_as_of=date(2026, 10, 12))

    assert monthly is not None
    assert monthly.figures["spans"] == [
        {
            "start": "2026-09-21",
            "end": "2026-09-25",
            "days": "5",
            "principal": "2793.00",
            "rate": "0.00300",
            "amount": "41.895",
        },
        {
            "start": "2026-09-26",
            "end": "2026-09-30",
            "days": "5",
            "principal": "1793.00",
            "rate": "0.00300",
            "amount": "26.895",
        },
    ]
    assert monthly.figures["payments"] == [{"paid_on": "2026-09-25", "amount": "1000.00"}]
    assert monthly.total_due == D("68.79")  # 68.79 = 41.895 + 26.895 rounded
    assert [span["amount"] for span in final.figures["spans"]] == ["41.895", "91.443"]
    assert final.figures["payments"] == [
        {"paid_on": "2026-09-25", "amount": "1000.00"},
        {"paid_on": "2026-10-12", "amount": "1793.00"},
    ]
    assert final.total_due == D("64.55")  # 133.34 − 68.79

    data = documents.statement_pdf_bytes(final)
    assert_in_pdf(
        data,
        "附：违约金计算明细 Annex: penalty computation",
        "期间 Period 天数 Days 未付本金 Principal unpaid 日利率 Daily rate 违约金 Penalty",
        "2026-09-21 至 2026-09-25 5 2,793.00 0.3% 41.895",
        "2026-09-26 至 2026-10-12 17 1,793.00 0.3% 91.443",
        "133.338 → 133.34",
        "原账单付款 Payments on the principal：2026-09-25 1,000.00；2026-10-12 1,793.00",
        "累计违约金 133.34 - 此前通知已计 68.79 - 已减免 0.00 = 本通知金额 64.55",
        "违约金计至 2026-10-12；原账单本金已付清，此后不再计算。",
        documents.both(detail.PENALTY_CLAUSE_KEPT),
    )
    assert_in_pdf(
        documents.statement_pdf_bytes(monthly),
        "违约金计至 2026-09-30；此后按合同约定继续计算，直至付清。",
        "/ The penalty is computed to 2026-09-30; after that it keeps accruing under the "
        "contract until the principal is paid.",
    )


def test_an_old_notice_gets_its_spans_from_the_principal(staff, august: Statement) -> None:
    s.payment_record(statement=august, amount=D("1000.00"), paid_on=date(2026, 9, 25), by=staff)
    notice = s.penalty_notice_issue(statement=august, as_of=date(2026, 9, 30))
    assert notice is not None
    old = {k: v for k, v in notice.figures.items() if k not in ("spans", "payments")}
    Statement.objects.filter(pk=notice.pk).update(figures=old)
    notice.refresh_from_db()

    breakdown = detail.penalty_breakdown(notice)

    assert breakdown is not None
    assert [(span.days, span.amount) for span in breakdown.spans] == [
        (5, D("41.895")),
        (5, D("26.895")),
    ]
    assert breakdown.still_owed is True
    # A payment back-dated into the notice's days since: the spans no longer give what was
    # billed, so the table is left out rather than contradict the notice.
    s.payment_record(statement=august, amount=D("500.00"), paid_on=date(2026, 9, 22), by=staff)
    assert detail.penalty_breakdown(notice) is None
    assert "违约金计算明细" not in pdf_text(documents.statement_pdf_bytes(notice))


# --- one-off bills entered late ---------------------------------------------------------


def test_setup_fee_bill_of_a_contract_entered_late(rs) -> None:
    bill = rs.statements.get(kind=Statement.Kind.SETUP_FEE)

    assert (bill.issued_on, bill.payment_due_on) == (TODAY, date(2026, 5, 25))
    assert detail.late_issue_note(bill) == (
        "本账单于合同约定付款日（2026-05-25）之后出具：合同为补录。按合同约定，付款日仍为 2026-05-25。",
        "This bill was issued after the payment date the contract sets (2026-05-25): the "
        "contract was entered late. Under the contract the payment date remains 2026-05-25.",
    )
    assert_in_pdf(
        documents.statement_pdf_bytes(bill),
        "本账单于合同约定付款日（2026-05-25）之后出具：合同为补录。按合同约定，付款日仍为 2026-05-25。",
    )


def test_a_bill_issued_in_time_says_nothing_of_it(rs, august: Statement) -> None:
    bill = rs.statements.get(kind=Statement.Kind.SETUP_FEE)
    bill.issued_on = bill.payment_due_on

    assert detail.late_issue_note(bill) is None
    assert detail.late_issue_note(august) is None  # monthly statements: never
