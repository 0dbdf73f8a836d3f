"""Scoping for shared code: what the signed-in user may see.

The rule of who sees what belongs to ``accounts`` (``User.scope`` and
``User.visible_organizations``); shared code reaches it through the user object, the way
Django's ``user.has_perm`` works, so ``common`` needs no import of that app.
"""

from typing import Any


def scoped(queryset: Any, user: Any, brand_path: str) -> Any:
    """``queryset`` limited to what ``user`` may see (nothing for anonymous callers)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return user.scope(queryset, brand_path=brand_path)
