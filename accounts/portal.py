"""Client portal: the login, logout and password pages, and where ``/`` leads.

Who may enter is ``common.portal`` (``BrandPortalMixin``, ``is_portal_user``,
``belongs_in_admin``), shared by the portal pages of every app.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from common.portal import (
    ADMIN_URL,
    NO_PORTAL_ACCESS,
    BrandPortalMixin,
    belongs_in_admin,
    is_portal_user,
)


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
