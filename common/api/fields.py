"""Serializer fields and filters every app's API uses: money, rates, months and ids."""

from typing import Any

from django import forms
from django_filters import rest_framework as filters
from rest_framework import serializers

from core.messages import PERIOD_INVALID
from core.periods import Period

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


class MoneyField(serializers.DecimalField):
    """CNY as a string with exactly two decimals ("2793.00")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


class RateField(serializers.DecimalField):
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

    default_error_messages = {"invalid_period": PERIOD_INVALID}

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return str(Period.parse(text))
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
