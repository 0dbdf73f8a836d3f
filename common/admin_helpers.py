"""Admin helpers: agency staff use the admin, scoped to their agency's brands.

Scoping itself is ``accounts``' rule (``User.scope``), reached through ``request.user``.
"""

from typing import Any

from django.contrib import admin
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.scoping import scoped
from core.periods import Period


class ScopedAdminMixin:
    """Limit lists, forms and permissions to what the user may see.

    ``brand_path`` leads from the model to its brand organization. Agency staff may view,
    add and change; only superusers delete (history is never thrown away casually).
    """

    brand_path: str = "brand"

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scoped(queryset, request.user, self.brand_path)

    def _staff(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_agency_staff", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._staff(request) or super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._staff(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._staff(request) or super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._staff(request) or super().has_change_permission(request, obj)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        model = db_field.related_model
        if model._meta.label == "accounts.Organization" and not request.user.is_superuser:
            kwargs["queryset"] = request.user.visible_organizations().filter(
                **db_field.get_limit_choices_to()
            )
        elif model._meta.label == "accounts.BankAccount" and not request.user.is_superuser:
            kwargs["queryset"] = model.objects.filter(
                organization__in=request.user.visible_organizations()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedInlineMixin(ScopedAdminMixin):
    """Inlines follow their parent's scope; the queryset is already the parent's rows."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super(ScopedAdminMixin, self).get_queryset(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._staff(request) or super().has_delete_permission(request, obj)  # type: ignore[misc]


def staff_site_header() -> None:
    admin.site.site_header = "代运营结算 · Agency settlements"
    admin.site.site_title = "代运营结算"
    admin.site.index_title = "工作台 / Workbench"


class PeriodListFilter(admin.SimpleListFilter):
    """Filter dated rows by calendar month (YYYY-MM)."""

    title = _("period 期间")
    parameter_name = "period"
    date_field = "sold_on"

    def lookups(self, request, model_admin):
        months = (
            model_admin.get_queryset(request)
            .annotate(month=TruncMonth(self.date_field))
            .values_list("month", flat=True)
            .distinct()
            .order_by("-month")[:36]
        )
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months if m]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            period = Period.parse(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(
            **{
                f"{self.date_field}__gte": period.first_day,
                f"{self.date_field}__lte": period.last_day,
            }
        )


class PeriodFieldFilter(admin.SimpleListFilter):
    """Filter rows that carry their month as text (``period = "2026-08"``), newest first."""

    title = _("period 期间")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = (
            model_admin.get_queryset(request).exclude(period=None).values_list("period", flat=True)
        )
        return [(p, p) for p in sorted(set(periods), reverse=True)[:36]]

    def queryset(self, request, queryset):
        return queryset.filter(period=self.value()) if self.value() else queryset
