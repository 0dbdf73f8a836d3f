"""The brand's dashboard: what is owed and overdue, statements awaiting the receipt,
flags (late statements, termination rights), KPI and sales panels, the agreements' terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from common import clock
from common.portal import BrandPortalMixin, date_text, iso_date_text
from common.templatetags.portal import period_text
from contracts.models import Agreement
from core.periods import Period
from kpis.panels import kpi_panels, sales_panels
from settlements import calculations as calc
from settlements import selectors
from settlements.models import Statement
from settlements.portal.labels import (
    AGREEMENT_KIND_LABELS,
    label,
    visible_agreements,
    visible_statements,
)
from settlements.portal.terms import agreement_terms

OVERDUE_SHOWN = 5  # the dashboard lists the longest overdue; the list page has them all


@dataclass(frozen=True)
class OpenItem:
    """An open statement with what is owed on it as of today."""

    statement: Statement
    state: selectors.PenaltyState

    @property
    def outstanding(self) -> Decimal:
        return self.state.outstanding

    @property
    def penalty_accrued(self) -> Decimal:
        """The late penalty to date, less what was waived (billed or not)."""
        return self.state.penalty_net_of_waivers


FLAG_TEXTS = {
    "statement_late": gettext_lazy(
        "The %(period)s statement of %(agreement)s was not issued by %(deadline)s. You may "
        "send the agency a written demand (催缴)."
    ),
    "brand_termination_right": gettext_lazy(
        "The %(period)s statement of %(agreement)s is still missing %(demand_days)s days "
        "after your demand of %(demanded_on)s: you hold a right to terminate the agreement."
    ),
    "receipt_overdue": gettext_lazy(
        "You did not answer statement %(statement)s by %(deadline)s: it counts as confirmed "
        "on that day."
    ),
    "agency_termination_right": gettext_lazy(
        "Statement %(statement)s is %(days)s days overdue: the agency holds a right to "
        "terminate %(agreement)s until it is paid."
    ),
    # A breach notice not cured by its deadline: read by the side that holds the right.
    "breach_termination_right:brand": gettext_lazy(
        "The agency did not cure the breach in your notice %(notice)s by %(cure_by)s: you "
        "hold a right to terminate %(agreement)s until it is cured."
    ),
    "breach_termination_right:agency": gettext_lazy(
        "Your company did not cure the breach in the agency's notice %(notice)s by "
        "%(cure_by)s: the agency holds a right to terminate %(agreement)s until it is cured."
    ),
}
TERMINATION_FLAGS = (
    "brand_termination_right",
    "agency_termination_right",
    "breach_termination_right",
)


def flag_rows(flags: list[selectors.Flag]) -> list[dict[str, Any]]:
    """The flags a brand should read, as sentences; overdue payments are listed apart."""
    rows = []
    for flag in flags:
        held_by = flag.detail.get("held_by") if flag.notice is not None else None
        text = FLAG_TEXTS.get(f"{flag.name}:{held_by}" if held_by else flag.name)
        if text is None:
            continue
        statement = flag.statement
        values = {
            "agreement": flag.agreement.number,
            "period": period_text(flag.period) if flag.period else "",
            "deadline": iso_date_text(flag.detail.get("deadline"))
            if flag.name == "statement_late"
            else date_text(statement.receipt_due_on if statement else None),
            "demanded_on": iso_date_text(flag.detail.get("demanded_on")),
            "demand_days": calc.DEMAND_ISSUE_DAYS,
            "statement": statement.number if statement else "",
            "days": flag.detail.get("days", ""),
            "notice": flag.detail.get("notice", ""),
            "cure_by": iso_date_text(flag.detail.get("cure_by")),
        }
        if flag.notice is not None:
            url = reverse("portal:breach_notice", args=[flag.notice.pk])
        else:
            url = reverse("portal:statement", args=[statement.pk]) if statement else ""
        rows.append(
            {
                "name": flag.name,
                "text": str(text) % values,
                "termination": flag.name in TERMINATION_FLAGS,
                "url": url,
            }
        )
    rows.sort(key=lambda row: not row["termination"])
    return rows


class DashboardView(BrandPortalMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        agreements = visible_agreements(self)
        active = list(
            agreements.filter(status=Agreement.Status.ACTIVE)
            .select_related("bank_account", "b2b_terms", "revenue_share_terms", "consulting_terms")
            .prefetch_related("installments")
            .order_by("number")
        )
        statements = visible_statements(self)
        unpaid = list(
            statements.open()
            .exclude(payment_status=Statement.PaymentStatus.PAID)
            .select_related("agreement__revenue_share_terms")
        )
        states = selectors.statement_penalties(statements=unpaid, as_of=today)
        open_items = [OpenItem(label(st), states[st.pk]) for st in unpaid]
        open_items = [item for item in open_items if item.outstanding > 0]
        overdue = sorted(
            (item for item in open_items if item.state.days_overdue > 0),
            key=lambda item: -item.state.days_overdue,
        )
        upcoming = sorted(
            (
                item
                for item in open_items
                if item.state.days_overdue == 0 and item.statement.payment_due_on
            ),
            key=lambda item: item.statement.payment_due_on,
        )
        awaiting = [
            label(st)
            for st in statements.filter(status=Statement.Status.ISSUED, receipt_due_on__gte=today)
        ]  # past its deadline, silence has confirmed it: nothing left to answer
        awaiting.sort(key=lambda st: (st.receipt_due_on or date.max, st.number))
        flags = flag_rows(selectors.flags_as_of(as_of=today, agreements=agreements))
        context.update(
            {
                "today": today,
                "this_period": Period.of(today),
                "agreements": [
                    {
                        "agreement": agreement,
                        "kind_label": AGREEMENT_KIND_LABELS.get(agreement.kind, agreement.kind),
                        "terms": agreement_terms(agreement),
                    }
                    for agreement in active
                ],
                "owed": sum((item.outstanding for item in open_items), Decimal("0.00")),
                "overdue_total": sum((item.outstanding for item in overdue), Decimal("0.00")),
                "penalty_total": sum((item.penalty_accrued for item in overdue), Decimal("0.00")),
                "open_count": len(open_items),
                "overdue": overdue[:OVERDUE_SHOWN],
                "overdue_count": len(overdue),
                "upcoming": upcoming[:5],
                "next_due": upcoming[0] if upcoming else None,
                "awaiting": awaiting,
                "termination_flags": [f for f in flags if f["termination"]],
                "notice_flags": [f for f in flags if not f["termination"]],
                "kpi_panels": kpi_panels(agreements=active, today=today),
                "sales_panels": sales_panels(agreements=active, today=today),
            }
        )
        return context
