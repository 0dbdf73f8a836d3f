"""API permissions: everyone in scope reads, agency staff write, brand finance acts.

Settings reference these classes, and DRF imports them while its views module loads, so
this module imports nothing of the project but shared messages. Roles are read from the
user (``User.is_agency_side``, ``is_brand_finance``), whose rules live in ``accounts``.
"""

from typing import Any

from rest_framework import permissions

from core.messages import FORBIDDEN_FOR_ROLE


def is_agency_side(user: Any) -> bool:
    """Superusers and agency staff: the people who write business data."""
    return bool(getattr(user, "is_agency_side", False))


def _is_detail_route(view: Any) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


class StaffWritesOthersRead(permissions.BasePermission):
    """Everyone in scope reads; only agency staff (and superusers) write.

    On a detail route the role is checked against the object, after the scoped lookup,
    so another brand's object answers 404 for every method and never reveals itself
    with a 403.
    """

    message = FORBIDDEN_FOR_ROLE

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or is_agency_side(request.user):
            return True
        return _is_detail_route(view)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or is_agency_side(request.user)


class BrandFinanceOrStaff(permissions.BasePermission):
    """Actions the brand takes (confirm, dispute, waive, demand): brand finance or staff.

    Checked against the object on detail routes, so out-of-scope ids answer 404 first.
    """

    message = FORBIDDEN_FOR_ROLE

    def _allowed(self, user: Any) -> bool:
        return bool(is_agency_side(user) or getattr(user, "is_brand_finance", False))

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return self._allowed(user) or _is_detail_route(view)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return self._allowed(request.user)
