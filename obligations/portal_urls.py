"""The brand portal's obligations, approvals and breach-notice pages (included by config.portal_urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
