from django.contrib import admin
from django.urls import include, path

from accounts.portal import root_redirect
from common.views import healthz, integration_guide

urlpatterns = [
    path("", root_redirect, name="root"),
    path("portal/", include("config.portal_urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/guide/", integration_guide, name="integration-guide"),
    path("api/", include("config.api_urls")),
]
# Media (statement PDFs, uploaded files) is never served by URL: every file goes through
# a view that checks the caller's scope (admin, portal, API).
