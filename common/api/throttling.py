"""API throttles that count in the shared cache and fail open when it is down.

The counts live in the default cache (Redis in production, so every web worker shares
them). If the cache cannot be reached, a request is let through and the error logged:
a throttle is a guard against abuse, not a reason to answer 500 to everyone.
"""

import logging
from typing import Any

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


class _FailOpen:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc,no-any-return]
        except Exception:  # the cache backend's connection errors differ by backend
            logger.exception("API throttle: the cache is unreachable; letting the request in")
            return True


class SharedAnonRateThrottle(_FailOpen, AnonRateThrottle):
    pass


class SharedUserRateThrottle(_FailOpen, UserRateThrottle):
    pass
