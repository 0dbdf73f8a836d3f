"""receivables/ and balance-confirmations/."""

from typing import Any

ROUTES: list[tuple[str, Any, str]] = []
