"""API permissions and pagination, kept apart from ``core.api`` because DRF imports
them while its views module loads (a settings-referenced class must not import views)."""

from typing import Any

from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination

FORBIDDEN_FOR_ROLE = "您的角色不能执行此操作 / your role may not do this"


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def is_agency_side(user: Any) -> bool:
    """Superusers and agency staff: the people who write business data."""
    return bool(getattr(user, "is_superuser", False) or getattr(user, "is_agency_staff", False))


class StaffWritesOthersRead(permissions.BasePermission):
    """Everyone in scope reads; only agency staff (and superusers) write."""

    message = FORBIDDEN_FOR_ROLE

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or is_agency_side(request.user)


class BrandFinanceOrStaff(permissions.BasePermission):
    """Actions the brand takes (confirm, dispute, waive, demand): brand finance or staff."""

    message = FORBIDDEN_FOR_ROLE

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (is_agency_side(user) or getattr(user, "is_brand_finance", False))
        )
