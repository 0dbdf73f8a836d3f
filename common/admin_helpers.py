"""Admin helpers: agency staff use the admin, scoped to their agency's brands.

Scoping itself is ``accounts``' rule (``User.scope``), reached through ``request.user``.

The admin walls (issue 11): every list, every form choice (ForeignKey and ManyToMany, in
ModelAdmins and inlines) and every related-field list filter is cut to what the user
may see. Which models are tenant data is worked out from the models themselves
(``tenant_scope``): a model that leads through its foreign keys to a brand organization
is scoped by that path, one that leads to an organization otherwise (users, bank
accounts) by the organizations the user may see. Writes go through the services; a
service's refusal (``DomainError``) is shown on the form, never a 500.
"""

from collections import deque
from functools import cache
from typing import Any

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.scoping import scoped
from core.exceptions import DomainError, RuleViolation
from core.periods import Period

ORGANIZATION = "accounts.Organization"
_MAX_DEPTH = 4


@cache
def tenant_path(model: type[Model]) -> tuple[str, str] | None:
    """How ``model`` reaches its tenant: ``("brand", path)`` when a chain of foreign keys
    ends at a field named ``brand`` (an agreement's, a product's), ``("organization",
    path)`` when it ends at another organization field (a user's, a bank account's),
    ``("self", "")`` for organizations; ``None`` for data of no tenant (the calendar,
    permissions, schedules).

    The shortest chain wins (breadth first, fields in declaration order), so a sale line
    is scoped by ``agreement__brand`` rather than ``product__brand``.
    """
    if model._meta.label == ORGANIZATION:
        return ("self", "")
    found_org: str | None = None
    queue: deque[tuple[type[Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, prefix, depth = queue.popleft()
        for field in current._meta.concrete_fields:
            if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                continue
            path = f"{prefix}{field.name}"
            related = field.related_model
            if related._meta.label == ORGANIZATION:
                if field.name == "brand":
                    return ("brand", path)
                if found_org is None and field.name != "agency":
                    found_org = path
                continue
            if related not in seen and depth + 1 < _MAX_DEPTH:
                seen.add(related)
                queue.append((related, f"{path}__", depth + 1))
    return ("organization", found_org) if found_org else None


def tenant_scope(queryset: Any, user: Any) -> Any:
    """``queryset`` cut to what ``user`` may see, if its model is tenant data."""
    found = tenant_path(queryset.model)
    if found is None:
        return queryset
    how, path = found
    if how == "brand":
        return scoped(queryset, user, path)
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if getattr(user, "is_superuser", False):
        return queryset
    visible = user.visible_organizations()
    if how == "self":
        return queryset.filter(pk__in=visible.values("pk"))
    return queryset.filter(**{f"{path}__in": visible.values("pk")})


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: each message on its field, or above it."""
    if isinstance(error, RuleViolation):
        for key, problems in error.errors.items():
            name = key if key in form.fields else None
            for problem in problems:
                form.add_error(name, problem)
    else:
        form.add_error(None, str(error))


class ServiceRefused(Exception):
    """Raised out of ``save_model`` (rolling the admin's transaction back) so that the
    form is shown again with the service's refusal."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


class ScopedRelatedFilter(RelatedOnlyFieldListFilter):
    """A related-field list filter listing only objects the user may see that occur in
    the (scoped) list."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        pk_qs = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        related = tenant_scope(field.related_model._default_manager.all(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = set(related.filter(pk__in=pk_qs).values_list("pk", flat=True))
        return [
            (pk, label)
            for pk, label in field.get_choices(
                include_blank=False, limit_choices_to={"pk__in": pk_qs}, ordering=ordering
            )
            if pk in allowed
        ]


def _is_relation_filter(model: type[Model], name: str) -> bool:
    try:
        fields = get_fields_from_path(model, name)
    except (FieldDoesNotExist, NotRelationField):  # not a model path: keep it as it is
        return False
    return bool(fields) and fields[-1].is_relation


class ScopedAdminMixin:
    """Limit lists, forms, filters and permissions to what the user may see.

    ``brand_path`` leads from the model to its brand organization. Agency staff may view,
    add and change; only superusers delete (history is never thrown away casually).
    Every ForeignKey and ManyToMany choice whose model is tenant data is scoped
    (``tenant_scope``), so a foreign id posted anyway is refused as "Select a valid
    choice"; related-field list filters list only what the user may see. A service called
    from ``save_model`` through ``self.service(...)`` that refuses shows its message on
    the form and saves nothing.
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

    # --- choices: every relation to tenant data is cut to the user's scope ---------------

    def _scoped_choices(self, db_field: Any, request: HttpRequest, kwargs: dict) -> None:
        if tenant_path(db_field.related_model) is None:
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
        if queryset is None:
            queryset = db_field.related_model._default_manager.all()
        kwargs["queryset"] = tenant_scope(queryset, request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    # --- list filters: related fields list only what the user may see -------------------

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str) and _is_relation_filter(self.model, entry):  # type: ignore[attr-defined]
                entry = (entry, ScopedRelatedFilter)
            elif (
                isinstance(entry, tuple)
                and isinstance(entry[1], type)
                and issubclass(entry[1], admin.RelatedFieldListFilter)
            ):
                entry = (entry[0], ScopedRelatedFilter)
            filters.append(entry)
        return filters

    # --- writes: a service's refusal is a form error -------------------------------------

    def service(self, function: Any, /, **kwargs: Any) -> Any:
        """Call a service from ``save_model``; a refusal re-shows the form with it."""
        try:
            return function(**kwargs)
        except DomainError as error:
            raise ServiceRefused(error) from error

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: Any = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        view = super().changeform_view  # type: ignore[misc]
        try:
            return view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The admin's transaction is rolled back; validate again with the refusal.
            request._service_refusal = refused.error  # type: ignore[attr-defined]
            return view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        refusal = getattr(request, "_service_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):  # type: ignore[misc, valid-type]
            def clean(self) -> Any:
                data = super().clean()
                add_domain_error(self, refusal)
                return data

        RefusedForm.__name__ = form.__name__
        return RefusedForm


class ScopedInlineMixin(ScopedAdminMixin):
    """Inlines follow their parent's scope; the queryset is already the parent's rows."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super(ScopedAdminMixin, self).get_queryset(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._staff(request) or super().has_delete_permission(request, obj)  # type: ignore[misc]


def staff_site_header() -> None:
    """The admin site's names, in the reader's language: the header and title are
    ``settings.UNFOLD``'s (django-unfold shows them; pages Django renders itself read the
    same), the first page is the workbench."""
    admin.site.site_header = settings.UNFOLD["SITE_HEADER"]
    admin.site.site_title = settings.UNFOLD["SITE_TITLE"]
    admin.site.index_title = _("Workbench")


def admin_may_open(request: HttpRequest, label: str) -> bool:
    """Whether ``request.user`` may open the admin list of the model ``label``
    (``"app_label.ModelName"``), as that list itself decides: the sidebar
    (``settings.UNFOLD``) shows a link only to those."""
    model_admin = admin.site._registry.get(apps.get_model(label))
    return bool(model_admin and model_admin.has_view_or_change_permission(request))


# The inputs a list action takes (a date, an amount, a reason) sit in django-unfold's
# action bar beside its action menu: they are styled as that menu is.
ACTION_BAR_INPUT = {
    "class": " ".join(
        [
            "group-[.changelist-actions]:!bg-white/20",
            "group-[.changelist-actions]:font-medium",
            "group-[.changelist-actions]:px-2",
            "group-[.changelist-actions]:py-1",
            "group-[.changelist-actions]:rounded-default",
            "group-[.changelist-actions]:!text-current",
            "group-[.changelist-actions]:!outline-primary-400",
            "group-[.changelist-actions]:dark:!outline-primary-700",
        ]
    )
}


class PeriodListFilter(admin.SimpleListFilter):
    """Filter dated rows by calendar month (YYYY-MM)."""

    title = _("period")
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

    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        periods = (
            model_admin.get_queryset(request).exclude(period=None).values_list("period", flat=True)
        )
        return [(p, p) for p in sorted(set(periods), reverse=True)[:36]]

    def queryset(self, request, queryset):
        return queryset.filter(period=self.value()) if self.value() else queryset
