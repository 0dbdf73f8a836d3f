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
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.messages import AMOUNT_FORMAT, DATE_RANGE, PERIOD_INVALID, PERIOD_RANGE
from core.periods import EARLIEST_DAY, FIRST_YEAR, LAST_YEAR, LATEST_DAY, Period, PeriodOutOfRange

TRUE_OR_FALSE = "应为 true 或 false / must be true or false"

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

_char_to_internal_value = serializers.CharField.to_internal_value


def _text_only(field: serializers.CharField, data: Any) -> str:
    """Text fields take text: DRF would turn a JSON number into a string ("0"), so a body
    the schema calls wrong would pass. A form field is always text, so forms still work."""
    if not isinstance(data, str):
        field.fail("invalid")
    return _char_to_internal_value(field, data)  # type: ignore[no-any-return]


# Every CharField of the API (and its kin: e-mail, URL, slug, periods), set here likewise.
serializers.CharField.to_internal_value = _text_only  # type: ignore[method-assign]

_bool_to_internal_value = serializers.BooleanField.to_internal_value


def _true_or_false(field: serializers.BooleanField, data: Any) -> bool:
    """A boolean is JSON true or false, or the text "true" / "false" of a form; DRF would
    also read 0, 1, "yes", "on" and more."""
    if isinstance(data, str) and data.strip().lower() in ("true", "false"):
        return data.strip().lower() == "true"
    if not isinstance(data, bool):
        field.fail("invalid", input=data)
    return _bool_to_internal_value(field, data)  # type: ignore[no-any-return]


serializers.BooleanField.to_internal_value = _true_or_false  # type: ignore[method-assign]


class NullOnOutput:
    """Mixin for a field every request must give that a response may show empty, as
    null: a superuser's ``role`` and ``organization`` (superusers have neither). The
    schema marks it nullable in responses only (``common.api.schema``)."""

    def to_representation(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        return super().to_representation(value)  # type: ignore[misc]


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


@extend_schema_field({"type": "integer", "minimum": 1})
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


class TrueFalseField(forms.Field):
    """``true`` or ``false`` (also ``1``/``0``); empty is no filter; anything else is bad
    input (Django's NullBooleanField reads every unknown word as "no filter")."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def clean(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.strip().lower() in self.VALUES:
            return self.VALUES[value.strip().lower()]
        raise forms.ValidationError(TRUE_OR_FALSE)


class TrueFalseFilter(filters.BooleanFilter):
    """``?revoked=true``: true or false, else 400."""

    field_class = TrueFalseField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The REST framework BooleanFilter's widget reads every unknown word as None.
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


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
