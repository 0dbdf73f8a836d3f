"""Receivables and balance confirmations in the admin.

- The receivables page (``balanceconfirmation/receivables/``): the open items of one
  brand or of every brand the user's agency serves, as of a day, with the ageing
  buckets' totals and the XLSX export (the workbench's own export,
  ``settlements.workbench.receivables_xlsx``, on the same items).
- Balance confirmations: the list (status and brand filters), "issue for a brand as of a
  date" as the add form (through ``receivables.services``), and a read-only page with
  the items as issued, the brand's answer and the PDF and XLSX downloads.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from common import clock
from common.admin_helpers import ScopedAdminMixin
from common.templatetags.portal import money_text
from common.xlsx import XLSX_CONTENT_TYPE
from receivables import services
from receivables.exports import confirmation_pdf_response, confirmation_xlsx_response
from receivables.models import BalanceConfirmation
from receivables.selectors import brands_for_user, receivables_for
from settlements import workbench as wb
from settlements.models import Statement

KINDS = dict(Statement.Kind.choices)
STATUS_VARIANTS = {"issued": "warning", "confirmed": "success", "disputed": "danger"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class IssueForm(forms.ModelForm):
    """Issue for a brand as of a date: the add form (the service fills in the rest)."""

    class Meta:
        model = BalanceConfirmation
        fields = ["brand", "as_of"]
        widgets = {"as_of": DateInput()}
        help_texts = {
            "as_of": gettext_lazy(
                "Lists the brand's open items and their penalty to this day (not in the future)."
            )
        }


class ReceivablesForm(forms.Form):
    brand = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=gettext_lazy("All brands"), label=""
    )
    as_of = forms.DateField(required=False, widget=DateInput(), label="")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].label = _("Brand")
        self.fields["as_of"].label = _("As of")
        self.fields["brand"].queryset = brands_for_user(user=user).order_by("name")

    def clean_as_of(self) -> date:
        as_of = self.cleaned_data.get("as_of") or clock.today()
        if as_of > clock.today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return as_of


@admin.register(BalanceConfirmation)
class BalanceConfirmationAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "brand"
    form = IssueForm
    list_display = [
        "number",
        "brand",
        "as_of",
        "outstanding_shown",
        "penalty_shown",
        "status_shown",
        "answered_on",
    ]
    list_filter = ["status", "brand"]
    list_select_related = ["brand"]
    search_fields = ["number", "brand__name"]
    date_hierarchy = "as_of"
    change_list_template = "admin/receivables/balanceconfirmation/change_list.html"

    def get_changeform_initial_data(self, request):
        return {"as_of": clock.today(), **super().get_changeform_initial_data(request)}

    # --- issued documents are never edited: the page reads only --------------------------

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["brand", "as_of"]
        return [
            "number",
            "brand",
            "agency",
            "as_of",
            "outstanding_shown",
            "penalty_shown",
            "status_shown",
            "answer_shown",
            "downloads",
            "items_shown",
            "created_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        issued = self.service(
            services.balance_confirmation_issue,
            brand=obj.brand,
            as_of=obj.as_of,
            by=request.user,
        )
        obj.pk, obj.number = issued.pk, issued.number

    # --- columns and read-only fields ------------------------------------------------------

    @admin.display(description=gettext_lazy("Outstanding principal"), ordering="total_outstanding")
    def outstanding_shown(self, obj):
        return money_text(obj.total_outstanding)

    @admin.display(description=gettext_lazy("Penalty to date"), ordering="total_penalty")
    def penalty_shown(self, obj):
        return money_text(obj.total_penalty)

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def status_shown(self, obj):
        from django.template.loader import render_to_string

        return render_to_string(
            "unfold/helpers/label.html",
            {"text": obj.get_status_display(), "variant": STATUS_VARIANTS[obj.status]},
        )

    @admin.display(description=gettext_lazy("Answered on"))
    def answered_on(self, obj):
        return obj.confirmed_on or obj.disputed_on or "—"

    @admin.display(description=gettext_lazy("The brand's answer"))
    def answer_shown(self, obj):
        if obj.status == BalanceConfirmation.Status.CONFIRMED:
            return _("Confirmed on %(day)s by %(user)s") % {
                "day": obj.confirmed_on,
                "user": obj.answered_by or "—",
            }
        if obj.status == BalanceConfirmation.Status.DISPUTED:
            return format_html(
                "{}<br><strong>{}</strong>",
                _("Disputed on %(day)s by %(user)s")
                % {"day": obj.disputed_on, "user": obj.answered_by or "—"},
                obj.dispute_comment,
            )
        return _("Not answered yet")

    @admin.display(description=gettext_lazy("Downloads"))
    def downloads(self, obj):
        links = [(reverse("admin:receivables_balanceconfirmation_xlsx", args=[obj.pk]), "XLSX")]
        if obj.pdf:
            links.insert(
                0, (reverse("admin:receivables_balanceconfirmation_pdf", args=[obj.pk]), "PDF")
            )
        return format_html_join(" · ", '<a class="text-primary-600" href="{}">{}</a>', links)

    @admin.display(description=gettext_lazy("Items as issued"))
    def items_shown(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td class="num">{}</td><td class="num">{}</td></tr>',
            (
                (
                    item["number"],
                    KINDS.get(item["kind"], item["kind"]),
                    item.get("period") or "—",
                    item.get("payment_due_on") or "—",
                    money_text(item["outstanding"]),
                    money_text(item["penalty"]),
                )
                for item in obj.items
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            '<th class="num">{}</th><th class="num">{}</th></tr>',
            _("Document"),
            _("Kind"),
            _("Period"),
            _("Payment due"),
            _("Outstanding"),
            _("Penalty to date"),
        )
        return format_html(
            '<table class="admin-table"><thead>{}</thead><tbody>{}</tbody></table>', head, rows
        )

    # --- pages and files -------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "receivables/",
                wrap(self.receivables_view),
                name="receivables_balanceconfirmation_receivables",
            ),
            path(
                "receivables/export.xlsx",
                wrap(self.receivables_xlsx_view),
                name="receivables_balanceconfirmation_receivables_xlsx",
            ),
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="receivables_balanceconfirmation_pdf"),
            path(
                "<int:pk>/xlsx/", wrap(self.xlsx_view), name="receivables_balanceconfirmation_xlsx"
            ),
            *super().get_urls(),
        ]

    def _confirmation(self, request, pk) -> BalanceConfirmation:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def pdf_view(self, request, pk):
        response = confirmation_pdf_response(self._confirmation(request, pk))
        if response is None:
            raise Http404(_("The PDF is still being prepared: try again in a minute."))
        return response

    def xlsx_view(self, request, pk):
        return confirmation_xlsx_response(self._confirmation(request, pk))

    def _receivables(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReceivablesForm(request.GET or None, user=request.user)
        brand, as_of = None, clock.today()
        if form.is_bound and form.is_valid():
            brand, as_of = form.cleaned_data["brand"], form.cleaned_data["as_of"]
        return form, receivables_for(user=request.user, as_of=as_of, brand=brand)

    def receivables_view(self, request):
        form, found = self._receivables(request)
        query = {"as_of": found.as_of.isoformat()}
        if found.brand is not None:
            query["brand"] = str(found.brand.pk)
        from urllib.parse import urlencode

        issue_url = reverse("admin:receivables_balanceconfirmation_add")
        if found.brand is not None:
            issue_url += "?" + urlencode({"brand": found.brand.pk, "as_of": query["as_of"]})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Receivables"),
            "opts": self.model._meta,
            "form": form,
            "found": found,
            "buckets": [{"label": wb.BUCKET_LABELS[b.bucket], "total": b} for b in found.buckets],
            "items": [
                {
                    "item": item,
                    "kind": KINDS.get(item.statement.kind, item.statement.kind),
                    "bucket": wb.BUCKET_LABELS[item.bucket],
                    "url": reverse("admin:settlements_statement_change", args=[item.statement.pk]),
                }
                for item in found.items
            ],
            "export_url": reverse("admin:receivables_balanceconfirmation_receivables_xlsx")
            + "?"
            + urlencode(query),
            "issue_url": issue_url,
        }
        return TemplateResponse(
            request, "admin/receivables/balanceconfirmation/receivables.html", context
        )

    def receivables_xlsx_view(self, request):
        _form, found = self._receivables(request)
        data = wb.receivables_xlsx(found.items, as_of=found.as_of)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        name = f"receivables-{found.as_of.isoformat()}"
        if found.brand is not None:
            name += f"-{found.brand.pk}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
