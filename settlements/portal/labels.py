"""The portal's wording of statements and agreements, and what a brand may see of them.

Drafts are the agency's work in progress and are never shown.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from common import clock
from common.portal import BrandPortalMixin
from contracts.models import Agreement, Party
from settlements.models import Statement
from settlements.selectors import confirmed_by_silence_on

VIEWERS_CANNOT_ACT = gettext_lazy(
    "Only your company's finance users can confirm or dispute statements. "
    "Your account can read everything but cannot act."
)

KIND_LABELS = {
    Statement.Kind.MONTHLY: gettext_lazy("Monthly statement"),
    Statement.Kind.SETUP_FEE: gettext_lazy("Setup fee bill"),
    Statement.Kind.INSTALLMENT: gettext_lazy("Installment bill"),
    Statement.Kind.PENALTY: gettext_lazy("Penalty notice"),
}
STATUS_LABELS = {
    Statement.Status.DRAFT: gettext_lazy("Draft"),
    Statement.Status.ISSUED: gettext_lazy("Awaiting your receipt"),
    Statement.Status.CONFIRMED: gettext_lazy("Confirmed"),
    Statement.Status.DISPUTED: gettext_lazy("Disputed"),
    Statement.Status.VOID: gettext_lazy("Void"),
}
PAYMENT_LABELS = {
    Statement.PaymentStatus.UNPAID: gettext_lazy("Unpaid"),
    Statement.PaymentStatus.PARTIALLY_PAID: gettext_lazy("Partly paid"),
    Statement.PaymentStatus.PAID: gettext_lazy("Paid"),
}
ISSUED_LABEL = gettext_lazy("Issued")
CONFIRMED_BY_SILENCE_LABEL = gettext_lazy("Confirmed (by silence)")
AGREEMENT_KIND_LABELS = {
    Agreement.Kind.B2B_COMMISSION: gettext_lazy("B2B distributor recruitment"),
    Agreement.Kind.REVENUE_SHARE: gettext_lazy("Revenue share"),
    Agreement.Kind.CONSULTING_FIXED_FEE: gettext_lazy("Fixed-fee consulting"),
}
PARTY_LABELS = {
    Party.NONE: gettext_lazy("nobody"),
    Party.BRAND: gettext_lazy("you (the brand)"),
    Party.AGENCY: gettext_lazy("the agency"),
    Party.BOTH: gettext_lazy("both sides"),
}
FILTER_STATUSES = [
    (Statement.Status.ISSUED, STATUS_LABELS[Statement.Status.ISSUED]),
    (Statement.Status.CONFIRMED, STATUS_LABELS[Statement.Status.CONFIRMED]),
    (Statement.Status.DISPUTED, STATUS_LABELS[Statement.Status.DISPUTED]),
    (Statement.Status.VOID, STATUS_LABELS[Statement.Status.VOID]),
]
OVERDUE = "overdue"
FILTER_PAYMENTS = [
    (Statement.PaymentStatus.UNPAID, PAYMENT_LABELS[Statement.PaymentStatus.UNPAID]),
    (
        Statement.PaymentStatus.PARTIALLY_PAID,
        PAYMENT_LABELS[Statement.PaymentStatus.PARTIALLY_PAID],
    ),
    (Statement.PaymentStatus.PAID, PAYMENT_LABELS[Statement.PaymentStatus.PAID]),
    (OVERDUE, gettext_lazy("Overdue")),
]


def awaits_receipt(statement: Statement) -> bool:
    """Whether the brand is asked to confirm or dispute: an issued statement with a receipt
    deadline (monthly statements only) that silence has not confirmed yet, whether or not
    the daily job has recorded that."""
    return (
        statement.status == Statement.Status.ISSUED
        and statement.receipt_due_on is not None
        and confirmed_by_silence_on(statement, today=clock.today()) is None
    )


def deemed_confirmed_on(statement: Statement) -> date | None:
    """The day silence confirmed ``statement``, recorded or not yet, else None."""
    if statement.deemed_confirmed:
        return statement.confirmed_on
    return confirmed_by_silence_on(statement, today=clock.today())


def label(statement: Statement) -> Statement:
    """Attach the portal's wording of kind, review status and payment status."""
    statement.kind_label = KIND_LABELS.get(statement.kind, statement.kind)  # type: ignore[attr-defined]
    status_label = STATUS_LABELS.get(statement.status, statement.status)
    deemed_on = deemed_confirmed_on(statement)
    statement.deemed_on = deemed_on  # type: ignore[attr-defined]
    if deemed_on is not None:
        status_label = CONFIRMED_BY_SILENCE_LABEL
    elif not awaits_receipt(statement) and statement.status == Statement.Status.ISSUED:
        status_label = ISSUED_LABEL  # a bill without a receipt step (one-off, penalty)
    statement.status_label = status_label  # type: ignore[attr-defined]
    statement.payment_label = PAYMENT_LABELS.get(  # type: ignore[attr-defined]
        statement.payment_status, statement.payment_status
    )
    return statement


def visible_statements(view: BrandPortalMixin) -> QuerySet[Statement]:
    """The brand's statements as the brand sees them: every version except drafts."""
    return (
        view.scoped(Statement.objects.all(), "agreement__brand")
        .exclude(status=Statement.Status.DRAFT)
        .select_related("agreement")
    )


def visible_agreements(view: BrandPortalMixin) -> QuerySet[Agreement]:
    return view.scoped(Agreement.objects.all(), "brand").exclude(status=Agreement.Status.DRAFT)
