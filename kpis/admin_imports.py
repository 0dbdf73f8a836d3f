"""Sales imports in the admin: upload a CSV/XLSX file, watch its progress, read its errors.

Imports are never added or edited as model forms: the upload view stores the file and
starts the background import (``sales_import_create``); the object's page is a progress
display that polls a small JSON endpoint until the import is done or rejected, then
says which of the file's columns it used and which it ignored. The upload page offers
CSV and XLSX templates (``kpis.import_template``), made on request in the page's
language.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminSelectWidget

from accounts.selectors import scope_for_user
from common.admin_helpers import ScopedAdminMixin
from common.i18n import one_language
from common.portal import is_zh
from common.xlsx import XLSX_CONTENT_TYPE
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core.exceptions import RuleViolation
from kpis.import_template import template_csv, template_xlsx
from kpis.imports import (
    COLUMNS,
    LABELS,
    REQUIRED_COLUMNS,
    sales_import_columns,
    sales_import_create,
    sales_import_error_count,
    sales_import_progress,
)
from kpis.models import SalesImport

# Each column's name in the page's language (the file's headers may be either).
COLUMN_NAMES = {
    "product": _("product SKU"),
    "sold_on": _("date of sale"),
    "quantity": _("quantity"),
    "unit_price": _("unit price"),
    "factory_price": _("factory price"),
    "distributor_price": _("distributor price"),
    "tax": _("tax"),
    "logistics": _("logistics"),
    "channel": _("channel"),
    "distributor": _("distributor"),
    "external_ref": _("external reference"),
    "promotion": _("promotion code"),
    "agreement": _("agreement"),
}
COLUMN_NOTES = {
    "product": _("The product's SKU."),
    "sold_on": _("2026-08-05, 2026/08/05 or a date cell."),
    "quantity": _("A whole number; negative for a return."),
    "unit_price": _("The price sold at."),
    "factory_price": _("Empty: the price list of the day."),
    "distributor_price": _("Empty: the price list of the day."),
    "tax": _("Line total."),
    "logistics": _("Line total."),
    "channel": _("JD, Tmall, WeChat shop, distributor or other."),
    "external_ref": _("The order number: importing the file again skips it."),
    "promotion": _("The code of a promotion the brand approved."),
}
TEMPLATE_TYPES = {
    "csv": ("text/csv; charset=utf-8", template_csv),
    "xlsx": (XLSX_CONTENT_TYPE, template_xlsx),
}


class SalesImportUploadForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=Agreement.objects.none(),
        widget=UnfoldAdminSelectWidget(),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GBK) or XLSX (its first sheet)."),
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = scope_for_user(
            queryset=Agreement.objects.select_related("brand").order_by("number"),
            user=user,
            brand_path="brand",
        )


@admin.register(SalesImport)
class SalesImportAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "original_name",
        "agreement",
        "status",
        "progress",
        "rows_created",
        "rows_duplicate",
        "error_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "agreement__brand", "agreement", "created_at"]
    search_fields = ["original_name", "agreement__number"]
    list_select_related = ["agreement", "created_by"]
    date_hierarchy = "created_at"

    @admin.display(description=_("Progress"))
    def progress(self, obj: SalesImport) -> str:
        return f"{sales_import_progress(obj)['percent']}%"

    @admin.display(description=_("Errors"))
    def error_count(self, obj: SalesImport) -> Any:
        count = sales_import_error_count(obj)
        if not count:
            return "0"
        return format_html('<b style="color:#cf222e">{}</b>', count)

    # Uploads go through the upload view; a stored import is a record, not a form.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_upload_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or self._staff(request)))

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="kpis_salesimport_upload"),
            path(
                "upload/template.<str:kind>",
                wrap(self.template_view),
                name="kpis_salesimport_template",
            ),
            path(
                "<path:object_id>/progress.json",
                wrap(self.progress_json_view),
                name="kpis_salesimport_progress",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_upload": self.has_upload_permission(request)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_upload_permission(request):
            raise PermissionDenied
        form = SalesImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                sales_import = sales_import_create(
                    agreement=form.cleaned_data["agreement"],
                    uploaded_file=form.cleaned_data["file"],
                    by=request.user,
                )
            except RuleViolation as error:
                for name, messages in error.errors.items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, one_language(message))
            else:
                return HttpResponseRedirect(
                    reverse("admin:kpis_salesimport_change", args=[sales_import.pk])
                )
        zh = is_zh()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload sales file"),
            "opts": self.model._meta,
            "form": form,
            "columns": [
                {
                    "header": LABELS[name] if zh else name,
                    # The other headers accepted in the page's language (the page says
                    # the other language's are accepted too: the template has them).
                    "aliases": "、".join(aliases[1:])
                    if zh
                    else ", ".join(alias for alias in aliases if alias.isascii()),
                    "name": COLUMN_NAMES[name],
                    "note": COLUMN_NOTES.get(name, ""),
                    "required": name in REQUIRED_COLUMNS,
                }
                for name, aliases in COLUMNS.items()
            ],
            "template_urls": {
                kind: reverse("admin:kpis_salesimport_template", args=[kind])
                for kind in TEMPLATE_TYPES
            },
        }
        return TemplateResponse(request, "admin/kpis/salesimport/upload.html", context)

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """A CSV or XLSX template in the page's language, its example row made for
        ``?agreement=ID`` (else the user's first agreement that takes sales)."""
        if kind not in TEMPLATE_TYPES or not self.has_upload_permission(request):
            raise Http404
        takes_sales = agreements_in_scope(request.user).exclude(
            kind=Agreement.Kind.CONSULTING_FIXED_FEE
        )
        chosen = request.GET.get("agreement", "")
        if chosen:
            if not chosen.isdigit():
                raise Http404
            agreement = takes_sales.filter(pk=chosen).first()
            if agreement is None:
                raise Http404  # another agency's agreement is as missing as a wrong id
        else:
            agreement = (
                takes_sales.filter(status=Agreement.Status.ACTIVE).order_by("number").first()
            )
        content_type, make = TEMPLATE_TYPES[kind]
        zh = is_zh()
        response = HttpResponse(make(agreement, zh=zh), content_type=content_type)
        name = ("sales-template-zh" if zh else "sales-template") + f".{kind}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _scoped_object(self, request: HttpRequest, object_id: str) -> SalesImport:
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404  # outside the user's scope: existence does not leak
        return obj

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The import's page: its progress while it runs, its errors once rejected."""
        obj = self._scoped_object(request, object_id)
        errors = [
            {
                **error,
                "column_label": _column_label(error.get("column")),
                "message": one_language(error.get("message", "")),
            }
            for error in obj.errors or []
        ]
        columns = sales_import_columns(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": obj.original_name,
            "opts": self.model._meta,
            "original": obj,
            "progress": sales_import_progress(obj),
            "progress_url": reverse("admin:kpis_salesimport_progress", args=[obj.pk]),
            "errors": errors,
            "columns_used": [
                {"header": header, "name": COLUMN_NAMES.get(name, name)}
                for header, name in (columns or {}).get("used", [])
            ],
            "columns_ignored": (columns or {}).get("ignored", []),
            "lines_url": reverse("admin:kpis_saleline_changelist")
            + f"?import_batch__id__exact={obj.pk}",
            "can_upload": self.has_upload_permission(request),
        }
        return TemplateResponse(request, "admin/kpis/salesimport/progress.html", context)

    def progress_json_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        obj = self._scoped_object(request, object_id)
        response = JsonResponse(sales_import_progress(obj))
        response["Cache-Control"] = "no-store"
        return response


def _column_label(column: str | None) -> str:
    """An error's column in the page's language; a header the file gave, as written."""
    if not column:
        return "—"
    name = COLUMN_NAMES.get(column)
    return str(name) if name is not None else column
