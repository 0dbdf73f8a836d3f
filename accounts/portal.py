"""Client portal: the login, logout and password pages, and where ``/`` leads.

Who may enter is ``common.portal`` (``BrandPortalMixin``, ``is_portal_user``,
``belongs_in_admin``), shared by the portal pages of every app.
"""

import hashlib
import logging
from typing import Any

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.invoicing import (
    INVOICING_FIELDS,
    LIST_FIELDS,
    invoicing_details,
    organization_invoicing_update,
)
from common.i18n import one_language
from common.portal import (
    ADMIN_URL,
    NO_PORTAL_ACCESS,
    BrandPortalMixin,
    belongs_in_admin,
    forbidden,
    is_portal_user,
)
from core.exceptions import RuleViolation

logger = logging.getLogger(__name__)

RESET_TOO_MANY = (
    "重设密码的请求过于频繁，请一小时后再试 / too many password-reset requests: "
    "try again in an hour"
)
RESET_WINDOW_SECONDS = 3600
VIEWERS_CANNOT_EDIT = _(
    "Only your company's finance users can change the invoicing details; you can read them."
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


def _over_limit(key: str, limit: int) -> bool:
    """Count one request under ``key`` for an hour (shared cache); True past ``limit``.

    A cache that does not answer lets the request through: a reset is never refused
    because Redis is down."""
    try:
        cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
        return cache.incr(key) > limit
    except Exception:
        logger.exception("password reset: the cache does not answer; not counted")
        return False


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled: per client address (past the limit the page
    says to wait, 429) and per e-mail address (past the limit no more e-mails go out, and
    the page reads as if sent, so it tells nothing about the address)."""

    template_name = "portal/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        ip = get_client_ip_address(self.request) or "unknown"
        if _over_limit(f"password-reset:ip:{ip}", settings.PASSWORD_RESET_PER_IP_PER_HOUR):
            form.add_error(None, RESET_TOO_MANY)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        if _over_limit(
            f"password-reset:email:{digest}", settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR
        ):
            logger.warning("password reset: too many for one address from %s; not sent", ip)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


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


# --- the brand's invoicing details (开票信息) ---------------------------------------------


def _lines_of(text: str) -> list[str]:
    """One entry a line; blank lines are left out."""
    return [line for line in text.splitlines() if line.strip()]


class InvoicingDetailsForm(forms.Form):
    """What the agency's invoices to the brand carry, and the names and accounts it pays
    from (one a line). Checked by ``accounts.invoicing`` when saved."""

    invoice_title = forms.CharField(
        label=_("Company name on the invoice"), max_length=200, required=False
    )
    tax_id = forms.CharField(
        label=_("Taxpayer ID"),
        max_length=40,
        required=False,
        help_text=_(
            "The 18-character unified social credit code (or an old 15-character tax number)."
        ),
    )
    invoice_address_phone = forms.CharField(
        label=_("Address and phone"), max_length=300, required=False
    )
    invoice_bank_account = forms.CharField(
        label=_("Bank and account number"), max_length=300, required=False
    )
    payer_names = forms.CharField(
        label=_("Names you pay from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, at most 20: other companies or shops whose payments are yours, so "
            "the agency can match them."
        ),
    )
    payer_accounts = forms.CharField(
        label=_("Bank accounts you pay from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One account number a line, at most 20."),
    )

    @classmethod
    def for_organization(cls, organization: Any, data: Any = None) -> "InvoicingDetailsForm":
        initial = {name: getattr(organization, name) for name in INVOICING_FIELDS}
        for name in LIST_FIELDS:
            initial[name] = "\n".join(initial[name] or [])
        return cls(data, initial=initial)

    def details(self) -> dict[str, Any]:
        """The cleaned fields as the service takes them (lists for the lists)."""
        data = dict(self.cleaned_data)
        for name in LIST_FIELDS:
            data[name] = _lines_of(data.get(name) or "")
        return data


class InvoicingDetailsView(BrandPortalMixin, TemplateView):
    """The brand's invoicing details: finance users edit them, viewers read them. Only the
    signed-in user's own brand is ever shown (no id in the address)."""

    template_name = "portal/invoicing.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = self.portal_user.organization
        context["details"] = invoicing_details(organization)
        if self.portal_user.is_brand_finance and "form" not in context:
            context["form"] = InvoicingDetailsForm.for_organization(organization)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.portal_user.is_brand_finance:
            return forbidden(request, str(VIEWERS_CANNOT_EDIT))
        organization = self.portal_user.organization
        form = InvoicingDetailsForm.for_organization(organization, request.POST)
        if form.is_valid():
            try:
                organization_invoicing_update(
                    organization=organization, by=self.portal_user, data=form.details()
                )
            except RuleViolation as error:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(
                            field if field in form.fields else None, one_language(problem)
                        )
            else:
                messages.success(request, _("Invoicing details saved."))
                return HttpResponseRedirect(reverse("portal:invoicing"))
        return self.render_to_response(self.get_context_data(form=form))
