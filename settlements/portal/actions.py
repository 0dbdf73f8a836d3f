"""The receipt (回执) actions: confirming, disputing and withdrawing a dispute.

Each is a POST (CSRF-checked) behind a confirmation page, open to the brand's finance
users only, and calls the same services as the admin and the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts import roles
from common import clock
from common.portal import BrandPortalMixin, forbidden
from core.exceptions import DomainError, RuleViolation
from settlements import selectors, services
from settlements.models import Statement
from settlements.portal.labels import VIEWERS_CANNOT_ACT, awaits_receipt, label, visible_statements
from settlements.portal.statements import confirm_preview
from settlements.services.invoices import invoice_before_payment


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class DisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What is wrong with this statement?"),
        help_text=gettext_lazy(
            "The agency reads this and replies here; be specific (lines, amounts, months)."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"),
        help_text=gettext_lazy(
            "Your own list, a screenshot or a scan: up to 5 files (PDF, images, spreadsheets, "
            "text), 10 MB each."
        ),
        required=False,
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError(_("Please say what is wrong."))
        return comment


class StatementActionView(BrandPortalMixin, TemplateView):
    """A receipt action: GET shows the confirmation step, POST does it (finance only)."""

    template_name = "portal/statement_action.html"
    action = ""
    form_class: type[forms.Form] | None = None

    def _statement(self) -> Statement:
        return label(get_object_or_404(visible_statements(self), pk=self.kwargs["pk"]))

    def _detail(self, statement: Statement) -> HttpResponse:
        return redirect("portal:statement", pk=statement.pk)

    def _refuse(self, request: HttpRequest, statement: Statement) -> HttpResponse | None:
        if not roles.is_brand_finance_for(self.portal_user, statement.agreement):
            return forbidden(request, str(VIEWERS_CANNOT_ACT))
        return None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self._statement()
        refused = self._refuse(request, statement)
        if refused is not None:
            return refused
        if not self.allowed(statement):
            messages.info(request, _("This statement is no longer waiting for that action."))
            return self._detail(statement)
        form = self.form_class() if self.form_class else None
        return self.render_to_response(self.get_context_data(statement=statement, form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self._statement()
        refused = self._refuse(request, statement)
        if refused is not None:
            return refused
        if not self.allowed(statement):
            messages.error(request, _("This statement is no longer waiting for that action."))
            return self._detail(statement)
        form = self.form_class(request.POST, request.FILES) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(statement=statement, form=form))
        try:
            self.perform(statement, form)
        except RuleViolation as error:
            if form is not None:
                for field, problems in error.errors.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                return self.render_to_response(
                    self.get_context_data(statement=statement, form=form)
                )
            messages.error(request, str(error))
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, self.done_message(statement))
        return self._detail(statement)

    def allowed(self, statement: Statement) -> bool:
        return awaits_receipt(statement)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        statement = kwargs["statement"]
        context.update(
            {
                "action": self.action,
                "paid": selectors.amount_paid(statement),
                "due_if_confirmed": confirm_preview(statement, clock.today())
                if self.action in ("confirm", "withdraw")
                else None,
                "after_invoice_days": invoice_before_payment(statement)[1]
                if invoice_before_payment(statement)[0]
                else None,
            }
        )
        return context

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        raise NotImplementedError

    def done_message(self, statement: Statement) -> str:
        raise NotImplementedError


class StatementConfirmView(StatementActionView):
    action = "confirm"

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        services.statement_confirm(statement=statement, by=self.portal_user)

    def done_message(self, statement: Statement) -> str:
        return _("Statement %(number)s is confirmed.") % {"number": statement.number}


class StatementDisputeView(StatementActionView):
    action = "dispute"
    form_class = DisputeForm

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        assert form is not None
        services.statement_dispute(
            statement=statement,
            comment=form.cleaned_data["comment"],
            attachments=form.cleaned_data.get("attachments") or [],
            by=self.portal_user,
        )

    def done_message(self, statement: Statement) -> str:
        return _(
            "Your dispute of %(number)s was sent to the agency. Its reply will appear here."
        ) % {"number": statement.number}


class StatementWithdrawDisputeView(StatementActionView):
    action = "withdraw"

    def allowed(self, statement: Statement) -> bool:
        return statement.status == Statement.Status.DISPUTED

    def perform(self, statement: Statement, form: forms.Form | None) -> None:
        services.statement_withdraw_dispute(statement=statement, by=self.portal_user)

    def done_message(self, statement: Statement) -> str:
        return _(
            "Your dispute is withdrawn: %(number)s counts as confirmed today, and payment "
            "falls due from today."
        ) % {"number": statement.number}


class DisputeAttachmentView(BrandPortalMixin, TemplateView):
    """A dispute's attachment, for the brand's users who may see the statement (else 404)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = get_object_or_404(visible_statements(self), pk=kwargs["pk"])
        attachment = get_object_or_404(statement.dispute_attachments, pk=kwargs["attachment_id"])
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )
