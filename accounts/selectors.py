"""Scoping: every read of business data goes through these so nobody sees too much.

A superuser sees everything; agency staff see the brands their agency serves and all
of those brands' data; a brand user sees only their own brand. Anybody else sees
nothing. The rule itself is ``User.scope`` / ``User.visible_organizations``; shared code
that may not import this app calls those through ``request.user``.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from accounts.models import Organization, User
from common.scoping import scoped

M = TypeVar("M", bound=Model)


def scope_for_user(*, queryset: "QuerySet[M]", user: Any, brand_path: str) -> "QuerySet[M]":
    """Limit ``queryset`` to what ``user`` may see; ``brand_path`` leads to the brand."""
    return scoped(queryset, user, brand_path)


def organizations_for_user(*, user: Any) -> "QuerySet[Organization]":
    """Organizations visible to ``user``: their own, and for agency staff their brands."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return user.visible_organizations()


def users_for_user(*, user: Any) -> "QuerySet[User]":
    """Users visible to ``user``: those of the organizations they may see."""
    queryset = User.objects.all()
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(organization__in=organizations_for_user(user=user))
