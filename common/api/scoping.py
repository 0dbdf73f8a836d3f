"""Scoped viewsets: a row outside the caller's scope answers 404, like a missing one."""

from typing import Any

from common.scoping import scoped


class ScopedViewSetMixin:
    """Limit the viewset's rows to the caller's scope, so other rows answer 404."""

    brand_path = "brand"

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        return scoped(queryset, self.request.user, self.brand_path)  # type: ignore[attr-defined]
