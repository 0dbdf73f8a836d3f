"""Invoices (发票) in the admin: the list with its filters, recording one (with its file)
through ``settlements.services.invoice_record``, and the red-letter reversal (红冲) as a
button on an invoice's page.

A recorded invoice reads only: it changes only by its reversal. The file is checked by
the service (type by content, size); its refusal shows beside the field, as every other.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import INPUT_CLASSES

from common import clock
from common.admin_helpers import ScopedAdminMixin, add_domain_error
from common.api.fields import id_value
from common.templatetags.portal import money_text
from core.exceptions import DomainError
from settlements import services
from settlements.models import Invoice, Statement
from settlements.services.invoices import invoice_file_response

STATUS_VARIANTS = {
    Invoice.Status.ISSUED: "success",
    Invoice.Status.TO_REVERSE: "warning",
    Invoice.Status.REVERSED: "",
}


class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["statement", "kind", "number", "issued_on", "amount", "tax_amount", "file"]
        help_texts = {
            "number": gettext_lazy("Digital invoices: 20 digits; paper invoices: 8 digits."),
            "amount": gettext_lazy("With tax; at most what is left to invoice on the bill."),
            "file": gettext_lazy("PDF, OFD or XML, as issued; checked by its content."),
        }


class ReverseForm(forms.Form):
    red_number = forms.CharField(
        label=gettext_lazy("Red invoice number"),
        max_length=40,
        widget=forms.TextInput(attrs={"class": " ".join(INPUT_CLASSES)}),
    )
    on = forms.DateField(
        label=gettext_lazy("Reversed on"),
        widget=forms.DateInput(attrs={"type": "date", "class": " ".join(INPUT_CLASSES)}),
    )


@admin.register(Invoice)
class InvoiceAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "statement__agreement__brand"
    form = InvoiceForm
    list_display = [
        "number",
        "kind",
        "statement_link",
        "brand",
        "issued_on",
        "amount_shown",
        "status_shown",
        "red_number",
        "file_link",
    ]
    list_filter = ["status", "kind", "issued_on", "statement__agreement__brand"]
    search_fields = ["number", "red_number", "statement__number"]
    date_hierarchy = "issued_on"
    actions_detail = ["reverse_invoice"]
    readonly_fields = [
        "status",
        "red_number",
        "reversed_on",
        "file_link",
        "size",
        "recorded_by",
        "created_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("statement__agreement__brand")

    def get_fields(self, request, obj=None):
        fields = list(InvoiceForm.Meta.fields)
        if obj is not None:
            fields += self.readonly_fields
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # recorded: it reads only and changes only by its reversal
            return [*InvoiceForm.Meta.fields, *self.readonly_fields]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "statement":  # only open bills take invoices
            kwargs["queryset"] = Statement.objects.open().select_related("agreement__brand")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_reverse_permission(self, request, object_id=None):
        if not self._staff(request) and not request.user.is_superuser:
            return False
        if object_id is None:
            return True
        invoice = self._invoice(request, object_id)
        return invoice is not None and invoice.status != Invoice.Status.REVERSED

    def save_model(self, request, obj, form, change):
        invoice = self.service(
            services.invoice_record,
            statement=obj.statement,
            kind=obj.kind,
            number=obj.number,
            issued_on=obj.issued_on,
            amount=obj.amount,
            tax_amount=obj.tax_amount,
            file=form.cleaned_data.get("file"),
            by=request.user,
        )
        obj.pk = invoice.pk

    # --- columns ----------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("Statement"), ordering="statement__number")
    def statement_link(self, obj):
        url = reverse("admin:settlements_statement_change", args=[obj.statement_id])
        return format_html('<a href="{}">{}</a>', url, obj.statement.number)

    @admin.display(description=gettext_lazy("Brand"), ordering="statement__agreement__brand__name")
    def brand(self, obj):
        return obj.statement.agreement.brand.name

    @admin.display(description=gettext_lazy("Amount with tax"), ordering="amount")
    def amount_shown(self, obj):
        return money_text(obj.amount)

    @display(description=gettext_lazy("Status"), ordering="status", label=STATUS_VARIANTS)
    def status_shown(self, obj):
        return obj.status, obj.get_status_display()

    # --- the file ---------------------------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="settlements_invoice_file",
            )
        ]
        return own + super().get_urls()

    def file_view(self, request, pk):
        invoice = self._invoice(request, pk)
        if invoice is None or not invoice.file.storage.exists(invoice.file.name):
            raise Http404
        return invoice_file_response(invoice)

    @admin.display(description=gettext_lazy("File"))
    def file_link(self, obj):
        url = reverse("admin:settlements_invoice_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file_name or obj.number)

    # --- the reversal ---------------------------------------------------------------------

    def _invoice(self, request, object_id):
        pk = id_value(object_id)
        return self.get_queryset(request).filter(pk=pk).first() if pk else None

    @action(
        description=gettext_lazy("Record the red-letter reversal"),
        url_path="reverse",
        icon="undo",
        permissions=["reverse"],
    )
    def reverse_invoice(self, request, object_id):
        """GET: the form (red number, date); POST: record it, or show the refusal."""
        invoice = self._invoice(request, object_id)
        if invoice is None:
            raise Http404
        change_url = reverse("admin:settlements_invoice_change", args=[invoice.pk])
        if invoice.status == Invoice.Status.REVERSED:
            raise PermissionDenied
        form = ReverseForm(request.POST or None, initial={"on": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                services.invoice_reverse(
                    invoice=invoice,
                    red_number=form.cleaned_data["red_number"],
                    on=form.cleaned_data["on"],
                    by=request.user,
                )
            except DomainError as refused:
                add_domain_error(form, refused)
            else:
                self.message_user(
                    request,
                    _("Invoice %(number)s reversed by red invoice %(red)s.")
                    % {"number": invoice.number, "red": form.cleaned_data["red_number"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": invoice,
            "title": _("Red-letter reversal of invoice %(number)s") % {"number": invoice.number},
            "invoice": invoice,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/settlements/invoice/reverse.html", context)
