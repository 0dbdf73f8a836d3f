"""What a statement page says to explain itself, in the page's one language.

- a setup-fee or installment bill issued after its contractual due date says so, and
  that the due date stays the contract's;
- a revenue-share month shows sales − factory cost − tax − logistics = profit, then the
  shares; every monthly statement links to its detail as XLSX;
- a penalty notice shows its spans of days, the payments they rest on, and the penalty to
  date less earlier notices and waivers; it says the penalty keeps accruing afterwards;
- every statement says it does not change the contract's penalty terms.

The figures come from ``settlements.detail`` (the PDF shows the same); the words are
(中文, English) pairs so the page speaks the language it is written in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from common.templatetags.portal import money_text, percent_text
from settlements import detail, documents
from settlements.models import Statement

TITLE = ("说明", "About this statement")
PROFIT_TITLE = ("收益如何得出", "How the profit adds up")
PROFIT_ROWS = {
    "sales": ("销售额", "Sales"),
    "factory_cost": ("出厂成本", "Factory cost"),
    "tax": ("税费", "Tax"),
    "logistics": ("物流费", "Logistics"),
    "month_profit": ("本月收益", "Profit this month"),
    "adjustment_profit": ("以前期间调整", "Prior-period adjustment"),
    "carried_in": ("上期结转亏损", "Loss carried in"),
    "profit": ("可分配收益", "Profit to share"),
    "agency_share": ("乙方分成（{ratio}）", "Agency share ({ratio})"),
    "brand_share": ("甲方所得", "Brand share"),
}
PENALTY_TITLE = ("违约金计算明细", "How the penalty adds up")
PENALTY_COLUMNS = (
    ("期间", "Period"),
    ("天数", "Days"),
    ("未付本金", "Principal unpaid"),
    ("日利率", "Daily rate"),
    ("违约金", "Penalty"),
)
SPAN_PERIOD = ("{start} 至 {end}", "{start} to {end}")
NO_SPANS = ("无逾期天数", "No overdue days")
SPANS_TOTAL = ("合计（四舍五入至分）", "Total, rounded to the fen")
PAYMENTS_TITLE = ("原账单付款：", "Payments on the principal:")
NO_PAYMENTS = ("无", "None")
PENALTY_TO_DATE = ("累计违约金", "Penalty to date")
ALREADY_BILLED = ("此前通知已计", "Billed by earlier notices")
WAIVED = ("已减免", "Waived")
THIS_NOTICE = ("本通知金额", "This notice")
DETAIL_LINK = ("下载明细 (XLSX)", "Download detail (XLSX)")
DETAIL_NOTE = ("本对账单结算的每一笔销售。", "Every sale this statement settles.")
DETAIL_NOTE_B2B = (
    "本对账单结算的每一笔销售，及本月 KPI 指标与最低指标。",
    "Every sale this statement settles, and the month's KPIs against the minimums.",
)


def _profit(statement: Statement, say: detail.Say) -> list[dict[str, Any]] | None:
    """Sales − factory cost − tax − logistics = profit (+ adjustment, + loss carried in)
    = profit to share, then the shares; None unless the parts give the frozen figures."""
    breakdown = detail.profit_breakdown(statement)
    if breakdown is None:
        return None
    figures = statement.figures or {}

    def row(key: str, value: Any, sign: str = "", strong: bool = False) -> dict[str, Any]:
        ratio = percent_text(figures.get("agency_ratio"))
        label = say(PROFIT_ROWS[key]).format(ratio=ratio)
        return {"sign": sign, "label": label, "value": money_text(value), "strong": strong}

    month = breakdown.month
    rows = [
        row("sales", month.sales),
        row("factory_cost", month.factory_cost, "−"),
        row("tax", month.tax, "−"),
        row("logistics", month.logistics, "−"),
        row("month_profit", month.profit, "="),
    ]
    for key in ("adjustment_profit", "carried_in"):
        if Decimal(str(figures.get(key) or 0)):
            rows.append(row(key, figures[key], "+"))
    if len(rows) > 5:
        rows.append(row("profit", figures.get("profit"), "="))
    rows.append(row("agency_share", figures.get("agency_share"), strong=True))
    rows.append(row("brand_share", figures.get("brand_share")))
    return rows


def _penalty(breakdown: detail.PenaltyBreakdown | None, say: detail.Say) -> dict[str, Any] | None:
    if breakdown is None:
        return None
    return {
        "title": say(PENALTY_TITLE),
        "columns": [say(column) for column in PENALTY_COLUMNS],
        "spans": [
            {
                "period": say(SPAN_PERIOD).format(
                    start=span.start.isoformat(), end=span.end.isoformat()
                ),
                "days": span.days,
                "principal": money_text(span.principal),
                "rate": percent_text(span.rate),
                "amount": f"¥{documents.format_exact(span.amount)}",
            }
            for span in breakdown.spans
        ],
        "no_spans": say(NO_SPANS),
        "total_label": say(SPANS_TOTAL),
        "exact_total": f"¥{documents.format_exact(breakdown.exact_total)}",
        "penalty_to_date": money_text(breakdown.penalty_to_date),
        "payments_title": say(PAYMENTS_TITLE),
        "payments": [
            {"paid_on": p.paid_on.isoformat(), "amount": money_text(p.amount)}
            for p in breakdown.payments
        ],
        "no_payments": say(NO_PAYMENTS),
        "equation": [
            ("", say(PENALTY_TO_DATE), money_text(breakdown.penalty_to_date)),
            ("−", say(ALREADY_BILLED), money_text(breakdown.already_billed)),
            ("−", say(WAIVED), money_text(breakdown.waived)),
            ("=", say(THIS_NOTICE), money_text(breakdown.this_notice)),
        ],
    }


def statement_explanation(statement: Statement, *, zh: bool) -> dict[str, Any]:
    """The context of ``portal/_statement_explain.html`` for one statement."""

    def say(texts: tuple[str, str]) -> str:
        return detail.pick(texts, zh)

    late = detail.late_issue_note(statement)
    breakdown = detail.penalty_breakdown(statement)
    accrual = detail.penalty_accrual_note(statement, breakdown)
    # A void version's sale lines went on to its correction: it has no detail to give.
    has_detail = (
        statement.kind == Statement.Kind.MONTHLY and statement.status != Statement.Status.VOID
    )
    return {
        "title": say(TITLE),
        "late_issue": say(late) if late else "",
        "profit_title": say(PROFIT_TITLE),
        "profit": _profit(statement, say),
        "penalty": _penalty(breakdown, say),
        "accrual": say(accrual) if accrual else "",
        "detail_url": reverse("portal:statement_detail", args=[statement.pk]) if has_detail else "",
        "detail_link": say(DETAIL_LINK),
        "detail_note": say(DETAIL_NOTE_B2B if detail.is_b2b(statement) else DETAIL_NOTE),
        "clause": say(detail.PENALTY_CLAUSE_KEPT),
    }
