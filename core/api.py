"""Shared REST API machinery: error mapping, scoping, permissions, money, idempotency.

Every app's ``api.py`` builds on these so the conventions of ``shared/API.md`` hold
everywhere: out-of-scope objects are 404, a state the object forbids is 409, bad input is
400 with ``{"field": ["message"]}``, never a 500.
"""

import hashlib
import json
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django_filters import rest_framework as filters
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.selectors import scope_for_user
from core.api_access import (  # noqa: F401  (re-exported for the apps' api modules)
    FORBIDDEN_FOR_ROLE,
    BrandFinanceOrStaff,
    Pagination,
    StaffWritesOthersRead,
    is_agency_side,
)
from core.exceptions import DomainError, InvalidStateError, RuleViolation
from core.models import IdempotencyRecord
from core.periods import Period

IDEMPOTENCY_KEY_REUSED = "该 Idempotency-Key 已用于内容不同的请求 / this Idempotency-Key was used with a different request"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into the API's statuses: 400 for rules, 409 for state."""
    if isinstance(exc, RuleViolation):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidStateError | DomainError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Limit the viewset's rows to the caller's scope, so other rows answer 404."""

    brand_path = "brand"

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scope_for_user(queryset=queryset, user=self.request.user, brand_path=self.brand_path)  # type: ignore[attr-defined]


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

    default_error_messages = {"invalid_period": "期间格式为 YYYY-MM / a period is written YYYY-MM"}

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return str(Period.parse(text))
        except ValueError:
            self.fail("invalid_period")
            raise  # unreachable: fail() raises


def _fingerprint(request: Any) -> str:
    """What makes two requests "the same": method, path and body.

    A multipart upload is fingerprinted by its fields and file contents, not its raw
    bytes (clients choose a random boundary each time, and files may be large).
    """
    digest = hashlib.sha256(request.method.encode() + request.path.encode() + b"\0")
    if request.content_type.startswith("multipart/"):
        for name in sorted(request.data.keys()):
            for value in request.data.getlist(name):
                digest.update(name.encode() + b"=")
                if hasattr(value, "chunks"):
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
                digest.update(b"\0")
    else:
        digest.update(request._request.body)  # read before DRF parses; Django keeps a copy
    return digest.hexdigest()


def idempotent(view_method: Any) -> Any:
    """Honour an ``Idempotency-Key`` header on a POST that creates something.

    The same key with the same body replays the stored answer instead of acting twice;
    the same key with a different body is refused (422). Keys are per user.
    """

    @wraps(view_method)
    def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        fingerprint = _fingerprint(request)
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key[:200]).first()
        if stored is not None:
            if stored.fingerprint != fingerprint:
                return Response({"detail": IDEMPOTENCY_KEY_REUSED}, status=422)
            response = Response(stored.body, status=stored.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        response = view_method(self, request, *args, **kwargs)
        if response.status_code < 500:
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key[:200],
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=json.loads(json.dumps(response.data, default=str)),
                    )
            except IntegrityError:
                pass  # a concurrent twin stored it first; both answers are the same
        return response

    return wrapper


MAX_ID = 2**63 - 1  # what a BigAutoField holds; beyond it an id is bad input, not a 500


class IdFilter(filters.Filter):
    """``?agreement=3``: a whole number within an id's range, else 400 (never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
