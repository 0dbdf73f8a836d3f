"""obligations/ and breach-notices/."""

from typing import Any

ROUTES: list[tuple[str, Any, str]] = []
