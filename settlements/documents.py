"""Statement documents: the snapshot frozen at issue, the HTML and the stored PDF.

One template, ``templates/settlements/pdf/statement.html``, lays out all four kinds of
statement (monthly 对账单, setup-fee bill, installment bill, penalty notice). This module
prepares every text the template shows (amounts, dates, labels), so the template holds
layout only and the figures are formatted in one place, from ``Decimal``, never float.

An issued statement is drawn from its ``snapshot`` (parties, bank account, penalty
terms as they were at issue); a draft is drawn from the live agreement and marked as a
preview. Rendering goes through ``settlements.pdf.render_pdf``.

A monthly statement's detail (its sale lines, a B2B month's KPIs) is a landscape appendix
page, unless the agency chose the XLSX only (``Organization.statement_detail``): then the
statement page names the XLSX file instead, and the appendix is not even computed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import Organization
from common.pdf import pdf_store_once
from contracts.models import Agreement
from core.money import amount_in_chinese_capitals, to_money
from settlements import detail, pdf
from settlements.calculations import MINIMUM_NAMES_EN, MINIMUM_NAMES_ZH
from settlements.models import Statement
from settlements.vat import statement_vat

STATEMENT_TEMPLATE = "settlements/pdf/statement.html"

DRAFT_HAS_NO_STORED_PDF = (
    "A draft statement has no stored PDF; render a preview with statement_pdf_bytes(). "
    "/ 草稿不保存 PDF，仅供预览。"
)

# (中文, English) per statement kind.
DOCUMENT_TITLES = {
    Statement.Kind.MONTHLY: ("对账单", "Reconciliation statement"),
    Statement.Kind.SETUP_FEE: ("启动费账单", "Setup fee bill"),
    Statement.Kind.INSTALLMENT: ("分期付款账单", "Installment bill"),
    Statement.Kind.PENALTY: ("违约金通知", "Penalty notice"),
}

AGREEMENT_KIND_LABELS = {
    Agreement.Kind.B2B_COMMISSION: "经销商招募佣金 / B2B distributor commission",
    Agreement.Kind.REVENUE_SHARE: "销售分成 / Revenue share",
    Agreement.Kind.CONSULTING_FIXED_FEE: "固定费用咨询 / Fixed-fee consulting",
}

PENALTY_TERMS = (
    "逾期付款按未付金额每日 {percent}% 计收违约金，自到期日次日起按自然日计算。"
    "/ Late payment: {percent}% of the unpaid amount per calendar day from the day after "
    "the due date."
)
NO_PENALTY_TERMS = "本账单不计逾期违约金。/ No late-payment penalty applies to this bill."
PENALTY_NOTICE_TERMS = (
    "违约金按原账单 {number} 未付本金每日 {percent}% 按自然日计算，不计复利；"
    "本通知金额为截至 {as_of} 的违约金减去此前通知已计金额。"
    "/ The penalty is {percent}% per calendar day of the unpaid principal of {number}, "
    "never compounded; this notice bills the penalty to {as_of} less what earlier "
    "notices billed."
)
RECEIPT_TERMS = (
    "请于回执截止日前确认或书面提出异议；逾期未回复的，视为于回执截止日确认。"
    "/ Please confirm or dispute in writing by the receipt deadline; silence until then "
    "counts as confirmation on that day."
)
# The parts of a revenue-share profit, shown under the sales total when they add up.
PROFIT_PARTS = (
    ("factory_cost", "减：出厂成本", "Less factory cost"),
    ("tax", "减：税费", "Less tax"),
    ("logistics", "减：物流费", "Less logistics"),
)
# The appendix lists at most this many sale lines (a long table renders at about 6 ms a
# line); the XLSX detail always has them all, and the totals count them all.
APPENDIX_MAX_LINES = 500
APPENDIX_CUT = (
    "本期共 {count} 行销售明细，此处列出前 {shown} 行；全部明细见 XLSX 明细 {filename}。",
    "This period has {count} sale lines; the first {shown} are listed here, all of them in "
    "the XLSX detail {filename}.",
)
# An agency that keeps the detail in the XLSX only (``Organization.statement_detail``):
# the statement page names the file instead of carrying the appendix page (which makes a
# PDF about 2–3 times slower to render).
DETAIL_IN_XLSX = (
    "本期销售明细共 {count} 行{kpis}，见 XLSX 明细 {filename}，可在品牌门户下载。",
    "This period's detail ({count} {lines}{kpis}) is in the XLSX {filename}, downloadable "
    "from the brand portal.",
)
DETAIL_IN_XLSX_KPIS = ("、KPI 指标", " and the KPIs")
DRAFT_MARK = "草稿 / DRAFT — 仅供预览 preview only"
VOID_MARK = "已作废 VOID"

NOT_SET = "—"
SET_AT_ISSUE = "出具时确定 / set at issue"
SET_AT_CONFIRMATION = "确认后确定 / set on confirmation"

# How a figure is written: money "9310.00" → "9,310.00"; a ratio 0.30 → "30%"; a percent
# "50.00" → "50%"; a flag; free text; a list of missed B2B minimums; a count of days.
MONEY = "money"
RATIO = "ratio"
PERCENT = "percent"
FLAG = "flag"
TEXT = "text"
MISSED = "missed"
DAYS = "days"
# When a figure is shown, if its key is present: always, only when not zero (optional
# parts such as a carried loss), or only when true.
ALWAYS, NONZERO, TRUE = "always", "nonzero", "true"


@dataclass(frozen=True)
class Figure:
    """One row of the figures box: which key of ``Statement.figures`` and how to show it."""

    key: str
    zh: str
    en: str
    format: str = MONEY
    show: str = ALWAYS
    strong: bool = False


# Figures of each kind of statement, in display order. Only keys present in
# ``Statement.figures`` are shown; money is stored as Decimal strings ("9310.00").
REVENUE_SHARE_FIGURES = (
    Figure("sales_total", "销售额合计", "Sales total"),
    Figure("month_profit", "本月收益", "Profit this month"),
    Figure("adjustment_profit", "以前期间调整", "Prior-period adjustment", show=NONZERO),
    Figure("carried_in", "上期结转亏损", "Loss carried in", show=NONZERO),
    Figure("profit", "可分配收益", "Profit to share"),
    Figure("agency_ratio", "乙方分成比例", "Agency ratio", RATIO),
    Figure("agency_share", "乙方分成", "Agency share", strong=True),
    Figure("brand_share", "甲方所得", "Brand share"),
    Figure("expenses_total", "营销推广费", "Marketing expenses", show=NONZERO),
    Figure("carry_forward", "结转下月亏损", "Loss carried forward", show=NONZERO),
)
B2B_FIGURES = (
    Figure("sales_total", "经销商销售额", "Distributor sales"),
    Figure("commission", "销售佣金", "Sales commission", strong=True),
    Figure("adjustment_commission", "以前期间佣金调整", "Prior-period commission", show=NONZERO),
    Figure("service_fee", "外包服务费", "Service fee", strong=True),
    Figure("fee_withheld", "服务费暂不支付", "Service fee withheld", FLAG, show=TRUE),
    Figure("missed", "未达最低指标", "Minimums missed", MISSED, show=NONZERO),
    Figure("waiver_reason", "甲方同意照付", "Withholding waived", TEXT, show=NONZERO),
    Figure("carried_in", "上期结转", "Carried in", show=NONZERO),
    Figure("carry_forward", "结转下期", "Carried forward", show=NONZERO),
)
INSTALLMENT_FIGURES = (
    Figure("total_fee", "服务费总额", "Total fee"),
    Figure("percent", "本期比例", "This installment", PERCENT),
)
PENALTY_FIGURES = (
    Figure("days_overdue", "逾期天数", "Days overdue", DAYS, show=NONZERO),
    Figure("penalty_to_date", "累计违约金", "Penalty to date"),
    Figure("waived", "已减免", "Waived", show=NONZERO),
    Figure("already_billed", "此前通知已计", "Billed before"),
)
# Keys a penalty notice may carry about its principal statement; the principal row is
# the fallback.
PRINCIPAL_NUMBER, PRINCIPAL_DUE_ON, PRINCIPAL_RATE = "principal_statement", "due_on", "rate"
PAYMENT_WINDOW_START = "payment_window_start"


@dataclass(frozen=True)
class Row:
    """A labelled value in one of the document's boxes."""

    zh: str
    en: str
    value: str
    strong: bool = False


# --- formatting --------------------------------------------------------------------------


def format_money(value: Decimal | int | str) -> str:
    """Write an amount with thousands separators and two places: "9310" → "9,310.00"."""
    return f"{to_money(value):,.2f}"


def format_percent(fraction: Decimal | int | str) -> str:
    """Write a fraction as a percentage without trailing zeros: 0.003 → "0.3"."""
    if isinstance(fraction, float):
        raise TypeError(f"A rate is never a float (got {fraction!r}).")
    percent = Decimal(fraction) * 100
    return format(percent.normalize(), "f") if percent else "0"


def _plain_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _period_text(period: str | None) -> str:
    """Write a period: "2026-08" → "2026年8月（2026-08-01 至 2026-08-31）"; none → "—"."""
    if not period:
        return NOT_SET
    year, month = (int(part) for part in period.split("-"))
    last = calendar.monthrange(year, month)[1]
    return f"{year}年{month}月（{year}-{month:02d}-01 至 {year}-{month:02d}-{last:02d}）"


def _is_zero(value: Any) -> bool:
    if isinstance(value, list | tuple | dict):
        return not value
    if isinstance(value, str) and not value.strip():
        return True
    try:
        return Decimal(str(value)) == 0
    except ArithmeticError:
        return False


def _figure_text(value: Any, kind: str) -> str:
    if kind == MONEY:
        return format_money(value)
    if kind == RATIO:
        return f"{format_percent(value)}%"
    if kind == PERCENT:
        return f"{_plain_decimal(Decimal(value))}%"
    if kind == FLAG:
        return "是 / Yes" if value else "否 / No"
    if kind == MISSED:
        names = [value] if isinstance(value, str) else list(value)
        zh = "、".join(MINIMUM_NAMES_ZH.get(name, name) for name in names)
        en = ", ".join(MINIMUM_NAMES_EN.get(name, name) for name in names)
        return f"{zh} / {en}"
    if kind == DAYS:
        return f"{value} 天 / days"
    return str(value)


def _rows(figures: dict[str, Any], table: tuple[Figure, ...]) -> list[Row]:
    """The rows of ``table`` whose keys are present (and non-zero or true if asked)."""
    rows = []
    for figure in table:
        value = figures.get(figure.key)
        if value is None:
            continue
        if figure.show == NONZERO and _is_zero(value):
            continue
        if figure.show == TRUE and value is not True:
            continue
        rows.append(Row(figure.zh, figure.en, _figure_text(value, figure.format), figure.strong))
    return rows


# --- snapshot ----------------------------------------------------------------------------


def penalty_terms_text(rate_per_day: Decimal) -> str:
    """The bilingual late-penalty sentence for a daily rate (a fraction, 0.003 = 0.3%)."""
    if not rate_per_day:
        return NO_PENALTY_TERMS
    return PENALTY_TERMS.format(percent=format_percent(rate_per_day))


def _party(organization: Any) -> dict[str, str]:
    return {
        "name": organization.name,
        "address": organization.address,
        "contact_email": organization.contact_email,
    }


def build_snapshot(
    agreement: Agreement, *, penalty_rate_per_day: Decimal | None = None
) -> dict[str, Any]:
    """Return the JSON-serialisable facts a statement freezes at issue.

    Parties, the payee bank account the agreement names (None when it names none) and
    the penalty terms. The terms sentence uses ``penalty_rate_per_day`` when given (a
    setup-fee bill has its own rate), else the agreement's rate. Dates are ISO strings.
    """
    rate = agreement.penalty_rate_per_day if penalty_rate_per_day is None else penalty_rate_per_day
    account = agreement.bank_account
    return {
        "agreement": {
            "number": agreement.number,
            "title": agreement.title,
            "kind": agreement.kind,
            "kind_label": AGREEMENT_KIND_LABELS.get(agreement.kind, agreement.kind),
            "signed_on": _iso(agreement.signed_on),
            "starts_on": _iso(agreement.starts_on),
            "ends_on": _iso(agreement.effective_ends_on),
            "penalty_rate_per_day": _plain_decimal(agreement.penalty_rate_per_day),
        },
        "brand": _party(agreement.brand),
        "agency": _party(agreement.agency),
        "bank_account": (
            {
                "bank_name": account.bank_name,
                "account_name": account.account_name,
                "account_number": account.account_number,
            }
            if account is not None
            else None
        ),
        "penalty_terms": penalty_terms_text(rate),
        # Where the detail goes (the agency's choice at issue): a PDF rendered again later
        # (a lost file) stays the document that was issued.
        "statement_detail": agreement.agency.statement_detail,
    }


# --- HTML ----------------------------------------------------------------------------------


def _date_rows(statement: Statement, is_draft: bool) -> list[Row]:
    missing = SET_AT_ISSUE if is_draft else NOT_SET
    payment_missing = SET_AT_CONFIRMATION if statement.receipt_due_on else missing
    rows = [
        Row("出具日期", "Issued on", _iso(statement.issued_on) or missing),
    ]
    if statement.receipt_due_on or statement.kind == Statement.Kind.MONTHLY:
        rows.append(Row("回执截止", "Receipt due", _iso(statement.receipt_due_on) or missing))
    window = (statement.figures or {}).get(PAYMENT_WINDOW_START)
    if window:
        rows.append(Row("付款起始日", "Payments from", _payment_window(statement, window)))
    rows.append(
        Row(
            "付款截止",
            "Payment due",
            _iso(statement.payment_due_on) or payment_missing,
            strong=True,
        )
    )
    return rows


def _payment_window(statement: Statement, window: Any) -> str:
    """The first day payments are expected: an ISO date, or a day of the month after the
    period (revenue share: the 15th)."""
    if isinstance(window, int) and not isinstance(window, bool) and statement.period:
        year, month = (int(part) for part in statement.period.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        window = date(year, month, min(window, calendar.monthrange(year, month)[1])).isoformat()
    return str(window)


def _figure_rows(
    statement: Statement, agreement_kind: str, breakdown: detail.ProfitBreakdown | None = None
) -> list[Row]:
    """The figures box of a monthly statement or an installment bill; with the parts of a
    revenue-share profit, sales − factory cost − tax − logistics = profit this month."""
    figures = dict(statement.figures or {})
    if statement.kind == Statement.Kind.INSTALLMENT:
        return _rows(figures, INSTALLMENT_FIGURES)
    if agreement_kind == Agreement.Kind.B2B_COMMISSION:
        return _rows(figures, B2B_FIGURES)
    if breakdown is not None:
        rows = _rows(figures, REVENUE_SHARE_FIGURES)
        parts = [
            Row(zh, en, format_money(getattr(breakdown.month, key))) for key, zh, en in PROFIT_PARTS
        ]
        return rows[:1] + parts + rows[1:]  # under the sales total
    if figures.get("month_profit") is not None and _is_zero(
        Decimal(str(figures["month_profit"])) - Decimal(str(figures.get("profit", 0)))
    ):
        del figures["month_profit"]  # the same as the profit to share: say it once
    return _rows(figures, REVENUE_SHARE_FIGURES)


def vat_rows(statement: Statement) -> list[Row]:
    """The VAT split of the total for the agency's invoice (``settlements.vat``)."""
    split = statement_vat(statement)
    percent = format_percent(split.rate)
    return [
        Row("不含税金额", "Net of tax", format_money(split.without_tax)),
        Row(f"税额（税率 {percent}%）", f"VAT ({percent}%)", format_money(split.tax)),
        Row("价税合计", "Amount incl. tax", format_money(split.total)),
    ]


def both(texts: tuple[str, str]) -> str:
    """A (中文, English) pair as the PDF writes it: "中文 / English"."""
    zh, en = texts
    return f"{zh}{'/ ' if zh.endswith(('。', '）')) else ' / '}{en}"


def format_exact(value: Decimal) -> str:
    """An exact amount with separators and at least two places: 1234.895 → "1,234.895"."""
    return f"{Decimal(detail.exact_text(value)):,f}"


def _penalty_table(breakdown: detail.PenaltyBreakdown | None) -> dict[str, Any] | None:
    if breakdown is None:
        return None
    return {
        "spans": [
            {
                "period": f"{span.start.isoformat()} 至 {span.end.isoformat()}",
                "days": span.days,
                "principal": format_money(span.principal),
                "rate": f"{format_percent(span.rate)}%",
                "amount": format_exact(span.amount),
            }
            for span in breakdown.spans
        ],
        "exact_total": format_exact(breakdown.exact_total),
        "payments": [
            {"paid_on": p.paid_on.isoformat(), "amount": format_money(p.amount)}
            for p in breakdown.payments
        ],
        "penalty_to_date": format_money(breakdown.penalty_to_date),
        "already_billed": format_money(breakdown.already_billed),
        "waived": format_money(breakdown.waived),
        "this_notice": format_money(breakdown.this_notice),
    }


def _has_detail(lines: list[detail.DetailLine], kpis: detail.KpiDetail | None) -> bool:
    """Whether a monthly statement has detail to show: sale lines or a B2B month's KPIs."""
    return bool(lines) or kpis is not None


def _detail_in_xlsx(statement: Statement) -> bool:
    """Whether the detail stays out of the PDF (XLSX only): as frozen at issue, else (a
    draft, or a statement issued before the choice existed) the agency's setting now."""
    chosen = (statement.snapshot or {}).get("statement_detail")
    if chosen is None:
        chosen = statement.agreement.agency.statement_detail
    return chosen == Organization.StatementDetail.XLSX


def _detail_note(statement: Statement, line_count: int, has_kpis: bool) -> str:
    """The statement page's pointer to the XLSX detail, in place of the appendix page."""
    zh, en = DETAIL_IN_XLSX
    kpis_zh, kpis_en = DETAIL_IN_XLSX_KPIS if has_kpis else ("", "")
    filename = detail.detail_filename(statement)
    return both(
        (
            zh.format(count=line_count, kpis=kpis_zh, filename=filename),
            en.format(
                count=line_count,
                lines="sale line" if line_count == 1 else "sale lines",
                kpis=kpis_en,
                filename=filename,
            ),
        )
    )


def _appendix(
    statement: Statement, lines: list[detail.DetailLine], kpis: detail.KpiDetail | None
) -> dict[str, Any] | None:
    """The detail page of a monthly statement, as rows of cell texts in the columns of
    ``detail.SALE_COLUMNS``: its sale lines (late sales marked) and a B2B month's KPIs."""
    if not _has_detail(lines, kpis):
        return None
    sums = ("amount", "factory_cost", "tax", "logistics")
    rows = [
        {
            "cells": [
                line.sold_on.isoformat(),
                f"{line.sku} {line.product}",
                " ".join(
                    filter(None, [both(detail.CHANNEL_NAMES[line.channel]), line.distributor])
                ),
                line.quantity,
                format_money(line.unit_price),
                *(format_money(getattr(line, name)) for name in sums),
                format_exact(line.result),
                line.external_ref,
            ],
            "adjustment": line.adjustment,
        }
        for line in lines[:APPENDIX_MAX_LINES]
    ]
    totals = [sum((getattr(line, name) for line in lines), start=Decimal(0)) for name in sums]
    result_total = sum((line.result for line in lines), start=Decimal(0))
    kpi_rows, prorated = detail.kpi_table(kpis, both) if kpis is not None else ([], "")
    return {
        "result_label": both(detail.COMMISSION if detail.is_b2b(statement) else detail.PROFIT),
        "rows": rows,
        "adjusted": any(line.adjustment for line in lines),
        "totals": [
            sum(line.quantity for line in lines),
            "",
            *(format_money(total) for total in totals),
            format_exact(result_total),
        ],
        "kpis": kpi_rows,
        "prorated": prorated,
        "cut": both(APPENDIX_CUT).format(
            count=len(lines), shown=len(rows), filename=detail.detail_filename(statement)
        )
        if len(rows) < len(lines)
        else "",
    }


@dataclass(frozen=True)
class _Principal:
    number: str
    due_on: str
    rate: Decimal


def _principal(statement: Statement) -> _Principal | None:
    """The statement a penalty notice bills the penalty of: its figures, else its row."""
    figures = statement.figures or {}
    principal = statement.penalty_of
    if principal is None and PRINCIPAL_NUMBER not in figures:
        return None
    number = figures.get(PRINCIPAL_NUMBER) or (principal.number if principal else NOT_SET)
    due_on = figures.get(PRINCIPAL_DUE_ON) or (
        _iso(principal.payment_due_on) if principal else None
    )
    rate = figures.get(PRINCIPAL_RATE)
    if rate not in (None, ""):
        rate = Decimal(str(rate))
    else:
        rate = principal.penalty_rate_per_day if principal else Decimal("0")
    return _Principal(number=number, due_on=due_on or NOT_SET, rate=rate)


def _penalty_rows(statement: Statement) -> list[Row]:
    principal = _principal(statement)
    rows = []
    if principal is not None:
        rows.append(Row("原账单编号", "Principal statement", principal.number))
        if statement.penalty_of is not None:
            rows.append(
                Row("原账单金额", "Principal", format_money(statement.penalty_of.total_due))
            )
        rows += [
            Row("原付款截止", "Principal due", principal.due_on),
            Row("日违约金率", "Daily rate", f"{format_percent(principal.rate)}%"),
        ]
    rows.append(Row("计至", "Penalty as of", _iso(statement.penalty_as_of) or NOT_SET))
    rows += _rows(statement.figures or {}, PENALTY_FIGURES)
    rows.append(Row("本通知金额", "This notice", format_money(statement.total_due), strong=True))
    return rows


def _terms(
    statement: Statement,
    snapshot: dict[str, Any],
    penalty_breakdown: detail.PenaltyBreakdown | None = None,
) -> list[str]:
    principal = _principal(statement) if statement.kind == Statement.Kind.PENALTY else None
    if principal is not None:
        paragraphs = [
            PENALTY_NOTICE_TERMS.format(
                number=principal.number,
                percent=format_percent(principal.rate),
                as_of=_iso(statement.penalty_as_of) or NOT_SET,
            )
        ]
    else:
        # The statement's own rate is what its penalty is computed with; the snapshot's
        # sentence describes the agreement's rate, which a setup-fee bill may not use.
        frozen = snapshot.get("penalty_terms") or ""
        agreement_rate = Decimal(snapshot.get("agreement", {}).get("penalty_rate_per_day") or 0)
        if frozen and agreement_rate == statement.penalty_rate_per_day:
            paragraphs = [frozen]
        else:
            paragraphs = [penalty_terms_text(statement.penalty_rate_per_day)]
    accrual = detail.penalty_accrual_note(statement, penalty_breakdown)
    if accrual is not None:
        paragraphs.append(both(accrual))
    paragraphs.append(both(detail.PENALTY_CLAUSE_KEPT))
    if statement.receipt_due_on or statement.kind == Statement.Kind.MONTHLY:
        paragraphs.append(RECEIPT_TERMS)
    return paragraphs


def statement_context(statement: Statement) -> dict[str, Any]:
    """Return everything ``statement.html`` shows, as ready-made text."""
    is_draft = statement.status == Statement.Status.DRAFT
    if is_draft or not statement.snapshot:
        snapshot = build_snapshot(
            statement.agreement, penalty_rate_per_day=statement.penalty_rate_per_day
        )
    else:
        snapshot = statement.snapshot
    title_zh, title_en = DOCUMENT_TITLES[Statement.Kind(statement.kind)]
    lines = list(statement.lines.all())
    lines_total = sum((line.amount for line in lines), start=Decimal("0"))
    is_void = statement.status == Statement.Status.VOID
    next_version = getattr(statement, "next_version", None) if is_void else None
    if next_version is not None and next_version.status == Statement.Status.DRAFT:
        next_version = None  # not issued yet: its number is no document the brand has
    agreement_kind = snapshot["agreement"]["kind"]
    penalty = detail.penalty_breakdown(statement)
    sale_lines = detail.detail_lines(statement)
    late_note = detail.late_issue_note(statement)
    appendix, detail_note = None, ""
    if statement.kind == Statement.Kind.MONTHLY:
        kpis = detail.kpi_rows(statement)
        if not _detail_in_xlsx(statement):
            appendix = _appendix(statement, sale_lines, kpis)
        elif _has_detail(sale_lines, kpis):
            detail_note = _detail_note(statement, len(sale_lines), kpis is not None)
    if statement.kind == Statement.Kind.PENALTY:
        figures_title = ("违约金计算", "Penalty calculation")
        figure_rows = _penalty_rows(statement)
    elif statement.kind == Statement.Kind.MONTHLY:
        figures_title = ("本期计算", "This period's figures")
        breakdown = detail.profit_breakdown(statement, sale_lines)
        figure_rows = _figure_rows(statement, agreement_kind, breakdown)
    elif statement.kind == Statement.Kind.INSTALLMENT:
        figures_title = ("分期说明", "Installment")
        figure_rows = _figure_rows(statement, agreement_kind)
    else:
        figures_title = ("", "")
        figure_rows = []
    return {
        "title_zh": title_zh,
        "title_en": title_en,
        "number": statement.number,
        "version": statement.version,
        "period_text": _period_text(statement.period),
        "installment_number": (
            statement.installment_number if statement.kind == Statement.Kind.INSTALLMENT else None
        ),
        "agreement": snapshot["agreement"],
        "brand": snapshot["brand"],
        "agency": snapshot["agency"],
        "bank_account": snapshot.get("bank_account"),
        "lines": [
            {
                "position": index,
                "description": line.description,
                "amount": format_money(line.amount),
            }
            for index, line in enumerate(lines, start=1)
        ],
        "lines_total": format_money(lines_total),
        "total_due": format_money(statement.total_due),
        "total_due_in_words": amount_in_chinese_capitals(statement.total_due),
        "vat_rows": vat_rows(statement),
        "figures_title": figures_title,
        "figure_rows": figure_rows,
        "date_rows": _date_rows(statement, is_draft),
        "calendar_note": statement.calendar_note,
        "late_issue_note": both(late_note) if late_note else "",
        "penalty": _penalty_table(penalty),
        "appendix": appendix,
        "detail_note": detail_note,
        "terms": _terms(statement, snapshot, penalty),
        "is_draft": is_draft,
        "draft_mark": DRAFT_MARK,
        "is_void": is_void,
        "void_mark": VOID_MARK,
        "void_reason": statement.void_reason,
        "voided_on": _iso(statement.voided_on),
        "replaced_by": next_version.number if next_version is not None else "",
    }


def statement_html(statement: Statement) -> str:
    """Render the statement's document as HTML, ready for ``pdf.render_pdf``."""
    return render_to_string(STATEMENT_TEMPLATE, statement_context(statement))


# --- PDF ---------------------------------------------------------------------------------


def _base_url() -> str:
    return Path(settings.BASE_DIR).as_uri() + "/"


def statement_pdf_bytes(statement: Statement) -> bytes:
    """Render the statement as PDF bytes (a draft gets the preview mark)."""
    return pdf.render_pdf(statement_html(statement), base_url=_base_url())


def statement_pdf_store(statement: Statement) -> bool:
    """Render and keep the PDF of an issued (or later) statement, once.

    Returns False without rendering when the statement already has a PDF file in
    storage, True when it rendered and stored one. Only the ``pdf`` column is written,
    so the other fields of an issued statement are never touched. Drafts raise
    ``ValueError``: they have preview bytes only.
    """
    if statement.status == Statement.Status.DRAFT:
        raise ValueError(DRAFT_HAS_NO_STORED_PDF)
    return pdf_store_once(statement, lambda: statement_pdf_bytes(statement))
