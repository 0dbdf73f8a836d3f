"""Money rules: rounding, shares, commission, installments, prorating and penalties.

Pure Python (no Django): ``Decimal``, ``date`` and frozen dataclasses in, ``Decimal`` out.
All money is CNY with two decimal places, rounded half-up (四舍五入) by ``quantize_money``
and only where a figure is billed: a share, the commission sum, each installment, a
prorated fee, a penalty. Intermediate figures (line profits, outstanding principal, the
penalty sum) stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

FLOAT_NOT_MONEY = "Money is never a float: pass a Decimal, int or str (got {value!r})."
NOT_AN_AMOUNT = "Not an amount of money: {value!r}."
AMOUNT_NOT_FINITE = "An amount of money must be a finite number (got {value})."
SHARE_RATIO_OUT_OF_RANGE = "A share ratio must be between 0 and 1 (got {ratio})."
INSTALLMENTS_NOT_100 = "Installments must add up to 100% (got {total}%)."
INSTALLMENT_PERCENT_NEGATIVE = "An installment percentage cannot be negative (got {percent}%)."
INSTALLMENT_TOTAL_NEGATIVE = (
    "The total to split into installments cannot be negative (got {total})."
)
PRORATE_DAYS_OUT_OF_RANGE = (
    "Prorated days must be between 0 and the days in the period ({days} of {days_in_period})."
)
PAYMENT_AMOUNT_NOT_POSITIVE = "A payment amount must be greater than zero (got {amount})."
PRINCIPAL_NEGATIVE = "A principal cannot be negative (got {principal})."
PENALTY_RATE_NEGATIVE = "A penalty rate cannot be negative (got {rate})."
AMOUNT_TOO_LARGE_FOR_CAPITALS = "Amount too large to write in Chinese capitals (got {amount})."

VAT_RATE_NOT_ALLOWED = "A VAT rate must be one of 0.06, 0.03, 0.01 or 0 (got {rate})."
TOTAL_NEGATIVE = "A total cannot be negative (got {total})."

# The VAT rates an agency's invoice may carry: 6% (modern services, general taxpayer),
# 3% or 1% (small-scale taxpayer) and 0.
VAT_RATES = (Decimal("0.06"), Decimal("0.03"), Decimal("0.01"), Decimal("0"))

# Enough digits that products of amounts, rates and day counts are exact.
_EXACT_PRECISION = 60


@dataclass(frozen=True)
class VatSplit:
    """A total with tax (价税合计) split for the invoice: ``without_tax + tax == total``."""

    rate: Decimal
    without_tax: Decimal
    tax: Decimal
    total: Decimal


def vat_split(*, total: Decimal, rate: Decimal) -> VatSplit:
    """Split a total that includes VAT: without tax = total ÷ (1 + rate) rounded half-up,
    tax = total − without tax. The split never changes the total.

    >>> vat_split(total=Decimal("2793.00"), rate=Decimal("0.06"))
    VatSplit(rate=Decimal('0.06'), without_tax=Decimal('2634.91'), tax=Decimal('158.09'), total=Decimal('2793.00'))
    """
    amount = to_money(total)
    if amount < 0:
        raise ValueError(TOTAL_NEGATIVE.format(total=amount))
    vat = Decimal(rate)
    if vat not in VAT_RATES:
        raise ValueError(VAT_RATE_NOT_ALLOWED.format(rate=rate))
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        without_tax = quantize_money(amount / (1 + vat))
    return VatSplit(rate=vat, without_tax=without_tax, tax=amount - without_tax, total=amount)


def quantize_money(value: Decimal) -> Decimal:
    """Round an amount half-up (四舍五入) to 0.01; ints are accepted, floats refused.

    This is the one place money is rounded. ``Decimal("2.345")`` becomes ``2.35`` and
    ``Decimal("-2.345")`` becomes ``-2.35`` (half away from zero).
    """
    if isinstance(value, float):
        raise TypeError(FLOAT_NOT_MONEY.format(value=value))
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(NOT_AN_AMOUNT.format(value=value))
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(AMOUNT_NOT_FINITE.format(value=amount))
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse a Decimal, int or string such as ``"2793"`` into an amount rounded to 0.01."""
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(NOT_AN_AMOUNT.format(value=value)) from None
        return quantize_money(parsed)
    if isinstance(value, bool):
        raise TypeError(NOT_AN_AMOUNT.format(value=value))
    if isinstance(value, int):
        return quantize_money(Decimal(value))
    return quantize_money(value)


@dataclass(frozen=True)
class ProfitSplit:
    """A month's profit and the two shares of it; the shares add up to the profit exactly."""

    profit: Decimal
    agency_share: Decimal
    brand_share: Decimal


def split_profit(*, profit: Decimal, agency_ratio: Decimal) -> ProfitSplit:
    """Split a month's profit between agency and brand.

    ``profit`` is the month's line profits plus any loss carried forward; it is brought to
    0.01 first (a no-op for sums of cent amounts). The agency share is
    ``profit × agency_ratio`` rounded half-up to 0.01; the brand share is the profit minus
    the agency share, unrounded, so the two add up exactly. A profit of zero or less owes
    nothing: both shares are 0.00 and the caller carries the whole profit forward.
    """
    if not Decimal(0) <= agency_ratio <= Decimal(1):
        raise ValueError(SHARE_RATIO_OUT_OF_RANGE.format(ratio=agency_ratio))
    month_profit = quantize_money(profit)
    if month_profit <= 0:
        return ProfitSplit(profit=month_profit, agency_share=ZERO, brand_share=ZERO)
    agency_share = quantize_money(month_profit * agency_ratio)
    return ProfitSplit(
        profit=month_profit,
        agency_share=agency_share,
        brand_share=month_profit - agency_share,
    )


def line_profit(
    *, sale_amount: Decimal, factory_cost: Decimal, tax: Decimal, logistics: Decimal
) -> Decimal:
    """Profit of one sale line: sale amount − (factory cost + tax + logistics), unrounded.

    All four figures are line totals; a return has negative figures and so a negative
    profit.
    """
    return sale_amount - (factory_cost + tax + logistics)


@dataclass(frozen=True)
class CommissionLine:
    """One shipment line to a distributor: quantity and the unit prices valid on its date."""

    quantity: Decimal
    distributor_price: Decimal
    factory_price: Decimal


def commission_total(lines: Iterable[CommissionLine]) -> Decimal:
    """Sales commission: Σ (distributor price − factory price) × quantity over the lines.

    The sum is exact and rounded half-up to 0.01 once, at the end. Returns have a negative
    quantity, so the total may be negative; no lines give 0.00.
    """
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        total = sum(
            ((line.distributor_price - line.factory_price) * line.quantity for line in lines),
            start=Decimal(0),
        )
    return quantize_money(total)


def _plain(number: Decimal) -> str:
    """Write a percentage without trailing zeros or exponent: 90.00 → "90", 33.5 → "33.5"."""
    return format(number.normalize(), "f")


class InstallmentsNot100(ValueError):
    """Installment percentages that do not add up to exactly 100."""

    def __init__(self, total: Decimal) -> None:
        self.total = _plain(total)  # as the messages write it: 90.00 → "90"
        super().__init__(INSTALLMENTS_NOT_100.format(total=self.total))


def installments_check_100(percents: Iterable[Decimal]) -> None:
    """Refuse installment percentages that do not add up to exactly 100 (the one check:
    the contracts services and admin call it too)."""
    percent_total = sum(percents, start=Decimal(0))
    if percent_total != HUNDRED:
        raise InstallmentsNot100(percent_total)


def installment_amounts(*, total: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """Split a contract total into installments by percentage.

    Each installment but the last is ``total × percent / 100`` rounded half-up to 0.01; the
    last is the total minus the others, so the installments add up to the total exactly.
    The percentages must add up to exactly 100.
    """
    for percent in percents:
        if percent < 0:
            raise ValueError(INSTALLMENT_PERCENT_NEGATIVE.format(percent=_plain(percent)))
    installments_check_100(percents)
    contract_total = quantize_money(total)
    if contract_total < 0:
        raise ValueError(INSTALLMENT_TOTAL_NEGATIVE.format(total=contract_total))
    amounts = [quantize_money(contract_total * percent / HUNDRED) for percent in percents[:-1]]
    amounts.append(contract_total - sum(amounts, start=ZERO))
    return amounts


def prorate(*, amount: Decimal, days: int, days_in_period: int) -> Decimal:
    """Part of a monthly fee or minimum for ``days`` of ``days_in_period`` days.

    ``amount × days / days_in_period``, rounded half-up to 0.01 once.
    """
    if days_in_period < 1 or not 0 <= days <= days_in_period:
        raise ValueError(PRORATE_DAYS_OUT_OF_RANGE.format(days=days, days_in_period=days_in_period))
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        share = amount * days / days_in_period
    return quantize_money(share)


@dataclass(frozen=True)
class Payment:
    """A payment against one bill; it reduces the principal from the day after ``paid_on``."""

    paid_on: date
    amount: Decimal

    def __post_init__(self) -> None:
        """Refuse a payment of zero or less."""
        if not self.amount > 0:
            raise ValueError(PAYMENT_AMOUNT_NOT_POSITIVE.format(amount=self.amount))


def outstanding_at_start_of(
    *, principal: Decimal, payments: Iterable[Payment], day: date
) -> Decimal:
    """Principal still owed at the start of ``day``: principal − payments made before it.

    A payment made on ``day`` still counts as owed that day. Unrounded; it may go below
    zero if the payments exceed the principal.
    """
    paid = sum((payment.amount for payment in payments if payment.paid_on < day), start=Decimal(0))
    return principal - paid


def penalty_as_of(
    *,
    principal: Decimal,
    due_on: date,
    rate_per_day: Decimal,
    payments: Iterable[Payment],
    as_of: date,
) -> Decimal:
    """Late-payment penalty (违约金) on a bill as of a date, rounded half-up to 0.01 once.

    Definition: Σ over each calendar day d from ``due_on + 1`` to ``as_of`` of the principal
    outstanding at the start of d (never below zero) × ``rate_per_day``. Computed in closed
    form: a payment of X made on day p carries X × rate × (min(p, as_of) − due_on) days when
    positive, and what is still unpaid carries its amount × rate × (as_of − due_on) days.
    Payments are applied in date order and only up to the principal; payments after
    ``as_of`` are ignored. The penalty never compounds, is never negative, and stops
    growing once the principal is paid.
    """
    if principal < 0:
        raise ValueError(PRINCIPAL_NEGATIVE.format(principal=principal))
    if rate_per_day < 0:
        raise ValueError(PENALTY_RATE_NEGATIVE.format(rate=rate_per_day))
    if as_of <= due_on:
        return ZERO
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        unpaid = principal
        amount_days = Decimal(0)
        for payment in sorted(payments, key=lambda payment: payment.paid_on):
            if payment.paid_on > as_of or unpaid <= 0:
                break
            applied = min(payment.amount, unpaid)
            unpaid -= applied
            amount_days += applied * max(0, (payment.paid_on - due_on).days)
        amount_days += unpaid * (as_of - due_on).days
        penalty = amount_days * rate_per_day
    return quantize_money(penalty)


@dataclass(frozen=True)
class PenaltySpan:
    """A run of calendar days, ``start`` to ``end`` inclusive, with the same principal owed.

    ``amount`` = principal × rate × days, exact (unrounded): the spans of a penalty add up
    to its exact sum, which ``penalty_as_of`` rounds once.
    """

    start: date
    end: date
    days: int
    principal: Decimal
    rate: Decimal
    amount: Decimal


def penalty_spans(
    *,
    principal: Decimal,
    due_on: date,
    rate_per_day: Decimal,
    payments: Iterable[Payment],
    as_of: date,
) -> list[PenaltySpan]:
    """The days of ``penalty_as_of``'s sum as spans, one per principal owed, in date order.

    Same rule: days from ``due_on + 1`` to ``as_of``; payments applied in date order and
    only up to the principal (those on or before the due date first, so no day carries
    them); a payment reduces the principal from the day after it is made; payments after
    ``as_of`` are ignored; days with nothing owed make no span. Σ amounts rounded half-up
    once equals ``penalty_as_of`` with the same arguments.
    """
    if principal < 0:
        raise ValueError(PRINCIPAL_NEGATIVE.format(principal=principal))
    if rate_per_day < 0:
        raise ValueError(PENALTY_RATE_NEGATIVE.format(rate=rate_per_day))
    if as_of <= due_on:
        return []
    spans = []
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        # (last day a principal is owed, what is owed from the next day): a payment made
        # on day p still counts as owed on p; one on or before the due date on no day.
        unpaid = principal
        changes: list[tuple[date, Decimal]] = []
        for payment in sorted(payments, key=lambda payment: payment.paid_on):
            if payment.paid_on > as_of or unpaid <= 0:
                break
            unpaid -= min(payment.amount, unpaid)
            day = max(payment.paid_on, due_on)
            if changes and changes[-1][0] == day:
                changes.pop()
            changes.append((day, unpaid))
        owed, start = principal, due_on + timedelta(days=1)
        for last_day, owed_next in [*changes, (as_of, ZERO)]:
            if last_day >= start and owed > 0:
                days = (last_day - start).days + 1
                amount = owed * rate_per_day * days
                spans.append(PenaltySpan(start, last_day, days, owed, rate_per_day, amount))
            owed, start = owed_next, max(start, last_day + timedelta(days=1))
    return spans


def days_overdue(
    *, principal: Decimal, due_on: date, payments: Iterable[Payment], as_of: date
) -> int:
    """Calendar days past ``due_on`` as of a date, or 0 when nothing was owed at its start."""
    if outstanding_at_start_of(principal=principal, payments=payments, day=as_of) <= 0:
        return 0
    return max(0, (as_of - due_on).days)


def termination_right_held(
    *,
    principal: Decimal,
    due_on: date,
    payments: Iterable[Payment],
    as_of: date,
    overdue_days: int = 15,
) -> bool:
    """Whether a payment more than ``overdue_days`` days overdue gives a termination right.

    Held from the day ``due_on + overdue_days + 1`` while principal is still outstanding at
    the start of ``as_of``; it lapses the day after the principal is paid in full.
    """
    if as_of < due_on + timedelta(days=overdue_days + 1):
        return False
    return outstanding_at_start_of(principal=principal, payments=payments, day=as_of) > 0


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES_IN_GROUP = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("万亿", "亿", "万", "")
_CAPITALS_LIMIT = 10**16


def _group_in_capitals(group: int) -> str:
    """Write 1..9999 in capitals, with one 零 for each run of zeros between digits."""
    text = ""
    pending_zero = False
    for place, digit_char in zip(_PLACES_IN_GROUP, f"{group:04d}", strict=True):
        digit = int(digit_char)
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + place
    return text


def _integer_in_capitals(integer: int) -> str:
    """Write a positive whole number of yuan in capitals, without the 元."""
    text = ""
    pending_zero = False
    groups = [(integer // 10**12) % 10**4, (integer // 10**8) % 10**4, (integer // 10**4) % 10**4]
    groups.append(integer % 10**4)
    for unit, group in zip(_GROUP_UNITS, groups, strict=True):
        if group == 0:
            pending_zero = pending_zero or bool(text)
            continue
        # Zeros before this group's leading digit (a gap of whole groups, or a group below
        # 1000) are written as one 零; zeros that end a group and are followed by a
        # thousands digit are not (人民银行《支付结算办法》 allows either).
        if text and (pending_zero or group < 1000):
            text += "零"
        pending_zero = False
        text += _group_in_capitals(group) + unit
    return text


def amount_in_chinese_capitals(amount: Decimal) -> str:
    """Write an amount in Chinese financial capitals (大写), e.g. 133.34 → 壹佰叁拾叁元叁角肆分.

    The amount is first rounded half-up to 0.01. Rules: one 零 for a run of zeros inside
    the yuan part; 零 between 元 and 分 when 角 is zero and the yuan part is not; 整 when
    there are no 角 or 分; a negative amount starts with 负; zero is 零元整.
    """
    cents_total = int(quantize_money(amount) * 100)
    if abs(cents_total) >= _CAPITALS_LIMIT * 100:
        raise ValueError(AMOUNT_TOO_LARGE_FOR_CAPITALS.format(amount=amount))
    if cents_total == 0:
        return "零元整"
    sign = "负" if cents_total < 0 else ""
    yuan, cents = divmod(abs(cents_total), 100)
    jiao, fen = divmod(cents, 10)
    text = _integer_in_capitals(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return sign + text
