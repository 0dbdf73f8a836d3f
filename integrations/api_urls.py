"""``/api/v1/webhooks/``: the webhooks' routes, included by config/api_urls.py."""

from rest_framework.routers import SimpleRouter

from integrations.api import ROUTES

router = SimpleRouter()
for prefix, viewset, basename in ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
