"""What a statement is made of, derived when it is shown; nothing here changes a settlement.

- the sale lines a monthly statement settles, each with its factory cost and its profit
  (revenue share) or commission (B2B), and late sales of earlier months marked as
  prior-period adjustments (``detail_lines``);
- the parts a revenue-share month's profit is made of, sales − factory cost − tax −
  logistics, checked against the figures the statement froze (``profit_breakdown``);
- a B2B month's KPI figures against its minimums and web targets (``kpi_rows``);
- a penalty notice's day spans and the payments they rest on (``penalty_figures``, frozen
  by ``settlements.services.penalties.penalty_notice_issue``; ``penalty_breakdown`` reads
  them back, or recomputes them for a notice issued before they were frozen);
- the XLSX of the detail the brand downloads (``statement_detail_xlsx``).

The PDF (``settlements.documents``), the portal and the API all read these.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.models import Agreement
from core.money import CENT, ZERO, Payment, PenaltySpan, line_profit, penalty_spans, quantize_money
from core.periods import Period
from kpis.models import KpiRecord, SaleLine
from kpis.services import b2b_targets, kpi_evaluate
from settlements import calculations as calc
from settlements.models import Statement

# (中文, English) names, so each page and file can speak one language.
CHANNEL_NAMES = {
    SaleLine.Channel.JD: ("京东", "JD"),
    SaleLine.Channel.TMALL: ("天猫", "Tmall"),
    SaleLine.Channel.WECHAT: ("微信小店", "WeChat shop"),
    SaleLine.Channel.B2B_DISTRIBUTOR: ("经销商", "Distributor"),
    SaleLine.Channel.OTHER: ("其他", "Other"),
}
KPI_NAMES = {
    calc.MINIMUM_DISTRIBUTORS: ("新增经销商", "New distributors"),
    calc.MINIMUM_CARTONS: ("出货箱数", "Cartons shipped"),
    calc.MINIMUM_SALES_AMOUNT: ("经销商销售额", "Distributor sales"),
    "baidu_first_page": ("百度首页", "Baidu first page"),
    "google_first_page": ("谷歌首页", "Google first page"),
    "unique_visitors": ("月独立访客", "Unique visitors a month"),
    "daily_inquiries": ("日均询盘", "Inquiries a day"),
    "conversion_rate": ("转化率", "Conversion rate"),
}
YES, NO = ("是", "Yes"), ("否", "No")
PROFIT, COMMISSION = ("收益", "Profit"), ("佣金", "Commission")
# The detail's columns: (中文, English), in order.
SALE_COLUMNS = (
    ("日期", "Date"),
    ("SKU", "SKU"),
    ("产品", "Product"),
    ("数量", "Quantity"),
    ("单价", "Unit price"),
    ("金额", "Amount"),
    ("出厂成本", "Factory cost"),
    ("税费", "Tax"),
    ("物流费", "Logistics"),
    None,  # profit or commission, by the agreement's kind
    ("经销商", "Distributor"),
    ("渠道", "Channel"),
    ("外部单号", "External reference"),
    ("以前期间调整", "Prior-period adjustment"),
)
KPI_COLUMNS = (("指标", "KPI"), ("实际", "Actual"), ("要求", "Required"), ("达标", "Met"))
SHEET_SALES, SHEET_KPIS, TOTAL = ("销售明细", "Sale lines"), ("KPI 指标", "KPIs"), ("合计", "Total")
PRORATED_NOTE = (
    "最低指标按协议在本月的 {days}/{days_in_period} 天折算",
    "Minimums prorated by {days}/{days_in_period} days of the month in the agreement",
)
MONEY_FORMAT = "#,##0.00"
# Writes a (中文, English) pair: one of the two (a portal page, an XLSX) or both (the PDF).
Say = Callable[[tuple[str, str]], str]


def pick(texts: tuple[str, str], zh: bool) -> str:
    """The Chinese or the English of a (中文, English) pair."""
    return texts[0] if zh else texts[1]


def exact_text(value: Decimal) -> str:
    """An exact amount with at least two places: 41.895 → "41.895", 15 → "15.00"."""
    if value == value.quantize(CENT):
        return str(value.quantize(CENT))
    return format(value.normalize(), "f")


def is_b2b(statement: Statement) -> bool:
    return bool(statement.agreement.kind == Agreement.Kind.B2B_COMMISSION)


# --- sale lines --------------------------------------------------------------------------


@dataclass(frozen=True)
class DetailLine:
    """One sale line as the detail shows it; ``result`` is its profit (revenue share) or
    commission (B2B), exact. ``adjustment``: a late sale of an earlier, issued month."""

    sold_on: date
    sku: str
    product: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    factory_cost: Decimal
    tax: Decimal
    logistics: Decimal
    result: Decimal
    distributor: str
    channel: str
    external_ref: str
    adjustment: bool

    def sale_figures(self) -> calc.SaleFigures:
        return calc.SaleFigures(self.amount, self.factory_cost, self.tax, self.logistics)


def settled_sale_lines(statement: Statement) -> list[SaleLine]:
    """The sale lines a monthly statement settles: those issue marked as billed by it, or
    for a draft those it would bill now. Other kinds of statement settle none."""
    if statement.kind != Statement.Kind.MONTHLY or not statement.period:
        return []
    if statement.status == Statement.Status.DRAFT:
        # Imported here: the services import this app's documents, which import this.
        from settlements.services.monthly import monthly_compute

        computation = monthly_compute(
            agreement=statement.agreement, period=Period.parse(statement.period)
        )
        lines = SaleLine.objects.filter(pk__in=computation.sale_line_ids)
    else:
        lines = SaleLine.objects.filter(settled_in=statement)
    return list(lines.select_related("product").order_by("sold_on", "pk"))


def detail_lines(statement: Statement) -> list[DetailLine]:
    """The statement's sale lines with their costs and profit or commission, by date."""
    lines = settled_sale_lines(statement)
    if not lines:
        return []
    b2b = is_b2b(statement)
    first_day = Period.parse(str(statement.period)).first_day
    rows = []
    for line in lines:
        factory_cost = line.factory_price * line.quantity
        if b2b:
            result = (line.distributor_price - line.factory_price) * line.quantity
        else:
            result = line_profit(
                sale_amount=line.amount,
                factory_cost=factory_cost,
                tax=line.tax,
                logistics=line.logistics,
            )
        rows.append(
            DetailLine(
                sold_on=line.sold_on,
                sku=line.product.sku,
                product=line.product.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                factory_cost=factory_cost,
                tax=line.tax,
                logistics=line.logistics,
                result=result,
                distributor=line.distributor,
                channel=line.channel,
                external_ref=line.external_ref,
                adjustment=line.sold_on < first_day,
            )
        )
    return rows


@dataclass(frozen=True)
class ProfitBreakdown:
    """A revenue-share month's profit in parts: the month's own sales, and late sales of
    earlier months (None when there are none)."""

    month: calc.ProfitParts
    adjustment: calc.ProfitParts | None


def _figure(figures: dict[str, Any], key: str) -> Decimal:
    return Decimal(str(figures.get(key) or "0"))


def profit_breakdown(
    statement: Statement, lines: list[DetailLine] | None = None
) -> ProfitBreakdown | None:
    """The parts of a revenue-share monthly statement's profit, from the sale lines it
    settles; None for other statements, or when the parts do not give the sales and
    profits the statement froze (its lines were released by a void, say)."""
    if statement.kind != Statement.Kind.MONTHLY or is_b2b(statement):
        return None
    figures = statement.figures or {}
    if "month_profit" not in figures:
        return None
    lines = detail_lines(statement) if lines is None else lines
    month = calc.profit_parts([line.sale_figures() for line in lines if not line.adjustment])
    late = [line.sale_figures() for line in lines if line.adjustment]
    adjustment = calc.profit_parts(late) if late else None
    adjustment_profit = adjustment.profit if adjustment else ZERO
    if (
        month.sales != _figure(figures, "sales_total")
        or month.profit != _figure(figures, "month_profit")
        or adjustment_profit != _figure(figures, "adjustment_profit")
    ):
        return None
    return ProfitBreakdown(month=month, adjustment=adjustment)


# --- KPIs (B2B) --------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiRow:
    """One KPI of a B2B month: what was achieved, what was required, whether it was met.
    ``minimum``: a monthly minimum (moves money); else a web target (reported only)."""

    key: str
    actual: Any
    required: Any
    met: bool
    minimum: bool


@dataclass(frozen=True)
class KpiDetail:
    rows: tuple[KpiRow, ...]
    active_days: int
    days_in_period: int


def kpi_rows(statement: Statement) -> KpiDetail | None:
    """A B2B monthly statement's KPI record against its minimums (prorated in a partial
    month) and web targets; which minimums were missed is what the statement froze.
    None for other statements or a month without a KPI record."""
    if statement.kind != Statement.Kind.MONTHLY or not statement.period or not is_b2b(statement):
        return None
    agreement = statement.agreement
    record = KpiRecord.objects.filter(agreement=agreement, period=statement.period).first()
    if record is None:
        return None
    evaluation = kpi_evaluate(agreement=agreement, period=Period.parse(statement.period))
    assert evaluation is not None
    missed = (statement.figures or {}).get("missed", evaluation.missed)
    actual = {
        calc.MINIMUM_DISTRIBUTORS: record.distributors_recruited,
        calc.MINIMUM_CARTONS: record.cartons_shipped,
        calc.MINIMUM_SALES_AMOUNT: record.sales_amount,
    }
    rows = [
        KpiRow(name, actual[name], evaluation.required[name], name not in missed, True)
        for name in calc.MINIMUMS
    ]
    if evaluation.web_targets_apply:
        targets = b2b_targets(agreement)
        web = {
            "baidu_first_page": (record.baidu_first_page, True),
            "google_first_page": (record.google_first_page, True),
            "unique_visitors": (record.unique_visitors, targets.min_unique_visitors),
            "daily_inquiries": (record.daily_inquiries, targets.min_daily_inquiries),
            "conversion_rate": (record.conversion_rate, targets.min_conversion_rate),
        }
        for name, (value, required) in web.items():
            rows.append(KpiRow(name, value, required, evaluation.web_targets[name], False))
    return KpiDetail(tuple(rows), evaluation.active_days, evaluation.days_in_period)


def _kpi_value_text(key: str, value: Any, say: Say) -> str:
    if isinstance(value, bool):
        return say(YES if value else NO)
    if key == calc.MINIMUM_SALES_AMOUNT:
        return f"{quantize_money(Decimal(value)):,.2f}"
    if key == "conversion_rate":
        return f"{format((Decimal(value) * 100).normalize(), 'f')}%"
    number = Decimal(value)
    if number != number.to_integral_value():
        number = quantize_money(number)
    return format(number.normalize(), ",f") if number else "0"


def kpi_table(kpis: KpiDetail, say: Say) -> tuple[list[list[str]], str]:
    """The KPI rows as cell texts in ``KPI_COLUMNS`` (sales as money, conversion as a
    percentage), and the note on prorating in a partial month ("" in a whole one);
    ``say`` writes a (中文, English) pair."""
    rows = [
        [
            say(KPI_NAMES[row.key]),
            _kpi_value_text(row.key, row.actual, say),
            _kpi_value_text(row.key, row.required, say),
            say(YES if row.met else NO),
        ]
        for row in kpis.rows
    ]
    days, days_in_period = kpis.active_days, kpis.days_in_period
    prorated = days != days_in_period
    note = say(PRORATED_NOTE).format(days=days, days_in_period=days_in_period) if prorated else ""
    return rows, note


# --- penalty notices ---------------------------------------------------------------------


def penalty_figures(statement: Statement, *, as_of: date) -> dict[str, list[dict[str, str]]]:
    """What a penalty notice on ``statement`` as of ``as_of`` freezes to show its sum:
    ``spans`` (each run of days with the principal owed, its rate and exact amount, as
    ``core.money.penalty_spans`` gives them) and ``payments`` (those made by ``as_of``)."""
    payments = [p for p in statement.payments.order_by("paid_on", "pk") if p.paid_on <= as_of]
    spans = []
    if statement.payment_due_on is not None:
        spans = penalty_spans(
            principal=statement.total_due,
            due_on=statement.payment_due_on,
            rate_per_day=statement.penalty_rate_per_day,
            payments=[Payment(paid_on=p.paid_on, amount=p.amount) for p in payments],
            as_of=as_of,
        )
    return {
        "spans": [
            {
                "start": span.start.isoformat(),
                "end": span.end.isoformat(),
                "days": str(span.days),
                "principal": str(span.principal),
                "rate": str(span.rate),
                "amount": exact_text(span.amount),
            }
            for span in spans
        ],
        "payments": [{"paid_on": p.paid_on.isoformat(), "amount": str(p.amount)} for p in payments],
    }


@dataclass(frozen=True)
class PenaltyBreakdown:
    """How a penalty notice's amount is reached: the spans add up to ``exact_total``,
    rounded once to ``penalty_to_date``; less ``already_billed`` and ``waived`` gives
    ``this_notice``. ``still_owed``: principal was still unpaid after ``as_of``."""

    as_of: date
    spans: tuple[PenaltySpan, ...]
    payments: tuple[Payment, ...]
    exact_total: Decimal
    penalty_to_date: Decimal
    already_billed: Decimal
    waived: Decimal
    this_notice: Decimal
    still_owed: bool


def penalty_breakdown(notice: Statement) -> PenaltyBreakdown | None:
    """The computation of a penalty notice, from the spans it froze; a notice issued before
    they were frozen gets them from its principal statement now, shown only if they still
    give the penalty it billed. None for other statements."""
    if notice.kind != Statement.Kind.PENALTY or notice.penalty_as_of is None:
        return None
    principal = notice.penalty_of
    figures = notice.figures or {}
    frozen: dict[str, Any] = figures
    if "spans" not in figures:
        if principal is None:
            return None
        frozen = penalty_figures(principal, as_of=notice.penalty_as_of)
    spans = tuple(
        PenaltySpan(
            start=date.fromisoformat(span["start"]),
            end=date.fromisoformat(span["end"]),
            days=int(span["days"]),
            principal=Decimal(span["principal"]),
            rate=Decimal(span["rate"]),
            amount=Decimal(span["amount"]),
        )
        for span in frozen["spans"]
    )
    payments = tuple(
        Payment(paid_on=date.fromisoformat(p["paid_on"]), amount=Decimal(p["amount"]))
        for p in frozen.get("payments", [])
    )
    exact_total = sum((span.amount for span in spans), start=Decimal(0))
    penalty_to_date = Decimal(str(figures.get("penalty_to_date") or quantize_money(exact_total)))
    if quantize_money(exact_total) != penalty_to_date:
        return None
    paid = sum((p.amount for p in payments), start=ZERO)
    return PenaltyBreakdown(
        as_of=notice.penalty_as_of,
        spans=spans,
        payments=payments,
        exact_total=exact_total,
        penalty_to_date=penalty_to_date,
        already_billed=_figure(figures, "already_billed"),
        waived=_figure(figures, "waived"),
        this_notice=notice.total_due,
        still_owed=principal is None or paid < principal.total_due,
    )


# --- what a bill says of itself ---------------------------------------------------------

LATE_ISSUE_NOTE = (
    "本账单于合同约定付款日（{due_on}）之后出具：合同为补录。按合同约定，付款日仍为 {due_on}。",
    "This bill was issued after the payment date the contract sets ({due_on}): the contract "
    "was entered late. Under the contract the payment date remains {due_on}.",
)
PENALTY_CLAUSE_KEPT = (
    "本对账单不变更合同关于逾期付款违约金的约定。",
    "This statement does not change the contract's terms on late-payment penalties.",
)
PENALTY_ACCRUES = (
    "违约金计至 {as_of}；此后按合同约定继续计算，直至付清。",
    "The penalty is computed to {as_of}; after that it keeps accruing under the contract "
    "until the principal is paid.",
)
PENALTY_STOPPED = (
    "违约金计至 {as_of}；原账单本金已付清，此后不再计算。",
    "The penalty is computed to {as_of}; the principal has been paid in full, so no more accrues.",
)


def late_issue_note(statement: Statement) -> tuple[str, str] | None:
    """What a setup-fee or installment bill issued after its contractual due date says
    (a contract entered late): the due date stays the contract's."""
    issued_on, due_on = statement.issued_on, statement.payment_due_on
    late_kinds = (Statement.Kind.SETUP_FEE, Statement.Kind.INSTALLMENT)
    if statement.kind not in late_kinds or not issued_on or not due_on or issued_on <= due_on:
        return None
    zh, en = (text.format(due_on=due_on.isoformat()) for text in LATE_ISSUE_NOTE)
    return zh, en


def penalty_accrual_note(
    notice: Statement, breakdown: PenaltyBreakdown | None
) -> tuple[str, str] | None:
    """What a penalty notice says of the days after its date: the penalty keeps accruing
    under the contract while principal is unpaid."""
    if notice.kind != Statement.Kind.PENALTY or notice.penalty_as_of is None:
        return None
    if breakdown is not None:
        still_owed = breakdown.still_owed
    else:
        principal = notice.penalty_of
        still_owed = principal is None or principal.payment_status != Statement.PaymentStatus.PAID
    zh, en = (
        text.format(as_of=notice.penalty_as_of.isoformat())
        for text in (PENALTY_ACCRUES if still_owed else PENALTY_STOPPED)
    )
    return zh, en


# --- XLSX --------------------------------------------------------------------------------


def detail_filename(statement: Statement) -> str:
    return f"{statement.number}-detail.xlsx"


def statement_detail_xlsx(statement: Statement, *, zh: bool) -> bytes:
    """The detail of a monthly statement as an XLSX workbook, in one language: a sheet of
    the sale lines it settles (with a total row) and, for B2B, a sheet of the month's KPIs
    against its minimums."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    workbook.properties.title = statement.number
    sheet = workbook.create_sheet(pick(SHEET_SALES, zh))
    result_name = COMMISSION if is_b2b(statement) else PROFIT
    sheet.append([pick(column or result_name, zh) for column in SALE_COLUMNS])

    def money(value: Decimal) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell

    def day(value: date) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell

    lines = detail_lines(statement)
    for line in lines:
        channel = CHANNEL_NAMES.get(line.channel)
        sheet.append(
            [
                day(line.sold_on),
                line.sku,
                line.product,
                line.quantity,
                money(line.unit_price),
                money(line.amount),
                money(line.factory_cost),
                money(line.tax),
                money(line.logistics),
                money(line.result),
                line.distributor,
                pick(channel, zh) if channel else line.channel,
                line.external_ref,
                pick(YES, zh) if line.adjustment else "",
            ]
        )
    sheet.append(
        [
            pick(TOTAL, zh),
            None,
            None,
            sum(line.quantity for line in lines),
            None,
            *(
                money(sum((getattr(line, name) for line in lines), start=ZERO))
                for name in ("amount", "factory_cost", "tax", "logistics", "result")
            ),
        ]
    )
    kpis = kpi_rows(statement)
    if kpis is not None:
        kpi_sheet = workbook.create_sheet(pick(SHEET_KPIS, zh))
        kpi_sheet.append([pick(column, zh) for column in KPI_COLUMNS])
        rows, note = kpi_table(kpis, lambda texts: pick(texts, zh))
        for cells in rows:
            kpi_sheet.append(cells)
        if note:
            kpi_sheet.append([])
            kpi_sheet.append([note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
