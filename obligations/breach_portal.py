"""The brand portal's breach notices: the notices the brand sent and received, each
with its cure deadline, the termination right it gave and its PDF; brand finance sends a
notice to the agency and records a cure (viewers read).

Every write goes through ``obligations.breach``, as the admin's and the API's do.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts import roles
from common import clock
from common.i18n import one_language
from common.portal import DATE_INPUT, BrandPortalMixin, date_text, forbidden
from contracts.models import Agreement
from core.exceptions import DomainError, RuleViolation
from obligations import breach, breach_selectors
from obligations.models import BreachNotice, Side

VIEWERS_CANNOT_SEND = gettext_lazy(
    "Only your company's finance users can send breach notices or record a cure. Your "
    "account can read everything but cannot act."
)


def _visible(view: BrandPortalMixin) -> Any:
    return view.scoped(
        BreachNotice.objects.select_related("agreement", "obligation"),
        "agreement__brand",
    )


def _rows(notices: Any, today: Any) -> list[dict[str, Any]]:
    return [
        {
            "notice": notice,
            "right": breach_selectors.termination_right(notice, today=today),
            "days_left": breach_selectors.days_left(notice, today=today),
        }
        for notice in notices
    ]


class BreachNoticeListView(BrandPortalMixin, TemplateView):
    template_name = "portal/breach_notices.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        notices = _visible(self).order_by("-sent_on", "-pk")
        context.update(
            {
                "today": today,
                "sent": _rows(notices.filter(by=Side.BRAND), today),
                "received": _rows(notices.filter(by=Side.AGENCY), today),
            }
        )
        return context


class BreachNoticeDetailView(BrandPortalMixin, TemplateView):
    template_name = "portal/breach_notice.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notice = get_object_or_404(_visible(self), pk=kwargs["pk"])
        today = clock.today()
        context.update(
            {
                "notice": notice,
                "today": today,
                "right": breach_selectors.termination_right(notice, today=today),
                "days_left": breach_selectors.days_left(notice, today=today),
                "has_pdf": bool(notice.pdf),
            }
        )
        return context


class BreachNoticePdfView(BrandPortalMixin, TemplateView):
    """The notice's PDF as a download (404 until a worker has rendered it)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notice = get_object_or_404(_visible(self), pk=kwargs["pk"])
        if not (notice.pdf and notice.pdf.storage.exists(notice.pdf.name)):
            raise Http404
        return FileResponse(
            notice.pdf.open("rb"),
            as_attachment=True,
            filename=f"{notice.number}.pdf",
            content_type="application/pdf",
        )


class SendForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"), queryset=Agreement.objects.none()
    )
    sent_on = forms.DateField(label=gettext_lazy("Sent on"), widget=DATE_INPUT)
    clause = forms.CharField(
        label=gettext_lazy("Clause (optional)"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("The agreement's clause the agency breached, e.g. 6.A."),
    )
    description = forms.CharField(
        label=gettext_lazy("The breach"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the agency failed to do, with dates."),
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agreement"]
        field.queryset = agreements  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.number} · {a.title}"  # type: ignore[attr-defined]

    def clean_description(self) -> str:
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Please describe the breach."))
        return description


class CureForm(forms.Form):
    cured_on = forms.DateField(label=gettext_lazy("Cured on"), widget=DATE_INPUT)
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _refusal_on_form(form: forms.Form, error: DomainError) -> None:
    """A service's refusal on the form, in the page's language."""
    if isinstance(error, RuleViolation):
        for field, problems in error.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, one_language(problem))
    else:
        form.add_error(None, one_language(error))


class BreachNoticeSendView(BrandPortalMixin, TemplateView):
    """Brand finance sends a notice to the agency (GET the form, POST send it)."""

    template_name = "portal/breach_notice_form.html"

    def _agreements(self) -> Any:
        return self.scoped(
            Agreement.objects.exclude(status=Agreement.Status.DRAFT).order_by("number"), "brand"
        )

    def _form(self, data: Any = None) -> SendForm:
        return SendForm(data, agreements=self._agreements(), initial={"sent_on": clock.today()})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.portal_user.is_brand_finance:
            return forbidden(request, str(VIEWERS_CANNOT_SEND))
        return self.render_to_response(self.get_context_data(form=self._form(), action="send"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.portal_user.is_brand_finance:
            return forbidden(request, str(VIEWERS_CANNOT_SEND))
        form = self._form(request.POST)
        if form.is_valid():
            try:
                notice = breach.breach_notice_send(
                    agreement=form.cleaned_data["agreement"],
                    by=Side.BRAND,
                    sent_on=form.cleaned_data["sent_on"],
                    clause=form.cleaned_data["clause"],
                    description=form.cleaned_data["description"],
                    user=self.portal_user,
                )
            except DomainError as error:
                _refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Breach notice %(number)s was sent to the agency; it must cure the breach by %(day)s."
                    )
                    % {"number": notice.number, "day": date_text(notice.cure_by)},
                )
                return redirect("portal:breach_notice", pk=notice.pk)
        return self.render_to_response(self.get_context_data(form=form, action="send"))


class BreachNoticeCureView(BrandPortalMixin, TemplateView):
    """Brand finance records the day a breach was cured (GET the form, POST record it)."""

    template_name = "portal/breach_notice_form.html"

    def _notice(self) -> BreachNotice:
        return get_object_or_404(_visible(self), pk=self.kwargs["pk"])

    def _refuse(self, request: HttpRequest, notice: BreachNotice) -> HttpResponse | None:
        if not roles.is_brand_finance_for(self.portal_user, notice.agreement):
            return forbidden(request, str(VIEWERS_CANNOT_SEND))
        if notice.cured_on is not None:
            messages.info(request, _("This breach is already recorded as cured."))
            return redirect("portal:breach_notice", pk=notice.pk)
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notice = self._notice()
        refused = self._refuse(request, notice)
        if refused is not None:
            return refused
        form = CureForm(initial={"cured_on": clock.today()})
        return self.render_to_response(
            self.get_context_data(form=form, notice=notice, action="cure")
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notice = self._notice()
        refused = self._refuse(request, notice)
        if refused is not None:
            return refused
        form = CureForm(request.POST)
        if form.is_valid():
            try:
                breach.breach_notice_cure(
                    notice=notice,
                    cured_on=form.cleaned_data["cured_on"],
                    note=form.cleaned_data["note"],
                    user=self.portal_user,
                )
            except DomainError as error:
                _refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    _("The breach in %(number)s is recorded as cured.") % {"number": notice.number},
                )
                return redirect("portal:breach_notice", pk=notice.pk)
        return self.render_to_response(
            self.get_context_data(form=form, notice=notice, action="cure")
        )


urlpatterns: list[URLPattern] = [
    path("breach-notices/", BreachNoticeListView.as_view(), name="breach_notices"),
    path("breach-notices/new/", BreachNoticeSendView.as_view(), name="breach_notice_send"),
    path("breach-notices/<int:pk>/", BreachNoticeDetailView.as_view(), name="breach_notice"),
    path(
        "breach-notices/<int:pk>/cure/", BreachNoticeCureView.as_view(), name="breach_notice_cure"
    ),
    path("breach-notices/<int:pk>/pdf/", BreachNoticePdfView.as_view(), name="breach_notice_pdf"),
]
