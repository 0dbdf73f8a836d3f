"""What the generated admin-wall tests share: the registry, the allowlist, and how to
submit an admin page the way a browser would, with one choice swapped for another
agency's object."""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import model_to_dict

from common.admin_helpers import tenant_path, tenant_scope

# Registered models that are not one agency's data, each with the reason. Every other
# registered model must lead to a tenant (``tenant_path``), or the registry test fails.
NOT_TENANT_DATA = {
    "core.Holiday": "the working-day calendar is shared by every agency (statutory days)",
    "auth.Group": "permission groups are installation configuration, superusers only",
    "settlements.DailyRun": (
        "the daily job covers the whole installation by design; each viewer sees only "
        "their agency's part of a run's summary (selectors.daily_run_visible_part)"
    ),
}


def registered() -> list[tuple[str, Any]]:
    return sorted(
        (model._meta.label, model_admin) for model, model_admin in admin.site._registry.items()
    )


def tenant_admins() -> list[tuple[str, Any]]:
    return [
        (label, model_admin)
        for label, model_admin in registered()
        if label not in NOT_TENANT_DATA and tenant_path(model_admin.model) is not None
    ]


def only_theirs(model: Any, theirs: Any, mine: Any, limit: Any = None) -> Any:
    """Rows of ``model`` that ``theirs`` may see and ``mine`` may not."""
    queryset = tenant_scope(model._default_manager.all(), theirs).exclude(
        pk__in=tenant_scope(model._default_manager.all(), mine).values("pk")
    )
    if limit:
        queryset = queryset.complex_filter(limit)
    return queryset.order_by("pk")


def page_forms(response: Any) -> list[forms.BaseForm]:
    """The main form, then each inline's management form, forms and empty form."""
    context = response.context
    found = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets") or []:
        found.append(inline.formset.management_form)
        found.extend(inline.formset.forms)
    return found


def choice_fields(response: Any) -> list[tuple[str, Any]]:
    """Every model choice offered on the page (inlines' empty forms included)."""
    context = response.context
    found = list(context["adminform"].form.fields.items())
    for inline in context.get("inline_admin_formsets") or []:
        found.extend(inline.formset.empty_form.fields.items())
        for form in inline.formset.forms:
            found.extend(form.fields.items())
    # An inline row's hidden ``id`` is not a choice: Django looks it up among the
    # parent's own rows.
    return [
        (name, field)
        for name, field in found
        if isinstance(field, forms.ModelChoiceField)
        and not field.disabled
        and not isinstance(field.widget, forms.HiddenInput)
    ]


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value


def page_data(response: Any) -> dict[str, Any]:
    """What submitting the page unchanged would post."""
    data: dict[str, Any] = {}
    for form in page_forms(response):
        for bound in form:
            if bound.field.disabled:
                continue
            value, widget = bound.value(), bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(widget, forms.MultiWidget) and not isinstance(value, list):
                for index, part in enumerate(widget.decompress(value)):
                    if part is not None:
                        data[f"{bound.html_name}_{index}"] = str(part)
                continue
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(_plain(v)) for v in value]
            else:
                data[bound.html_name] = str(_plain(value))
    return data


def snapshot(obj: Any) -> dict[str, Any]:
    obj = type(obj)._default_manager.get(pk=obj.pk)
    values = model_to_dict(obj)
    return {
        k: [_plain(v) for v in val] if isinstance(val, list) else val for k, val in values.items()
    }
