"""The brand portal's receivables and balance-confirmation pages (included by config.portal_urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
