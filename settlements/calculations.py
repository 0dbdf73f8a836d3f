"""Settlement calculations: monthly statements, one-off bills, deadlines and flags.

Pure Python (no Django): frozen dataclasses, ``Decimal`` and ``date`` in and out, built on
``core.money``, ``core.workdays`` and ``core.periods``. Money is rounded half-up to 0.01
only where a figure is billed (the commission sum, a prorated fee, a share, each
installment, a penalty notice), always through ``core.money``. Every statement's lines
add up exactly to its ``total_due``. Line descriptions are user-facing and bilingual,
"中文 / English", built from the templates below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.money import (
    ZERO,
    CommissionLine,
    commission_total,
    installment_amounts,
    line_profit,
    prorate,
    quantize_money,
    split_profit,
)
from core.periods import Period
from core.workdays import WorkCalendar
from kpis.evaluation import (  # noqa: F401  (re-exported: the B2B month takes an evaluation)
    MINIMUM_CARTONS,
    MINIMUM_DISTRIBUTORS,
    MINIMUM_NAMES_EN,
    MINIMUM_NAMES_ZH,
    MINIMUM_SALES_AMOUNT,
    MINIMUMS,
    PERIOD_OUTSIDE_AGREEMENT,
    WEB_TARGETS,
    B2BTargets,
    KpiEvaluation,
    KpiFigures,
    active_days,
    evaluate_b2b_kpis,
)

# --- rules in days (the templates' terms; an agreement's own terms override them) ---------

# Revenue share: the monthly statement is issued by this day of the following month.
ISSUE_BY_DAY = 10
# Revenue share: the brand confirms or disputes within this many working days of issue.
RECEIPT_WORKING_DAYS = 5
# Revenue share: payment is due no earlier than this day of the month after the period…
PAYMENT_DAY = 20
# …and no earlier than this many working days after confirmation.
PAYMENT_WORKING_DAYS = 3
# Revenue share: payments are expected from this day of the month after the period.
PAYMENT_WINDOW_START_DAY = 15
# Revenue share: the setup fee is due this many calendar days after signing (a day off
# moves it to the next working day).
SETUP_FEE_DUE_DAYS = 3
# After the brand's demand (催缴) the agency has this many calendar days to issue the
# statement; once they pass unissued the brand may terminate.
DEMAND_ISSUE_DAYS = 7
# A penalty notice is payable this many working days after it is issued (our default: the
# templates are silent). A notice carries no penalty of its own: penalties never compound.
PENALTY_NOTICE_WORKING_DAYS = 5

# --- error messages -----------------------------------------------------------------------

CARRIED_IN_POSITIVE = "A carried-in amount is a loss and cannot be positive (got {amount})."
EXPENSE_NEGATIVE = "An expense cannot be negative (got {amount}: {description})."
WAIVER_REASON_REQUIRED = "Waiving the withheld service fee needs a reason."
INSTALLMENT_DUE_FROM_UNKNOWN = (
    'An installment is due from "signing" or "end" (got {due_from!r} for installment {number}).'
)
DAY_OF_MONTH_OUT_OF_RANGE = "A day of the month must be between 1 and 31 (got {day})."
AMOUNT_NEGATIVE = "{name} cannot be negative (got {amount})."

# --- line descriptions ("中文 / English") ---------------------------------------------------

COMMISSION_DESCRIPTION = "销售佣金 / Sales commission"
ADJUSTMENT_COMMISSION_DESCRIPTION = (
    "以前期间调整：补记销售佣金 / Prior-period adjustment: sales commission on late sales"
)
SERVICE_FEE_ZH = "外包服务费"
SERVICE_FEE_EN = "Outsourcing service fee"
SERVICE_FEE_PRORATED_ZH = "外包服务费（按 {days}/{days_in_period} 天折算）"
SERVICE_FEE_PRORATED_EN = "Outsourcing service fee (prorated {days}/{days_in_period} days)"
SERVICE_FEE_DESCRIPTION = "{fee_zh}{separator}{fee_en}"
SERVICE_FEE_WAIVED_DESCRIPTION = (
    "{fee_zh}：未达最低指标（{missed_zh}），甲方同意照付，理由：{reason}"
    " / {fee_en}: minimums missed ({missed_en}), withholding waived by the brand: {reason}"
)
FEE_WITHHELD_DESCRIPTION = (
    "外包服务费暂不支付：未达最低指标（{missed_zh}）"
    "/ Service fee withheld: minimums missed ({missed_en})"
)
CARRIED_IN_DESCRIPTION = "上期结转 / Carried in from earlier months"
CARRIED_FORWARD_DESCRIPTION = (
    "本期净额为负，结转下期 {amount} / Negative net carried forward: {amount}"
)
ADJUSTMENT_SHARE_DESCRIPTION = (
    "以前期间补记销售的分成 {percent}%（收益 {profit}）"
    "/ Prior-period adjustment: share {percent}% of late sales' profit {profit}"
)
AGENCY_SHARE_DESCRIPTION = (
    "收益分成 {percent}%（收益 {profit}{notes_zh}）"
    "/ Agency share {percent}% of profit {profit}{notes_en}"
)
AGENCY_SHARE_ADJUSTMENT_NOTE_ZH = "，含以前期间调整 {amount}"
AGENCY_SHARE_ADJUSTMENT_NOTE_EN = ", including prior-period adjustment {amount}"
AGENCY_SHARE_CARRIED_IN_NOTE_ZH = "，含上期结转亏损 {amount}"
AGENCY_SHARE_CARRIED_IN_NOTE_EN = ", including loss carried in {amount}"
AGENCY_SHARE_LOSS_NOTE_ZH = "，亏损结转下月"
AGENCY_SHARE_LOSS_NOTE_EN = "; loss carried forward"
EXPENSE_DESCRIPTION = "营销推广费：{description} / Marketing expense: {description}"
EXPENSE_WITH_RECEIPT_DESCRIPTION = (
    "营销推广费：{description}（凭证 {receipt_ref}）"
    "/ Marketing expense: {description} (receipt {receipt_ref})"
)
INSTALLMENT_DESCRIPTION = (
    "第 {number} 期服务费（总费用 {total} 的 {percent}%）"
    "/ Installment {number}: {percent}% of the total fee {total}"
)
SETUP_FEE_DESCRIPTION = "网络销售平台开办费 / Sales platform setup fee"

# --- names --------------------------------------------------------------------------------

DUE_FROM_SIGNING = "signing"
DUE_FROM_END = "end"


class LineKind:
    """The kinds of statement line."""

    COMMISSION = "commission"
    SERVICE_FEE = "service_fee"
    FEE_WITHHELD = "fee_withheld"
    CARRIED_IN = "carried_in"
    CARRIED_FORWARD = "carried_forward"
    AGENCY_SHARE = "agency_share"
    EXPENSE = "expense"
    ADJUSTMENT = "adjustment"
    SETUP_FEE = "setup_fee"
    INSTALLMENT = "installment"
    PENALTY = "penalty"


@dataclass(frozen=True)
class Line:
    """One statement line: a ``LineKind``, a bilingual description and an amount (0.01)."""

    kind: str
    description: str
    amount: Decimal


def _separator_after(zh: str) -> str:
    """The "中文 / English" separator; a full-width bracket already carries its space."""
    return "/ " if zh.endswith("）") else " / "


def _money_text(amount: Decimal) -> str:
    """Write an amount with thousands separators and two places: 9310 → "9,310.00"."""
    return f"{quantize_money(amount):,.2f}"


def _percent_text(ratio: Decimal) -> str:
    """Write a fraction as a percentage without trailing zeros: 0.3 → "30", 0.335 → "33.5"."""
    return format((ratio * 100).normalize(), "f")


def _require_not_negative(name: str, amount: Decimal) -> None:
    if amount < 0:
        raise ValueError(AMOUNT_NEGATIVE.format(name=name, amount=amount))


def _require_carried_in(amount: Decimal) -> None:
    if amount > 0:
        raise ValueError(CARRIED_IN_POSITIVE.format(amount=amount))


# --- B2B month ----------------------------------------------------------------------------


@dataclass(frozen=True)
class B2BMonthResult:
    """A B2B month's statement figures.

    ``commission`` and ``adjustment_commission`` are each rounded once on their sum and may
    be negative. ``service_fee`` is the fee billed (0.00 when withheld). ``carry_forward`` is
    the negative net carried to the next month (0.00 unless the net is below zero).
    """

    lines: tuple[Line, ...]
    total_due: Decimal
    commission: Decimal
    adjustment_commission: Decimal
    service_fee: Decimal
    fee_withheld: bool
    carry_forward: Decimal


def _missed_names(missed: Sequence[str]) -> tuple[str, str]:
    zh = "、".join(MINIMUM_NAMES_ZH[name] for name in missed)
    en = ", ".join(MINIMUM_NAMES_EN[name] for name in missed)
    return zh, en


def settle_b2b_month(
    *,
    commission_lines: Sequence[CommissionLine],
    adjustment_lines: Sequence[CommissionLine] = (),
    monthly_service_fee: Decimal,
    period: Period,
    starts_on: date,
    ends_on: date,
    evaluation: KpiEvaluation,
    waived: bool = False,
    waiver_reason: str = "",
    carried_in: Decimal = ZERO,
) -> B2BMonthResult:
    """Settle a B2B month: commission, service fee, carried-in rest and carry-forward.

    - commission: ``commission_total`` of the month's lines, rounded once; its line is
      always present. Late sales of periods already issued get their own ADJUSTMENT line,
      rounded separately, only when there are any.
    - service fee: the monthly fee prorated by days (rounded once) in a partial month.
      Withheld (a FEE_WITHHELD line of 0.00 naming the missed minimums) when a minimum is
      missed, unless the brand waived the withholding with a reason. The commission is
      never affected.
    - carried_in (≤ 0): a negative rest from earlier months, as its own line when non-zero.
    - net = commission + adjustment + carried_in + fee. A negative net owes 0.00 and is
      carried forward whole; a CARRIED_FORWARD line of −net keeps the lines summing to 0.
    """
    _require_not_negative("A service fee", monthly_service_fee)
    _require_carried_in(carried_in)
    if waived and evaluation.missed and not waiver_reason.strip():
        raise ValueError(WAIVER_REASON_REQUIRED)
    days_in_period = period.days
    days_active = active_days(period=period, starts_on=starts_on, ends_on=ends_on)

    commission = commission_total(commission_lines)
    lines = [Line(LineKind.COMMISSION, COMMISSION_DESCRIPTION, commission)]
    adjustment = ZERO
    if adjustment_lines:
        adjustment = commission_total(adjustment_lines)
        lines.append(Line(LineKind.ADJUSTMENT, ADJUSTMENT_COMMISSION_DESCRIPTION, adjustment))

    fee = prorate(amount=monthly_service_fee, days=days_active, days_in_period=days_in_period)
    fee_zh, fee_en = SERVICE_FEE_ZH, SERVICE_FEE_EN
    if days_active < days_in_period:
        fee_zh = SERVICE_FEE_PRORATED_ZH.format(days=days_active, days_in_period=days_in_period)
        fee_en = SERVICE_FEE_PRORATED_EN.format(days=days_active, days_in_period=days_in_period)
    fee_description = SERVICE_FEE_DESCRIPTION.format(
        fee_zh=fee_zh, separator=_separator_after(fee_zh), fee_en=fee_en
    )
    withheld = bool(evaluation.missed) and not waived
    if evaluation.missed:
        missed_zh, missed_en = _missed_names(evaluation.missed)
        if withheld:
            fee = ZERO
            lines.append(
                Line(
                    LineKind.FEE_WITHHELD,
                    FEE_WITHHELD_DESCRIPTION.format(missed_zh=missed_zh, missed_en=missed_en),
                    ZERO,
                )
            )
        else:
            fee_description = SERVICE_FEE_WAIVED_DESCRIPTION.format(
                fee_zh=fee_zh,
                fee_en=fee_en,
                missed_zh=missed_zh,
                missed_en=missed_en,
                reason=waiver_reason.strip(),
            )
    if not withheld:
        lines.append(Line(LineKind.SERVICE_FEE, fee_description, fee))

    rest = quantize_money(carried_in)
    if rest != 0:
        lines.append(Line(LineKind.CARRIED_IN, CARRIED_IN_DESCRIPTION, rest))

    net = commission + adjustment + rest + fee
    carry_forward = ZERO
    total_due = net
    if net < 0:
        carry_forward = net
        total_due = ZERO
        lines.append(
            Line(
                LineKind.CARRIED_FORWARD,
                CARRIED_FORWARD_DESCRIPTION.format(amount=_money_text(net)),
                -net,
            )
        )
    return B2BMonthResult(
        lines=tuple(lines),
        total_due=total_due,
        commission=commission,
        adjustment_commission=adjustment,
        service_fee=fee,
        fee_withheld=withheld,
        carry_forward=carry_forward,
    )


# --- revenue share month ------------------------------------------------------------------


@dataclass(frozen=True)
class SaleFigures:
    """One sale line's totals; a return has negative values."""

    sale_amount: Decimal
    factory_cost: Decimal
    tax: Decimal
    logistics: Decimal


@dataclass(frozen=True)
class Expense:
    """An approved marketing expense (营销推广费) the agency paid for the brand."""

    description: str
    amount: Decimal
    receipt_ref: str = ""


@dataclass(frozen=True)
class RevenueShareResult:
    """A revenue-share month's statement figures.

    ``month_profit`` and ``adjustment_profit`` are exact sums of line profits (this
    period's sales and late sales of issued periods). ``profit`` is their sum plus
    ``carried_in`` (the accumulated loss, ≤ 0), brought to 0.01. ``agency_share`` is
    rounded half-up; ``brand_share`` = profit − agency share. ``carry_forward`` is the
    whole profit when it is ≤ 0, else 0.00. ``total_due`` = agency share + expenses.
    """

    lines: tuple[Line, ...]
    total_due: Decimal
    month_profit: Decimal
    adjustment_profit: Decimal
    carried_in: Decimal
    profit: Decimal
    agency_share: Decimal
    brand_share: Decimal
    carry_forward: Decimal
    expenses_total: Decimal


def _profit_of(sales: Sequence[SaleFigures]) -> Decimal:
    return sum(
        (
            line_profit(
                sale_amount=sale.sale_amount,
                factory_cost=sale.factory_cost,
                tax=sale.tax,
                logistics=sale.logistics,
            )
            for sale in sales
        ),
        start=Decimal(0),
    )


@dataclass(frozen=True)
class ProfitParts:
    """The sums a revenue-share profit is made of: sales − factory cost − tax − logistics.

    Exact sums of line totals (returns negative); ``profit`` equals the sum of the line
    profits ``settle_revenue_share_month`` settles.
    """

    sales: Decimal
    factory_cost: Decimal
    tax: Decimal
    logistics: Decimal
    profit: Decimal


def profit_parts(sales: Sequence[SaleFigures]) -> ProfitParts:
    """Sum sale lines into the parts of their profit, so a statement can show
    sales − factory cost − tax − logistics = profit (the same profit as ``_profit_of``)."""
    total = sum((sale.sale_amount for sale in sales), start=Decimal(0))
    factory_cost = sum((sale.factory_cost for sale in sales), start=Decimal(0))
    tax = sum((sale.tax for sale in sales), start=Decimal(0))
    logistics = sum((sale.logistics for sale in sales), start=Decimal(0))
    return ProfitParts(
        sales=total,
        factory_cost=factory_cost,
        tax=tax,
        logistics=logistics,
        profit=line_profit(
            sale_amount=total, factory_cost=factory_cost, tax=tax, logistics=logistics
        ),
    )


def settle_revenue_share_month(
    *,
    sales: Sequence[SaleFigures],
    adjustment_sales: Sequence[SaleFigures] = (),
    carried_in: Decimal = ZERO,
    agency_ratio: Decimal,
    expenses: Sequence[Expense] = (),
) -> RevenueShareResult:
    """Settle a revenue-share month: the agency's share of profit plus pass-through expenses.

    profit = Σ line profits of ``sales`` + Σ of ``adjustment_sales`` + ``carried_in``. A
    profit ≤ 0 owes no share and is carried forward whole (not the agency's part of it). A
    positive profit is split by ``core.money.split_profit`` (agency share rounded half-up,
    brand share the rest). The AGENCY_SHARE line is always present and names the profit,
    the ratio and any adjustment or carried-in loss; each expense is its own EXPENSE line
    and is billed even in a loss month.
    """
    _require_carried_in(carried_in)
    for expense in expenses:
        if expense.amount < 0:
            raise ValueError(
                EXPENSE_NEGATIVE.format(amount=expense.amount, description=expense.description)
            )
    month_profit = _profit_of(sales)
    adjustment_profit = _profit_of(adjustment_sales)
    split = split_profit(
        profit=month_profit + adjustment_profit + carried_in, agency_ratio=agency_ratio
    )
    carry_forward = split.profit if split.profit <= 0 else ZERO

    notes_zh = notes_en = ""
    if adjustment_profit != 0:
        amount = _money_text(adjustment_profit)
        notes_zh += AGENCY_SHARE_ADJUSTMENT_NOTE_ZH.format(amount=amount)
        notes_en += AGENCY_SHARE_ADJUSTMENT_NOTE_EN.format(amount=amount)
    if carried_in != 0:
        amount = _money_text(carried_in)
        notes_zh += AGENCY_SHARE_CARRIED_IN_NOTE_ZH.format(amount=amount)
        notes_en += AGENCY_SHARE_CARRIED_IN_NOTE_EN.format(amount=amount)
    if split.profit <= 0:
        notes_zh += AGENCY_SHARE_LOSS_NOTE_ZH
        notes_en += AGENCY_SHARE_LOSS_NOTE_EN
    # DOMAIN: late sales of an issued month go on this statement as a prior-period
    # adjustment line. The share is computed once on the whole profit (carry-forward and
    # rounding included); the adjustment line is the late sales' part of it, at most the
    # whole share, and the month's line the rest, so the two always add up exactly.
    adjustment_share = ZERO
    if adjustment_profit != 0 and split.agency_share > 0:
        adjustment_share = min(quantize_money(adjustment_profit * agency_ratio), split.agency_share)
    lines = [
        Line(
            LineKind.AGENCY_SHARE,
            AGENCY_SHARE_DESCRIPTION.format(
                percent=_percent_text(agency_ratio),
                profit=_money_text(split.profit),
                notes_zh=notes_zh,
                notes_en=notes_en,
            ),
            split.agency_share - adjustment_share,
        )
    ]
    if adjustment_share != 0:
        lines.append(
            Line(
                LineKind.ADJUSTMENT,
                ADJUSTMENT_SHARE_DESCRIPTION.format(
                    percent=_percent_text(agency_ratio), profit=_money_text(adjustment_profit)
                ),
                adjustment_share,
            )
        )
    for expense in expenses:
        template = EXPENSE_WITH_RECEIPT_DESCRIPTION if expense.receipt_ref else EXPENSE_DESCRIPTION
        lines.append(
            Line(
                LineKind.EXPENSE,
                template.format(description=expense.description, receipt_ref=expense.receipt_ref),
                quantize_money(expense.amount),
            )
        )
    expenses_total = sum(
        (line.amount for line in lines if line.kind == LineKind.EXPENSE), start=ZERO
    )
    return RevenueShareResult(
        lines=tuple(lines),
        total_due=split.agency_share + expenses_total,
        month_profit=month_profit,
        adjustment_profit=adjustment_profit,
        carried_in=carried_in,
        profit=split.profit,
        agency_share=split.agency_share,
        brand_share=split.brand_share,
        carry_forward=carry_forward,
        expenses_total=expenses_total,
    )


# --- one-off bills ------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentTerm:
    """One installment of a fixed fee: ``percent`` of the total, due ``working_days``
    working days after signing (``due_from="signing"``) or after the end (``"end"``)."""

    number: int
    percent: Decimal
    due_from: str
    working_days: int


@dataclass(frozen=True)
class InstallmentBill:
    """One installment bill: its amount, trigger date, due date and statement line."""

    number: int
    amount: Decimal
    due_from: str
    trigger_on: date
    due_on: date
    line: Line


def installment_bills(
    *,
    total_fee: Decimal,
    installments: Sequence[InstallmentTerm],
    signed_on: date,
    ends_on: date,
    calendar: WorkCalendar,
) -> tuple[InstallmentBill, ...]:
    """Bill a fixed fee in installments, in the order given.

    Amounts come from ``core.money.installment_amounts``: each rounded half-up, the last
    the total minus the others, percentages adding up to exactly 100. Each is due
    ``working_days`` working days after its trigger: ``signed_on``, or ``ends_on`` (the
    effective end, i.e. the termination date if earlier).
    """
    _require_not_negative("A total fee", total_fee)
    for term in installments:
        if term.due_from not in (DUE_FROM_SIGNING, DUE_FROM_END):
            raise ValueError(
                INSTALLMENT_DUE_FROM_UNKNOWN.format(due_from=term.due_from, number=term.number)
            )
    amounts = installment_amounts(total=total_fee, percents=[term.percent for term in installments])
    total_text = _money_text(total_fee)
    bills = []
    for term, amount in zip(installments, amounts, strict=True):
        trigger_on = signed_on if term.due_from == DUE_FROM_SIGNING else ends_on
        description = INSTALLMENT_DESCRIPTION.format(
            number=term.number, total=total_text, percent=_percent_text(term.percent / 100)
        )
        bills.append(
            InstallmentBill(
                number=term.number,
                amount=amount,
                due_from=term.due_from,
                trigger_on=trigger_on,
                due_on=calendar.add_working_days(trigger_on, term.working_days),
                line=Line(LineKind.INSTALLMENT, description, amount),
            )
        )
    return tuple(bills)


def setup_fee_bill(
    *,
    amount: Decimal,
    signed_on: date,
    due_days: int = SETUP_FEE_DUE_DAYS,
    calendar: WorkCalendar,
) -> tuple[date, Line]:
    """The setup fee's due date and line.

    Due ``due_days`` calendar days after signing, moved to the next working day if that
    is a day off. The amount is rounded half-up to 0.01.
    """
    _require_not_negative("A setup fee", amount)
    due_on = calendar.add_calendar_days_to_working_day(signed_on, due_days)
    return due_on, Line(LineKind.SETUP_FEE, SETUP_FEE_DESCRIPTION, quantize_money(amount))


# --- deadlines of monthly statements ------------------------------------------------------


@dataclass(frozen=True)
class ScheduleTerms:
    """Deadline terms of monthly statements; the defaults are the revenue-share ones.

    B2B defaults per DOMAIN: ``payment_day=None``, ``payment_working_days=5``.
    ``payment_window_start_day`` is informational (payments expected from that day).
    """

    issue_by_day: int = ISSUE_BY_DAY
    receipt_working_days: int = RECEIPT_WORKING_DAYS
    payment_day: int | None = PAYMENT_DAY
    payment_working_days: int = PAYMENT_WORKING_DAYS
    payment_window_start_day: int | None = PAYMENT_WINDOW_START_DAY


def _day_of_month(period: Period, day: int) -> date:
    """``day`` of ``period``, clamped to the month's last day (31 in February → 28/29)."""
    if not 1 <= day <= 31:
        raise ValueError(DAY_OF_MONTH_OUT_OF_RANGE.format(day=day))
    return date(period.year, period.month, min(day, period.days))


def issue_deadline(*, period: Period, terms: ScheduleTerms, calendar: WorkCalendar) -> date:
    """The day a statement of ``period`` must be issued by: ``issue_by_day`` of the next
    month, moved to the next working day if it is a day off."""
    return calendar.next_working_day(_day_of_month(period.next(), terms.issue_by_day))


def receipt_due_on(*, issued_on: date, terms: ScheduleTerms, calendar: WorkCalendar) -> date:
    """The receipt (回执) deadline: ``receipt_working_days`` working days after issue."""
    return calendar.add_working_days(issued_on, terms.receipt_working_days)


def payment_due_on(
    *, period: Period | None, confirmed_on: date, terms: ScheduleTerms, calendar: WorkCalendar
) -> date:
    """The payment deadline.

    The later of ``payment_day`` of the month after ``period`` (only when both are set)
    and ``payment_working_days`` working days after confirmation, moved to the next
    working day if it is a day off.
    """
    due_on = calendar.add_working_days(confirmed_on, terms.payment_working_days)
    if terms.payment_day is not None and period is not None:
        due_on = max(due_on, _day_of_month(period.next(), terms.payment_day))
    return calendar.next_working_day(due_on)


@dataclass(frozen=True)
class InvoiceFact:
    """An invoice that counts (not reversed): its date and its amount with tax."""

    issued_on: date
    amount: Decimal


def invoiced_in_full_on(*, total: Decimal, invoices: Sequence[InvoiceFact]) -> date | None:
    """The date of the invoice that brings the invoiced total up to ``total`` (invoices
    taken in date order); None while they add up to less. Nothing to invoice (a total of
    0) needs no invoice: None as well, since no date follows from one."""
    invoiced = ZERO
    for invoice in sorted(invoices, key=lambda i: i.issued_on):
        invoiced += invoice.amount
        if total > 0 and invoiced >= total:
            return invoice.issued_on
    return None


def payment_due_after_invoice(
    *,
    contract_due_on: date | None,
    total: Decimal,
    invoices: Sequence[InvoiceFact],
    invoice_before_payment: bool,
    invoice_payment_working_days: int,
    calendar: WorkCalendar,
) -> date | None:
    """The payment due date under the term ``invoice_before_payment`` (收到发票后付款).

    Without the term: the contract's due date, unchanged. With it: the later of the
    contract's due date and ``invoice_payment_working_days`` working days after the
    invoice that completes the total, moved to a working day; None (nothing is due, so
    nothing is overdue) until the invoices cover the total. No contract due date (a
    disputed statement) is no due date either way.
    """
    if contract_due_on is None or not invoice_before_payment or total <= 0:
        return contract_due_on
    full_on = invoiced_in_full_on(total=total, invoices=invoices)
    if full_on is None:
        return None
    after_invoice = calendar.add_working_days(full_on, invoice_payment_working_days)
    return calendar.next_working_day(max(contract_due_on, after_invoice))


def deemed_confirmed_on(
    *, receipt_due_on: date, confirmed_on: date | None, disputed: bool, as_of: date
) -> date | None:
    """The confirmation date as of ``as_of``.

    The real ``confirmed_on`` if there is one. Otherwise, unless disputed, silence until
    the receipt deadline counts as confirmation on ``receipt_due_on``, once ``as_of`` has
    reached it; before then, or when disputed, None.
    """
    if confirmed_on is not None:
        return confirmed_on
    if disputed or as_of < receipt_due_on:
        return None
    return receipt_due_on


# --- flags as of a date -------------------------------------------------------------------


def statement_late(*, issue_deadline: date, issued_on: date | None, as_of: date) -> bool:
    """Whether the statement is late as of ``as_of``: past the deadline and not issued."""
    issued = issued_on is not None and issued_on <= as_of
    return as_of > issue_deadline and not issued


def brand_termination_right(
    *,
    demand_on: date | None,
    issued_on: date | None,
    as_of: date,
    days: int = DEMAND_ISSUE_DAYS,
) -> bool:
    """Whether the brand holds a termination right for a statement issued too late.

    Held from ``demand_on + days + 1`` when a demand (催缴) was made and the statement was
    not issued by ``demand_on + days``. Issuing later does not take the right away.
    """
    if demand_on is None:
        return False
    last_day_in_time = demand_on + timedelta(days=days)
    if issued_on is not None and issued_on <= last_day_in_time:
        return False
    return as_of > last_day_in_time


def penalty_notice_amount(
    *, penalty_to_date: Decimal, already_billed: Decimal, waived: Decimal = ZERO
) -> Decimal:
    """What a new penalty notice (违约金通知) bills: penalty to date − billed − waived.

    Rounded half-up to 0.01; never below 0.00.
    """
    return max(ZERO, quantize_money(penalty_to_date - already_billed - waived))
