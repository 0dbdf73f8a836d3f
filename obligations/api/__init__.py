"""obligations/ and breach-notices/ (ROUTES is registered by config/api_urls.py).

- ``obligations``: obligations and approvals, their status changes and files.
- ``breach-notices``: breach notices, their cure and PDF (``obligations.api.breach``).
"""

from typing import Any

from obligations.api.breach import BreachNoticeViewSet
from obligations.api.obligations import ObligationViewSet

ROUTES: list[tuple[str, Any, str]] = [  # (prefix, viewset, basename)
    ("obligations", ObligationViewSet, "obligation"),
    ("breach-notices", BreachNoticeViewSet, "breach-notice"),
]
