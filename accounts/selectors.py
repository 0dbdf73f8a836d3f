"""Scoping: every read of business data goes through these so nobody sees too much.

A superuser sees everything; agency staff see the brands their agency serves and all
of those brands' data; a brand user sees only their own brand. Anybody else sees
nothing.
"""

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from accounts.models import Organization, User

M = TypeVar("M", bound=Model)


def scope_for_user(*, queryset: "QuerySet[M]", user: User, brand_path: str) -> "QuerySet[M]":
    """Limit ``queryset`` to what ``user`` may see; ``brand_path`` leads to the brand."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.is_agency_staff:
        return queryset.filter(**{f"{brand_path}__agency_id": user.organization_id})
    if user.is_brand_user:
        return queryset.filter(**{f"{brand_path}_id": user.organization_id})
    return queryset.none()


def organizations_for_user(*, user: User) -> "QuerySet[Organization]":
    """Organizations visible to ``user``: their own, and for agency staff their brands."""
    queryset = Organization.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.is_agency_staff:
        return queryset.filter(Q(pk=user.organization_id) | Q(agency_id=user.organization_id))
    if user.is_brand_user:
        return queryset.filter(pk=user.organization_id)
    return queryset.none()


def users_for_user(*, user: User) -> "QuerySet[User]":
    """Users visible to ``user``: those of the organizations they may see."""
    queryset = User.objects.all()
    if getattr(user, "is_superuser", False):
        return queryset
    return queryset.filter(organization__in=organizations_for_user(user=user))
