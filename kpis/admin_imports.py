"""Sales imports in the admin: upload a CSV/XLSX file, watch its progress, read its errors.

Imports are never added or edited as model forms: the upload view stores the file and
starts the background import (``sales_import_create``); the object's page is a progress
display that polls a small JSON endpoint until the import is done or rejected.
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
from contracts.models import Agreement
from core.exceptions import RuleViolation
from kpis.imports import (
    COLUMNS,
    LABELS,
    REQUIRED_COLUMNS,
    sales_import_create,
    sales_import_error_count,
    sales_import_progress,
)
from kpis.models import SalesImport


class SalesImportUploadForm(forms.Form):
    agreement = forms.ModelChoiceField(
        label=_("agreement 协议"),
        queryset=Agreement.objects.none(),
        widget=UnfoldAdminSelectWidget(),
    )
    file = forms.FileField(
        label=_("file 文件"),
        help_text=_(
            "CSV (UTF-8 or GBK) or XLSX, first sheet. CSV（UTF-8 或 GBK）或 XLSX（第一个工作表）。"
        ),
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

    @admin.display(description=_("progress 进度"))
    def progress(self, obj: SalesImport) -> str:
        return f"{sales_import_progress(obj)['percent']}%"

    @admin.display(description=_("errors 错误"))
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
                        form.add_error(name if name in form.fields else None, message)
            else:
                return HttpResponseRedirect(
                    reverse("admin:kpis_salesimport_change", args=[sales_import.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload sales file 上传销售文件"),
            "opts": self.model._meta,
            "form": form,
            "columns": [
                {"name": name, "aliases": "、".join(aliases), "required": name in REQUIRED_COLUMNS}
                for name, aliases in COLUMNS.items()
            ],
        }
        return TemplateResponse(request, "admin/kpis/salesimport/upload.html", context)

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
            {**error, "column_label": _column_label(error.get("column"))}
            for error in obj.errors or []
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": obj.original_name,
            "opts": self.model._meta,
            "original": obj,
            "progress": sales_import_progress(obj),
            "progress_url": reverse("admin:kpis_salesimport_progress", args=[obj.pk]),
            "errors": errors,
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
    if not column:
        return "—"
    label = LABELS.get(column)
    return f"{label} / {column}" if label else column
