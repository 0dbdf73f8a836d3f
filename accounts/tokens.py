"""API tokens: issue (shown once), revoke, and authenticate ``Authorization: Token <key>``."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User
from common.events import event_record

# last_used_at is written at most this often, so a busy integration does not write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the only time the key exists in clear


def api_token_issue(*, user: User, by: Any, name: str = "") -> IssuedToken:
    """Make a new key for ``user``; only its hash is kept."""
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:8],
        key_hash=_hash(key),
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    event_record(action="api_token.issued", obj=token, actor=by, detail={"user": user.username})
    return IssuedToken(token=token, key=key)


def api_token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            action="api_token.revoked", obj=token, actor=by, detail={"user": token.user.username}
        )
    return token


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against ApiToken; unknown keys fall through to DRF's
    own tokens (``manage.py drf_create_token``), which answer 401 if those fail too."""

    def authenticate_credentials(self, key: str) -> Any:
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (token.user, token)
