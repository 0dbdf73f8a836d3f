"""Client portal pages of settlements: the brand's dashboard, its statements with their
lines, dates, history, payments and PDF, and the receipt (回执) actions.

Every query goes through the brand's scope (``BrandPortalMixin.scoped``), so another
brand's id answers 404. ``config/portal_urls.py`` routes to the views named here.

- ``labels``: the wording of kinds and statuses, and what a brand may see;
- ``terms``: an agreement's terms in plain sentences;
- ``dashboard``: the overview page;
- ``statements``: the list, one statement, its PDF;
- ``actions``: confirm, dispute (with attachments), withdraw a dispute; attachments.
"""

from settlements.portal.actions import (
    DisputeAttachmentView,
    StatementActionView,
    StatementConfirmView,
    StatementDisputeView,
    StatementWithdrawDisputeView,
)
from settlements.portal.dashboard import DashboardView
from settlements.portal.statements import StatementDetailView, StatementListView, StatementPdfView

__all__ = [
    "DashboardView",
    "DisputeAttachmentView",
    "StatementActionView",
    "StatementConfirmView",
    "StatementDetailView",
    "StatementDisputeView",
    "StatementListView",
    "StatementPdfView",
    "StatementWithdrawDisputeView",
]
