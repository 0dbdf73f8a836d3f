"""The brand portal's receivables and balance-confirmation pages (included by config.portal_urls)."""

from django.urls import path

from receivables import portal

urlpatterns = [
    path("receivables/", portal.ReceivablesView.as_view(), name="receivables"),
    path(
        "balance-confirmations/<int:pk>/",
        portal.BalanceConfirmationView.as_view(),
        name="balance_confirmation",
    ),
    path(
        "balance-confirmations/<int:pk>/confirm/",
        portal.BalanceConfirmationConfirmView.as_view(),
        name="balance_confirmation_confirm",
    ),
    path(
        "balance-confirmations/<int:pk>/dispute/",
        portal.BalanceConfirmationDisputeView.as_view(),
        name="balance_confirmation_dispute",
    ),
    path(
        "balance-confirmations/<int:pk>/pdf/",
        portal.BalanceConfirmationPdfView.as_view(),
        name="balance_confirmation_pdf",
    ),
    path(
        "balance-confirmations/<int:pk>/items.xlsx",
        portal.BalanceConfirmationXlsxView.as_view(),
        name="balance_confirmation_xlsx",
    ),
]
