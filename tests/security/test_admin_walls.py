"""Admin walls, generated from the admin's registry: every registered ModelAdmin whose
model is one agency's data is attacked as agency B's staff, the way issue 11 found the
holes (another agency's ids posted into the forms). A model registered tomorrow is
covered without anyone remembering it; one that is not tenant data must be named in
``walls.NOT_TENANT_DATA`` with its reason.
"""

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from common.admin_helpers import tenant_path, tenant_scope
from common.models import Event
from tests.security.walls import (
    NOT_TENANT_DATA,
    choice_fields,
    only_theirs,
    page_data,
    registered,
    snapshot,
    tenant_admins,
)

pytestmark = pytest.mark.django_db

TENANT_ADMINS = tenant_admins()
LABELS = [label for label, _admin in TENANT_ADMINS]


def _app_name(label):
    try:
        return apps.get_app_config(label.split(".")[0]).name
    except LookupError:
        return label.split(".")[0]


def _admin(label):
    return dict(TENANT_ADMINS)[label]


def _url(model_admin, view, *args):
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _no_trace_of(world, text):
    leaked = [marker for marker in world.a.markers if marker in text]
    assert not leaked, f"agency A's {leaked} shown to agency B's staff"


def _mine(model_admin, world):
    """One of B's objects of this model, if there is one."""
    return (
        tenant_scope(model_admin.model._default_manager.all(), world.b.staff).order_by("pk").first()
    )


@pytest.fixture
def b_client(client, world):
    client.force_login(world.b.staff)
    return client


def test_every_registered_model_is_tenant_data_or_allowlisted_with_a_reason():
    for label, model_admin in registered():
        assert tenant_path(model_admin.model) is not None or label in NOT_TENANT_DATA, (
            f"{label} is registered in the admin but leads to no organization: scope it, "
            f"or name it in NOT_TENANT_DATA with the reason"
        )
    registered_labels = {label for label, _admin in registered()}
    installed = {label for label in NOT_TENANT_DATA if apps.is_installed(_app_name(label))}
    assert installed <= registered_labels, "an allowlisted model is no longer registered"
    assert all(reason.strip() for reason in NOT_TENANT_DATA.values())
    # the models are all walled
    assert {
        "kpis.KpiRecord",
        "kpis.Promotion",
        "settlements.Expense",
        "settlements.PenaltyWaiver",
        "contracts.Agreement",
        "settlements.StatementRun",
    } <= set(LABELS)


@pytest.mark.parametrize("label", LABELS)
def test_changelist_and_its_filters_show_nothing_of_another_agency(b_client, world, label):
    model_admin = _admin(label)
    response = b_client.get(_url(model_admin, "changelist"))
    if response.status_code == 403:
        return  # not offered to agency staff at all
    assert response.status_code == 200
    _no_trace_of(world, response.content.decode())
    changelist = response.context["cl"]
    for spec in changelist.filter_specs:
        shown = " ".join(str(choice.get("display")) for choice in spec.choices(changelist))
        _no_trace_of(world, shown)
    a_rows = only_theirs(model_admin.model, world.a.staff, world.b.staff)
    listed = {obj.pk for obj in changelist.queryset}
    assert not listed & set(a_rows.values_list("pk", flat=True))


def _pages(model_admin, world):
    """The add page and the change page of one of B's objects (when B has one)."""
    pages = [("add", _url(model_admin, "add"), None)]
    mine = _mine(model_admin, world)
    if mine is not None:
        pages.append(("change", _url(model_admin, "change", mine.pk), mine))
    return pages


@pytest.mark.parametrize("label", LABELS)
def test_form_selects_offer_nothing_of_another_agency(b_client, world, label):
    model_admin = _admin(label)
    for _kind, url, _obj in _pages(model_admin, world):
        response = b_client.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, url
        _no_trace_of(world, response.content.decode())
        for name, field in choice_fields(response):
            model = field.queryset.model
            if tenant_path(model) is None:
                continue
            theirs = only_theirs(model, world.a.staff, world.b.staff)
            offered = set(field.queryset.values_list("pk", flat=True))
            assert not offered & set(theirs.values_list("pk", flat=True)), (url, name)


@pytest.mark.parametrize("label", LABELS)
def test_posting_another_agencys_ids_is_refused_and_saves_nothing(b_client, world, label):
    model_admin = _admin(label)
    model = model_admin.model
    attacked = 0
    for kind, url, obj in _pages(model_admin, world):
        page = b_client.get(url)
        if page.status_code != 200 or "adminform" not in page.context:
            continue
        base = page_data(page)
        main_form = page.context["adminform"].form
        for name, field in choice_fields(page):
            if name not in main_form.fields or tenant_path(field.queryset.model) is None:
                continue
            foreign = only_theirs(
                field.queryset.model, world.a.staff, world.b.staff, field.get_limit_choices_to()
            ).first()
            if foreign is None:
                continue
            attacked += 1
            data = dict(base)
            multiple = isinstance(field, forms.ModelMultipleChoiceField)
            data[name] = [str(foreign.pk)] if multiple else str(foreign.pk)
            count, events = model._default_manager.count(), Event.objects.count()
            before = snapshot(obj) if obj is not None else None
            response = b_client.post(url, data)
            assert response.status_code in (200, 403, 404), (kind, name, response.status_code)
            if response.status_code == 200:
                errors = response.context["adminform"].form.errors
                assert name in errors, (kind, name, "saved or refused for another reason", errors)
            assert model._default_manager.count() == count, (kind, name)
            assert Event.objects.count() == events, (kind, name)
            if obj is not None:
                assert snapshot(obj) == before, (kind, name)
    if label in ("kpis.KpiRecord", "kpis.Promotion", "settlements.Expense"):
        assert attacked, "the issue's attack must be tried on this model"


@pytest.mark.parametrize("label", LABELS)
def test_another_agencys_objects_are_not_found(b_client, world, label):
    model_admin = _admin(label)
    index = reverse("admin:index")
    for obj in only_theirs(model_admin.model, world.a.staff, world.b.staff)[:3]:
        before = snapshot(obj)
        for view in ("change", "history"):
            response = b_client.get(_url(model_admin, view, obj.pk))
            assert response.status_code in (302, 404), (view, obj)
            if response.status_code == 302:
                assert response["Location"] == index
        response = b_client.post(_url(model_admin, "change", obj.pk), {"_save": "1"})
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"] == index
        assert snapshot(obj) == before


def test_the_registry_has_the_admins_these_tests_walk():
    assert admin.site._registry, "the admin registry is empty: nothing would be tested"
    assert len(LABELS) >= 12
