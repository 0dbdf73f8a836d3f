"""REST API of this app (see shared/API.md). ROUTES is registered by config/api_urls.py."""

ROUTES: list = []  # (prefix, viewset, basename)
