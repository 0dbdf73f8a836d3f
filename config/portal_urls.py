"""/portal/ — the client portal for brand owners (甲方): dashboard, statements, sales, KPIs,
and the login and password pages."""

from django.urls import include, path

from accounts import portal as accounts_portal
from kpis import portal as kpis_portal
from settlements import portal as settlements_portal
from settlements.portal.detail import StatementDetailXlsxView
from settlements.portal.invoices import InvoiceFileView, InvoiceListView

app_name = "portal"

urlpatterns = [
    path("", include("receivables.portal_urls")),  # receivables, balance confirmations
    path("", include("obligations.portal_urls")),  # obligations, approvals, breach notices
    path("", settlements_portal.DashboardView.as_view(), name="dashboard"),
    # Signing in and out, passwords.
    path("login/", accounts_portal.PortalLoginView.as_view(), name="login"),
    path("logout/", accounts_portal.PortalLogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        accounts_portal.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        accounts_portal.PortalPasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/", accounts_portal.PortalPasswordResetView.as_view(), name="password_reset"
    ),
    path(
        "password/reset/sent/",
        accounts_portal.PortalPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts_portal.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        accounts_portal.PortalPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Statements and the receipt (回执).
    path("statements/", settlements_portal.StatementListView.as_view(), name="statements"),
    path(
        "statements/<int:pk>/", settlements_portal.StatementDetailView.as_view(), name="statement"
    ),
    path(
        "statements/<int:pk>/pdf/",
        settlements_portal.StatementPdfView.as_view(),
        name="statement_pdf",
    ),
    path(
        "statements/<int:pk>/detail.xlsx",
        StatementDetailXlsxView.as_view(),
        name="statement_detail",
    ),
    path(
        "statements/<int:pk>/confirm/",
        settlements_portal.StatementConfirmView.as_view(),
        name="statement_confirm",
    ),
    path(
        "statements/<int:pk>/dispute/",
        settlements_portal.StatementDisputeView.as_view(),
        name="statement_dispute",
    ),
    path(
        "statements/<int:pk>/withdraw-dispute/",
        settlements_portal.StatementWithdrawDisputeView.as_view(),
        name="statement_withdraw",
    ),
    path(
        "statements/<int:pk>/attachments/<int:attachment_id>/",
        settlements_portal.DisputeAttachmentView.as_view(),
        name="statement_attachment",
    ),
    # Invoices (发票) and their files.
    path("invoices/", InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/file/", InvoiceFileView.as_view(), name="invoice_file"),
    # What the agency recorded: sales and KPIs, read-only.
    path("sales/", kpis_portal.SalesView.as_view(), name="sales"),
    path("sales/export.csv", kpis_portal.SalesCsvView.as_view(), name="sales_csv"),
    path(
        "sales/<int:agreement_pk>/<str:period>/",
        kpis_portal.SalesMonthView.as_view(),
        name="sales_month",
    ),
    path("kpis/", kpis_portal.KpiView.as_view(), name="kpis"),
    path("kpis/export.csv", kpis_portal.KpiCsvView.as_view(), name="kpis_csv"),
    # The brand's invoicing details (开票信息).
    path("invoicing/", accounts_portal.InvoicingDetailsView.as_view(), name="invoicing"),
]
