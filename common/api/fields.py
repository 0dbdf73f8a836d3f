"""Serializer fields and filters every app's API uses: money, rates, months, days and ids.

Input is read strictly: amounts in ASCII digits with at most one point (no "1_000", no
full-width "１２３", no "1e2"), days from 2000-01-01 to 2100-12-31 (every DateField of
the API, see ``day_in_range``), months from 2000-01 to 2100-12.
"""

import re
from datetime import date
from typing import Any

from django import forms
from django_filters import rest_framework as filters
from rest_framework import serializers

from core.messages import AMOUNT_FORMAT, DATE_RANGE, PERIOD_INVALID, PERIOD_RANGE
from core.periods import EARLIEST_DAY, FIRST_YEAR, LAST_YEAR, LATEST_DAY, Period, PeriodOutOfRange

MAX_ID = 2**63 - 1  # what a BigAutoField holds; beyond it an id is bad input, not a 500


def id_value(value: Any) -> int | None:
    """A positive integer id from JSON or form input, or None (bools are not ids)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())  # isascii: "²" and "١" are digits int() refuses
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


_SURROGATES = re.compile("[\ud800-\udfff]")
# What a decimal looks like as text: an optional sign, ASCII digits, at most one point.
# (Python's Decimal also takes "1_000", "１２３", "1e2", " NaN" and "Infinity".)
DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def text_is_storable(text: str) -> bool:
    """Whether a text column can hold ``text``: no NUL character, no lone surrogate.

    PostgreSQL refuses both (and JSON encodes a lone surrogate it cannot decode).
    """
    return "\x00" not in text and _SURROGATES.search(text) is None


def day_in_range(value: date) -> None:
    """Refuse a day before 2000-01-01 or after 2100-12-31 (a typo, never a real date)."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise serializers.ValidationError(DATE_RANGE.format(first=EARLIEST_DAY, last=LATEST_DAY))


# Every DateField of the API (declared, or made by a ModelSerializer) checks the range,
# unless it is given validators of its own. Set here, where every app's API imports its
# fields from, so no serializer can forget it.
serializers.DateField.default_validators = [day_in_range]


class StrictDecimalField(serializers.DecimalField):
    """A DecimalField that reads text strictly: sign, ASCII digits, one point."""

    default_error_messages = {"format": AMOUNT_FORMAT}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and DECIMAL_TEXT.fullmatch(data.strip()) is None:
            self.fail("format")
        return super().to_internal_value(data)


class MoneyField(StrictDecimalField):
    """CNY as a string with exactly two decimals ("2793.00")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


class RateField(StrictDecimalField):
    """A rate or fraction as a decimal string ("0.003")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 8)
        kwargs.setdefault("decimal_places", 5)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        return text.rstrip("0").rstrip(".") if "." in text else text


class PeriodField(serializers.CharField):
    """A calendar month, YYYY-MM."""

    default_error_messages = {
        "invalid_period": PERIOD_INVALID,
        "period_range": PERIOD_RANGE.format(
            first=Period(FIRST_YEAR, 1), last=Period(LAST_YEAR, 12)
        ),
    }

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return str(Period.parse(text))
        except PeriodOutOfRange:
            self.fail("period_range")
            raise  # unreachable: fail() raises
        except ValueError:
            self.fail("invalid_period")
            raise  # unreachable: fail() raises


class IdFilter(filters.Filter):
    """``?agreement=3``: a whole number within an id's range, else 400 (never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdField(serializers.IntegerField):
    """A related object's id, looked up in the caller's scope by the view (404 if not)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class PeriodFormField(forms.CharField):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in (None, ""):
            return value
        try:
            return Period.parse(value)
        except ValueError as error:
            raise forms.ValidationError(PERIOD_INVALID) from error


class PeriodFilter(filters.Filter):
    """``?period=2026-08``; a malformed month is 400 with the period message."""

    field_class = PeriodFormField

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: str(value)})
