"""Formatting for the client portal: money with ¥ and thousands separators, periods and
rates written for the active language.

Django's ``intcomma`` follows each locale's grouping, and ``zh-hans`` has none (and groups
by four), so money is formatted here, from ``Decimal``, the same way in both languages:
``¥9,310.00``.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import date_format

from core.money import to_money

register = template.Library()

NOT_SET = "—"


def money_text(value: Decimal | int | str | None) -> str:
    """``Decimal("9310")`` → ``"¥9,310.00"``; a negative amount → ``"-¥1,234.50"``."""
    if value is None or value == "":
        return NOT_SET
    try:
        amount = to_money(value)
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def number_text(value: Decimal | int | str | None, places: int = 0) -> str:
    """A count or a measure with thousands separators.

    ``places=0`` writes up to two decimals without trailing zeros (1234 → "1,234",
    2.50 → "2.5"); ``places=2`` always writes two (1234.5 → "1,234.50").
    """
    if value is None or value == "":
        return NOT_SET
    number = Decimal(str(value))
    if places:
        exponent = Decimal(1).scaleb(-places)
        return f"{number.quantize(exponent, rounding=ROUND_HALF_UP):,.{places}f}"
    text = f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".")


def percent_text(fraction: Decimal | str | None) -> str:
    """A stored fraction as a percentage: 0.015 → "1.5%", 0.003 → "0.3%"."""
    if fraction is None or fraction == "":
        return NOT_SET
    percent = (Decimal(str(fraction)) * 100).normalize()
    text = format(percent, "f") if percent else "0"
    return f"{text}%"


def period_date(period: str) -> date:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, 1)


def period_text(period: str | None) -> str:
    """ "2026-08" → "2026年8月" or "August 2026", per the active language."""
    if not period:
        return NOT_SET
    return date_format(period_date(period), "YEAR_MONTH_FORMAT")


@register.filter
def money(value: Decimal | int | str | None) -> str:
    return money_text(value)


@register.filter
def number(value: Decimal | int | str | None, places: int = 0) -> str:
    return number_text(value, places)


@register.filter
def percent(value: Decimal | str | None) -> str:
    return percent_text(value)


@register.filter
def period_label(value: str | None) -> str:
    return period_text(value)
