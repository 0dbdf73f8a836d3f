"""bank-transactions/: the agency's bank credits, their import and their allocation."""

from typing import Any

ROUTES: list[tuple[str, Any, str]] = []
