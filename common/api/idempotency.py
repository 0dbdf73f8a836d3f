"""``Idempotency-Key`` on creating POSTs: a repeat replays the stored answer."""

import hashlib
import json
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from common.models import IdempotencyRecord

IDEMPOTENCY_KEY_REUSED = "该 Idempotency-Key 已用于内容不同的请求 / this Idempotency-Key was used with a different request"


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
