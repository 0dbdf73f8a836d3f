"""The staff admin on django-unfold (issue 12): every admin of ours is unfold's with the
tenant walls still in front of it, the site reads in the reader's language, the sidebar
shows only what the user may open, and no template of ours points at another host."""

import inspect
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.models import Group
from unfold.admin import BaseInlineMixin
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.sites import UnfoldAdminSite

from accounts import admin as accounts_admin
from accounts.models import User
from common import admin as common_admin
from common.admin_helpers import ScopedAdminMixin, admin_may_open
from contracts import admin as contracts_admin
from kpis import admin as kpis_admin
from kpis import admin_imports as kpis_admin_imports
from settlements.admin import money as settlements_money
from settlements.admin import runs as settlements_runs
from settlements.admin import statements as settlements_statements
from tests import factories as f

OUR_ADMIN_MODULES = [
    accounts_admin,
    common_admin,
    contracts_admin,
    kpis_admin,
    kpis_admin_imports,
    settlements_money,
    settlements_runs,
    settlements_statements,
]
OUR_APPS = {"accounts", "common", "contracts", "kpis", "settlements"}
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _ours():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if type(model_admin).__module__.split(".")[0] in OUR_APPS
    ]


def test_the_site_and_every_admin_of_ours_is_unfolds():
    assert isinstance(admin.site, UnfoldAdminSite)
    ours = _ours()
    assert len(ours) >= 17
    for model, model_admin in [*ours, (Group, admin.site._registry[Group])]:
        assert isinstance(model_admin, UnfoldModelAdmin), model._meta.label
    inlines = [
        cls
        for module in OUR_ADMIN_MODULES
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and issubclass(cls, InlineModelAdmin)
        and cls.__module__ == module.__name__
    ]
    assert len(inlines) >= 8
    for inline in inlines:
        assert issubclass(inline, BaseInlineMixin), inline.__name__


def test_the_tenant_walls_stay_in_front_of_unfold():
    """ScopedAdminMixin's queryset, choices and filters must run before unfold's."""
    scoped = [
        model_admin for _model, model_admin in _ours() if isinstance(model_admin, ScopedAdminMixin)
    ]
    assert len(scoped) >= 14
    for model_admin in scoped:
        mro = type(model_admin).__mro__
        assert mro.index(ScopedAdminMixin) < mro.index(UnfoldModelAdmin), type(model_admin)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "other"),
    [
        ("zh-hans", "工作台 | 代运营结算", "Agency settlements"),
        ("en", "Workbench | Agency settlements", "代运营结算"),
    ],
)
def test_the_site_names_read_in_one_language(client, language, title, other):
    client.force_login(f.user(f.agency(), User.Role.AGENCY_STAFF))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/admin/").content.decode()
    found = re.search(r"<title>\s*(.*?)\s*</title>", page, re.S)
    assert found is not None and found.group(1) == title
    assert other not in page


@pytest.mark.django_db
def test_the_sidebar_shows_only_what_the_user_may_open(client, rf):
    staff = f.user(f.agency(), User.Role.AGENCY_STAFF)
    # Staff status without a role or permissions: the admin opens, its lists do not.
    bare = User.objects.create_user(username="bare", password="pw-Test-1234", is_staff=True)
    for user, opens_statements in ((staff, True), (bare, False)):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 200
        request = rf.get("/admin/")
        request.user = user
        items = [
            item for group in response.context["sidebar_navigation"] for item in group["items"]
        ]
        # the workbench, the receivables page and 21 lists (obligations, invoices and bank
        # transactions among them)
        assert len(items) == 24
        page = response.content.decode()
        for item in items:
            link = str(item["link"])
            if "permission" in item:
                label = item["permission"].keywords["label"]
                assert item["has_permission"] == admin_may_open(request, label), label
            shown = f'href="{link}"' in page
            assert shown == item["has_permission"], link
        statements = next(i for i in items if str(i["link"]).endswith("/settlements/statement/"))
        assert statements["has_permission"] is opens_statements
        home = items[0]
        assert home["has_permission"] and str(home["link"]) == "/admin/"


@pytest.mark.django_db
def test_a_login_opened_directly_lands_on_the_admin(client):
    """unfold's login page drops Django's hidden "next" field; ours puts it back."""
    staff = f.user(f.agency(), User.Role.AGENCY_STAFF)
    page = client.get("/admin/login/").content.decode()
    assert '<input type="hidden" name="next" value="/admin/" form="login-form">' in page
    response = client.post(
        "/admin/login/", {"username": staff.username, "password": "pw-Test-1234", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_no_admin_template_or_stylesheet_points_at_another_host():
    files = [
        *TEMPLATES.joinpath("admin").rglob("*.html"),
        Path(settings.BASE_DIR) / "static/css/admin.css",
    ]
    assert len(files) >= 13
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
