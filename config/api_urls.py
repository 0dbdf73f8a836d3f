"""/api/v1/ — every app contributes its ROUTES; schema and Swagger UI served locally.

An app may add actions under another app's prefix (settlements adds
``agreements/{id}/demand/``); the API root then lists the prefix once, as its first
registration (the one with the list).
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ROUTES as ACCOUNTS
from banking.api import ROUTES as BANKING
from common.api.views import ROUTES as CORE
from contracts.api import ROUTES as CONTRACTS
from kpis.api import ROUTES as KPIS
from obligations.api import ROUTES as OBLIGATIONS
from receivables.api import ROUTES as RECEIVABLES
from settlements.api import ROUTES as SETTLEMENTS


class Router(DefaultRouter):
    def get_api_root_view(self, api_urls: Any = None) -> Any:
        list_name = self.routes[0].name
        api_root_dict: dict[str, str] = {}
        for prefix, _viewset, basename in self.registry:
            api_root_dict.setdefault(prefix, list_name.format(basename=basename))
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = Router()
for prefix, viewset, basename in [
    *ACCOUNTS,
    *CONTRACTS,
    *KPIS,
    *SETTLEMENTS,
    *OBLIGATIONS,
    *BANKING,
    *RECEIVABLES,
    *CORE,
]:
    router.register(prefix, viewset, basename=basename)

NO_SUCH_PATH = "没有这个地址 / no such API path"


@csrf_exempt  # it changes nothing; a POST with a session cookie still gets JSON
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/ answers 404 in JSON, as the API's other errors do (an id
    the router's pattern does not take, like ``statements/0.5/``, would get Django's HTML
    page). A path that only lacks its final slash is redirected to it, as APPEND_SLASH
    does for paths nothing matches."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse(
        {"detail": NO_SUCH_PATH}, status=404, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/", include("integrations.api_urls")),  # webhooks/ (integrations.api)
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<rest>[\s\S]*)$", api_not_found),  # [\s\S]: newlines too
]
