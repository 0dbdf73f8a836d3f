"""Domain errors as API statuses: 400 for a broken rule, 409 for a forbidden state.

Out-of-scope objects are 404 (the scoped querysets see to that), bad input is 400 with
``{"field": ["message"]}``, and nothing a client sends is a 500.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import DomainError, InvalidStateError, RuleViolation


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
