"""The brand portal's obligations, approvals and breach-notice pages (included by config.portal_urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

# Breach notices: sent and received, sending one, recording a cure, the PDF.
from obligations.breach_portal import urlpatterns as breach_urls  # noqa: E402

urlpatterns += breach_urls
