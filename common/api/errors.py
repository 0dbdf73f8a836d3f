"""Domain errors as API statuses: 400 for a broken rule, 409 for a forbidden state.

Out-of-scope objects are 404 (the scoped querysets see to that), bad input is 400 with
``{"field": ["message"]}``, and nothing a client sends is a 500.
"""

import traceback
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.api.parsers import MAX_DEPTH
from core.exceptions import DomainError, InvalidStateError, RuleViolation
from core.messages import BODY_TOO_LARGE, JSON_TOO_DEEP


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn domain errors into the API's statuses: 400 for rules, 409 for state.

    A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413 and too many form fields 400, in
    JSON, where Django alone would answer with an HTML error page.
    """
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": BODY_TOO_LARGE.format(max=limit)},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RecursionError) and _raised_parsing(exc):
        # A view with DRF's own JSONParser (not common.api.parsers) met JSON nested
        # past Python's recursion limit: bad input, as our parser would have said.
        return Response(
            {"detail": JSON_TOO_DEEP.format(max=MAX_DEPTH)}, status=status.HTTP_400_BAD_REQUEST
        )
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


def _raised_parsing(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a DRF parser read the request body."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(frame.filename.endswith("rest_framework/parsers.py") for frame in frames)
