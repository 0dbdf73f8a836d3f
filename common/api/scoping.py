"""Scoped viewsets: a row outside the caller's scope answers 404, like a missing one.

The rule of who sees what belongs to ``accounts`` (``User.scope``); it is reached
through ``request.user`` so this shared module needs no import of that app.
"""

from typing import Any


def scoped(queryset: Any, user: Any, brand_path: str) -> Any:
    """``queryset`` limited to what ``user`` may see (nothing for anonymous callers)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return user.scope(queryset, brand_path=brand_path)


class ScopedViewSetMixin:
    """Limit the viewset's rows to the caller's scope, so other rows answer 404."""

    brand_path = "brand"

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scoped(queryset, self.request.user, self.brand_path)  # type: ignore[attr-defined]
