"""The brand portal's obligations, approvals and breach-notice pages (included by config.portal_urls)."""

from django.urls import URLPattern, path

from obligations import portal
from obligations.request_portal import ApprovalRequestView

urlpatterns: list[URLPattern] = [
    path("obligations/", portal.ObligationsView.as_view(), name="obligations"),
    path("obligations/request/", ApprovalRequestView.as_view(), name="approval_request"),
    path("obligations/<int:pk>/approve/", portal.ApproveView.as_view(), name="obligation_approve"),
    path("obligations/<int:pk>/reject/", portal.RejectView.as_view(), name="obligation_reject"),
    path(
        "obligations/<int:pk>/complete/",
        portal.CompleteView.as_view(),
        name="obligation_complete",
    ),
    path(
        "obligations/<int:pk>/files/<int:file_id>/",
        portal.ObligationFileView.as_view(),
        name="obligation_file",
    ),
]

# Breach notices: sent and received, sending one, recording a cure, the PDF.
from obligations.breach_portal import urlpatterns as breach_urls  # noqa: E402

urlpatterns += breach_urls
