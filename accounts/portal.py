"""Client portal: who may enter, and the login, logout and password pages.

Brand users (finance or viewer) work in the portal; agency staff and superusers work in
the admin and are sent there. Every portal page inherits ``BrandPortalMixin``, which
also gives the views the brand and a helper that scopes a queryset to it.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import scope_for_user

ADMIN_URL = "/admin/"
NO_PORTAL_ACCESS = _(
    "This account has no access to the client portal. Please ask the agency to give it a "
    "brand role."
)


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


def landing_url(user: Any) -> str:
    """Where a user goes after logging in at the portal."""
    return ADMIN_URL if belongs_in_admin(user) else reverse("portal:dashboard")


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The portal's 403 page, with a sentence saying why."""
    return render(request, "portal/403.html", {"message": message}, status=403)


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
    def portal_user(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def scoped(self, queryset: "QuerySet[Any]", brand_path: str) -> "QuerySet[Any]":
        """``queryset`` limited to this user's brand (``brand_path`` leads to the brand)."""
        return scope_for_user(queryset=queryset, user=self.portal_user, brand_path=brand_path)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["brand"] = self.portal_user.organization
        context["can_act"] = self.portal_user.is_brand_finance
        return context  # type: ignore[no-any-return]


class PortalAuthenticationForm(AuthenticationForm):
    """Django's login form; accounts with neither a brand role nor admin access are refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "no_portal": NO_PORTAL_ACCESS,
    }

    def confirm_login_allowed(self, user: Model) -> None:
        super().confirm_login_allowed(user)  # type: ignore[arg-type]
        if not (is_portal_user(user) or belongs_in_admin(user)):
            raise forms.ValidationError(self.error_messages["no_portal"], code="no_portal")


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        if belongs_in_admin(self.request.user):
            return ADMIN_URL
        return self.get_redirect_url() or reverse("portal:dashboard")


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


class PortalPasswordChangeView(BrandPortalMixin, auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:password_change_done")


class PortalPasswordChangeDoneView(BrandPortalMixin, auth_views.PasswordChangeDoneView):
    template_name = "portal/password_change_done.html"


class PortalPasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


def root_redirect(request: HttpRequest) -> HttpResponse:
    """``/``: staff to the admin, everybody else to the portal (which asks for a login)."""
    if belongs_in_admin(request.user):
        return HttpResponseRedirect(ADMIN_URL)
    return HttpResponseRedirect(reverse("portal:dashboard"))
