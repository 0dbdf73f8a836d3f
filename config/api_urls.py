"""/api/v1/ — every app contributes its ROUTES; schema and Swagger UI served locally.

An app may add actions under another app's prefix (settlements adds
``agreements/{id}/demand/``); the API root then lists the prefix once, as its first
registration (the one with the list).
"""

from typing import Any

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ROUTES as ACCOUNTS
from common.api.views import ROUTES as CORE
from contracts.api import ROUTES as CONTRACTS
from kpis.api import ROUTES as KPIS
from settlements.api import ROUTES as SETTLEMENTS


class Router(DefaultRouter):
    def get_api_root_view(self, api_urls: Any = None) -> Any:
        list_name = self.routes[0].name
        api_root_dict: dict[str, str] = {}
        for prefix, _viewset, basename in self.registry:
            api_root_dict.setdefault(prefix, list_name.format(basename=basename))
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = Router()
for prefix, viewset, basename in [*ACCOUNTS, *CONTRACTS, *KPIS, *SETTLEMENTS, *CORE]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
