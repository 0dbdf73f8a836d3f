"""The brand asks the agency to approve something (a plan, a budget, a change), in the
portal: brand finance only; a viewer reads. The request becomes an approval the agency
owes, listed on the obligations page under "Your requests"."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from common.i18n import one_language
from common.portal import DATE_INPUT, BrandPortalMixin, date_text, forbidden
from contracts.models import Agreement
from core.exceptions import DomainError, RuleViolation
from obligations import services
from obligations.portal import VIEWERS_CANNOT_ACT


class RequestForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=gettext_lazy("Agreement"), queryset=Agreement.objects.none()
    )
    title = forms.CharField(
        label=gettext_lazy("What should the agency approve?"),
        max_length=200,
        help_text=gettext_lazy("For example: the new product's launch page, a change of price."),
    )
    description = forms.CharField(
        label=gettext_lazy("Details (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Answer by (optional)"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Seven days from today unless you choose a date."),
    )
    file = forms.FileField(
        label=gettext_lazy("Document (optional)"),
        required=False,
        help_text=gettext_lazy("PDF, image, spreadsheet or document, 10 MB at most."),
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agreement"]
        field.queryset = agreements  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.number} · {a.title}"  # type: ignore[attr-defined]


class ApprovalRequestView(BrandPortalMixin, TemplateView):
    """GET the form, POST send the request (brand finance only; viewers see 403)."""

    template_name = "portal/approval_request.html"

    def _agreements(self) -> Any:
        return self.scoped(
            Agreement.objects.filter(status=Agreement.Status.ACTIVE).order_by("number"), "brand"
        )

    def _form(self, data: Any = None, files: Any = None) -> RequestForm:
        return RequestForm(data, files, agreements=self._agreements())

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        if not self.portal_user.is_brand_finance:
            return forbidden(request, str(VIEWERS_CANNOT_ACT))
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                approval = services.approval_request(
                    agreement=data["agreement"],
                    by=self.portal_user,
                    title=data["title"],
                    description=data["description"],
                    due_on=data["due_on"],
                    files=[data["file"]] if data.get("file") else [],
                )
            except RuleViolation as error:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(
                            field if field in form.fields else None, one_language(problem)
                        )
            except DomainError as error:
                form.add_error(None, one_language(error))
            else:
                messages.success(
                    request,
                    _("Your request “%(title)s” was sent; the agency answers by %(day)s.")
                    % {"title": approval.title, "day": date_text(approval.due_on)},
                )
                return redirect("portal:obligations")
        return self.render_to_response(self.get_context_data(form=form))
