"""The brand portal's receivables and balance confirmations.

- ``receivables/``: what the brand owes as of today, item by item with its ageing
  bucket, the totals per bucket, and the brand's balance confirmations.
- ``balance-confirmations/<pk>/``: one confirmation as issued, the brand's answer, its
  PDF and XLSX; its finance users confirm or dispute it (a confirmation step first).

Everything is looked up in the brand's scope, so another brand's id answers 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts import roles
from common import clock
from common.i18n import one_language
from common.portal import BrandPortalMixin, forbidden
from core.exceptions import DomainError, RuleViolation
from receivables import services
from receivables.exports import confirmation_pdf_response, confirmation_xlsx_response
from receivables.models import BalanceConfirmation
from receivables.selectors import balance_confirmations_for, receivables_for
from settlements.models import Statement
from settlements.workbench import BUCKET_LABELS

VIEWERS_CANNOT_ANSWER = gettext_lazy(
    "Only your company's finance users may answer a balance confirmation."
)
KINDS = dict(Statement.Kind.choices)


def _confirmations(view: BrandPortalMixin) -> QuerySet[BalanceConfirmation]:
    return balance_confirmations_for(user=view.portal_user)


class ReceivablesView(BrandPortalMixin, TemplateView):
    template_name = "portal/receivables.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.portal_user
        found = receivables_for(user=user, as_of=clock.today(), brand=user.organization)
        context.update(
            {
                "found": found,
                "items": [
                    {
                        "item": item,
                        "kind": KINDS.get(item.statement.kind, item.statement.kind),
                        "bucket": BUCKET_LABELS[item.bucket],
                    }
                    for item in found.items
                ],
                "buckets": [
                    {"total": bucket, "label": BUCKET_LABELS[bucket.bucket]}
                    for bucket in found.buckets
                ],
                "confirmations": _confirmations(self).order_by("-as_of", "-pk")[:50],
            }
        )
        return context


def _item_rows(confirmation: BalanceConfirmation) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "kind_label": KINDS.get(item["kind"], item["kind"]),
            "bucket_label": BUCKET_LABELS.get(item["bucket"], item["bucket"]),
        }
        for item in confirmation.items
    ]


class BalanceConfirmationView(BrandPortalMixin, TemplateView):
    template_name = "portal/receivables_confirmation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        confirmation = get_object_or_404(_confirmations(self), pk=self.kwargs["pk"])
        context.update(
            {
                "confirmation": confirmation,
                "rows": _item_rows(confirmation),
                "awaiting": confirmation.status == BalanceConfirmation.Status.ISSUED,
            }
        )
        return context


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What does not match?"),
        help_text=gettext_lazy(
            "Name the documents and amounts that differ from your books; the agency replies."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError(_("Please say what does not match."))
        return comment


class BalanceConfirmationActionView(BrandPortalMixin, TemplateView):
    """Confirm or dispute: GET shows the step, POST does it (the brand's finance users)."""

    template_name = "portal/receivables_confirmation_action.html"
    action = ""

    def _confirmation(self) -> BalanceConfirmation:
        return get_object_or_404(_confirmations(self), pk=self.kwargs["pk"])

    def _checked(self, request: HttpRequest) -> tuple[BalanceConfirmation, HttpResponse | None]:
        confirmation = self._confirmation()
        if not roles.is_brand_finance_for(self.portal_user, confirmation):
            return confirmation, forbidden(request, str(VIEWERS_CANNOT_ANSWER))
        if confirmation.status != BalanceConfirmation.Status.ISSUED:
            messages.info(request, _("This balance confirmation has already been answered."))
            return confirmation, redirect("portal:balance_confirmation", pk=confirmation.pk)
        return confirmation, None

    def _form(self, data: Any = None) -> DisputeForm | None:
        return DisputeForm(data) if self.action == "dispute" else None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        confirmation, stop = self._checked(request)
        if stop is not None:
            return stop
        return self.render_to_response(
            self.get_context_data(confirmation=confirmation, form=self._form())
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        confirmation, stop = self._checked(request)
        if stop is not None:
            return stop
        form = self._form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_to_response(
                self.get_context_data(confirmation=confirmation, form=form)
            )
        try:
            if form is not None:
                services.balance_confirmation_dispute(
                    confirmation=confirmation,
                    by=self.portal_user,
                    comment=form.cleaned_data["comment"],
                )
                done = _("Your answer was sent: the balance of %(number)s does not match.")
            else:
                services.balance_confirmation_confirm(
                    confirmation=confirmation, by=self.portal_user
                )
                done = _("You confirmed the balance of %(number)s.")
        except RuleViolation as error:
            if form is None:
                raise
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, one_language(problem))
            return self.render_to_response(
                self.get_context_data(confirmation=confirmation, form=form)
            )
        except DomainError as error:
            messages.error(request, one_language(str(error)))
        else:
            messages.success(request, done % {"number": confirmation.number})
        return redirect("portal:balance_confirmation", pk=confirmation.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action"] = self.action
        return context


class BalanceConfirmationConfirmView(BalanceConfirmationActionView):
    action = "confirm"


class BalanceConfirmationDisputeView(BalanceConfirmationActionView):
    action = "dispute"


class BalanceConfirmationPdfView(BrandPortalMixin, TemplateView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        confirmation = get_object_or_404(_confirmations(self), pk=kwargs["pk"])
        response = confirmation_pdf_response(confirmation)
        if response is None:
            raise Http404(_("The PDF is still being prepared: try again in a minute."))
        return response


class BalanceConfirmationXlsxView(BrandPortalMixin, TemplateView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        confirmation = get_object_or_404(_confirmations(self), pk=kwargs["pk"])
        return confirmation_xlsx_response(confirmation)
