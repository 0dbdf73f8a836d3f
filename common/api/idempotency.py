"""``Idempotency-Key`` on creating POSTs: a repeat replays the stored answer.

The first request with a key claims it: it commits an "in progress" record before the
view runs. A concurrent twin (same user, key and body) finds the claim, waits for it to
be answered and replays that answer, so the work is done once however many copies
arrive at the same moment. A view that fails (an exception or a 5xx) releases its claim,
so a retry runs again.
"""

import hashlib
import json
import logging
import time
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import JSONField, Value
from django.utils import timezone
from rest_framework.response import Response

from common.models import IdempotencyRecord

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_REUSED = "该 Idempotency-Key 已用于内容不同的请求 / this Idempotency-Key was used with a different request"
IDEMPOTENCY_KEY_BUSY = (
    "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试 "
    "/ a request with this Idempotency-Key is still being processed: retry later"
)

# How long a twin waits for the first request's answer before answering 409 (seconds),
# and after how long a claim nobody answered (a killed worker) may be taken over.
WAIT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=10)
_POLL_FIRST, _POLL_MAX = 0.02, 0.25
# Set on view methods that honour the header, so the schema can document it.
_MARK = "accepts_idempotency_key"


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


def _replay(stored: IdempotencyRecord) -> Response:
    response = Response(stored.body, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(user: Any, key: str, fingerprint: str) -> IdempotencyRecord | Response:
    """Claim ``key`` for this request (the record), or the answer to give instead.

    The answer is the stored one (a replay), 422 for another body, or 409 when the
    first request is still running after ``WAIT_SECONDS``.
    """
    wait = getattr(settings, "IDEMPOTENCY_WAIT_SECONDS", WAIT_SECONDS)
    deadline = time.monotonic() + wait
    pause = _POLL_FIRST
    while True:
        try:
            with transaction.atomic():  # committed at once unless a caller holds a transaction
                return IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    body={},
                    in_progress=True,
                )
        except IntegrityError:
            pass  # the key is taken: answered, or claimed by a twin still running
        stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if stored is None:
            continue  # the claim was released (its request failed): claim it now
        if stored.fingerprint != fingerprint:
            return Response({"detail": IDEMPOTENCY_KEY_REUSED}, status=422)
        if not stored.in_progress:
            return _replay(stored)
        if stored.created_at < timezone.now() - STALE_AFTER:
            # Nobody answered it for long (its worker died): take it over, once.
            taken = IdempotencyRecord.objects.filter(
                pk=stored.pk, in_progress=True, created_at=stored.created_at
            ).update(created_at=timezone.now())
            if taken:
                stored.refresh_from_db()
                return stored
            continue
        if time.monotonic() >= deadline:
            return Response({"detail": IDEMPOTENCY_KEY_BUSY}, status=409)
        time.sleep(pause)
        pause = min(pause * 2, _POLL_MAX)


def _release(claim: IdempotencyRecord) -> None:
    """Give the key back after a failure, so a retry runs the view again."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.filter(pk=claim.pk, in_progress=True).delete()
    except DatabaseError:  # a caller's transaction is broken: its rollback drops the claim
        logger.warning("could not release Idempotency-Key claim %s", claim.pk, exc_info=True)


def idempotent(view_method: Any) -> Any:
    """Honour an ``Idempotency-Key`` header on a POST that creates something.

    The same key with the same body replays the stored answer instead of acting twice,
    also when the copies arrive at once (the later ones wait for the first); the same
    key with a different body is refused (422). Keys are per user.
    """

    @wraps(view_method)
    def wrapper(self: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        claim = _claim(request.user, key[:200], _fingerprint(request))
        if isinstance(claim, Response):
            return claim
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            _release(claim)
            raise
        if response.status_code >= 500:
            _release(claim)
            return response
        body = json.loads(json.dumps(response.data, default=str))
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(pk=claim.pk).update(
                    status_code=response.status_code,
                    # No data (a 204) is JSON null, not SQL NULL.
                    body=Value(None, JSONField()) if body is None else body,
                    in_progress=False,
                )
        except DatabaseError:  # the work is done: answer it; a retry will run it again
            logger.warning("could not store the answer to claim %s", claim.pk, exc_info=True)
            _release(claim)
        return response

    setattr(wrapper, _MARK, True)
    return wrapper


def honours_idempotency_key(view_method: Any) -> Any:
    """Mark a view method that honours ``Idempotency-Key`` through a helper it calls
    (the schema documents the header and its 422 for it, as for ``@idempotent``)."""
    setattr(view_method, _MARK, True)
    return view_method


def accepts_idempotency_key(view_method: Any) -> bool:
    """Whether a view method honours ``Idempotency-Key`` (for the schema)."""
    return bool(getattr(view_method, _MARK, False))
