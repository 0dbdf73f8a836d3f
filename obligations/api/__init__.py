"""obligations/ and breach-notices/ (ROUTES is registered by config/api_urls.py).

- ``breach-notices``: breach notices, their cure and PDF (``obligations.api.breach``).
"""

from typing import Any

from obligations.api.breach import BreachNoticeViewSet

ROUTES: list[tuple[str, Any, str]] = [  # (prefix, viewset, basename)
    ("breach-notices", BreachNoticeViewSet, "breach-notice"),
]
