"""/api/v1/ — every app contributes its ROUTES; schema and Swagger UI served locally."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ROUTES as ACCOUNTS
from common.api.views import ROUTES as CORE
from contracts.api import ROUTES as CONTRACTS
from kpis.api import ROUTES as KPIS
from settlements.api import ROUTES as SETTLEMENTS

router = DefaultRouter()
for prefix, viewset, basename in [*ACCOUNTS, *CONTRACTS, *KPIS, *SETTLEMENTS, *CORE]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
