"""What every client-portal page shares: who may enter, the 403 page, the brand's scope.

Brand users (finance or viewer) work in the portal; agency staff and superusers work in
the admin and are sent there. Every portal view inherits ``BrandPortalMixin``, which
also gives the views the brand and a helper that scopes a queryset to it. Roles and the
scoping rule are read from the user (``User.is_brand_user``, ``User.scope``), whose
rules live in ``accounts``, so this shared module imports no app.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A day picker for the portal's forms (ISO value, the browser's own calendar).
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

ADMIN_URL = "/admin/"
NO_PORTAL_ACCESS = _(
    "This account has no access to the client portal. Please ask the agency to give it a "
    "brand role."
)
NOT_SET = "—"


def is_portal_user(user: Any) -> bool:
    """A brand finance or viewer user of a brand (superusers belong in the admin)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_superuser
        and user.is_brand_user
    )


def belongs_in_admin(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and not is_portal_user(user)
        and (user.is_staff or user.is_superuser)
    )


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The portal's 403 page, with a sentence saying why."""
    return render(request, "portal/403.html", {"message": message}, status=403)


def is_zh() -> bool:
    """Whether the page is being written in Chinese."""
    return (get_language() or "").startswith("zh")


def date_text(day: Any) -> str:
    """A date in the active language's DATE_FORMAT, or "—"."""
    return date_format(day, "DATE_FORMAT") if day else NOT_SET


def iso_date_text(text: str | None) -> str:
    """An ISO date as stored in event and flag details ("2026-09-10"), as ``date_text``."""
    if not text:
        return NOT_SET
    return date_text(date.fromisoformat(text))


class BrandPortalMixin(AccessMixin):
    """Only brand users: anonymous → the portal login, staff → the admin, others → 403."""

    login_url = reverse_lazy("portal:login")
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if belongs_in_admin(user):
            return HttpResponseRedirect(ADMIN_URL)
        if not is_portal_user(user):
            raise PermissionDenied(NO_PORTAL_ACCESS)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def portal_user(self) -> Any:
        """The signed-in brand user (an ``accounts.models.User``)."""
        return self.request.user

    def scoped(self, queryset: "QuerySet[Any]", brand_path: str) -> "QuerySet[Any]":
        """``queryset`` limited to this user's brand (``brand_path`` leads to the brand)."""
        return self.portal_user.scope(queryset, brand_path=brand_path)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["brand"] = self.portal_user.organization
        context["can_act"] = self.portal_user.is_brand_finance
        return context  # type: ignore[no-any-return]
