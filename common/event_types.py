"""The one list of event types: every ``Event.action`` the product writes, with its label.

The admin's history, the portal's statement history and the e-mails read labels from
here. ``BRAND_VISIBLE`` are the events a brand reads in its portal; the rest (drafts,
runs, tokens) stay internal. Flags and notices are written as ``flag.<name>`` and
``notice.<kind>``.
"""

from django.utils.translation import gettext_lazy as _

EVENT_TYPES = {
    "agreement.created": _("Agreement created"),
    "agreement.changed": _("Agreement changed"),
    "agreement.activated": _("Agreement activated"),
    "agreement.renewed": _("Agreement renewed"),
    "agreement.expired": _("Agreement expired"),
    "agreement.terminated": _("Agreement terminated"),
    "agreement.renewal_objection": _("Objection to renewal recorded"),
    "organization.created": _("Organization created"),
    "organization.changed": _("Organization changed"),
    "user.created": _("User created"),
    "api_token.issued": _("API token issued"),
    "api_token.revoked": _("API token revoked"),
    "product.prices_set": _("Product prices set"),
    "sales.recorded": _("Sales recorded"),
    "sales.imported": _("Sales imported"),
    "sales.import_rejected": _("Sales import rejected"),
    "kpi.created": _("KPI record saved"),
    "kpi.fee_withholding_waived": _("Fee withholding waived"),
    "expense.recorded": _("Expense recorded"),
    "statement_run.started": _("Month-end run started"),
    "statement_run.finished": _("Month-end run finished"),
    "statement_run.issue_started": _("Month-end run's drafts sent to be issued"),
    "statement_run.issue_finished": _("Month-end run's drafts issued"),
    "statement.generated": _("Draft generated"),
    "statement.issued": _("Issued"),
    "statement.confirmed": _("Confirmed"),
    "statement.deemed_confirmed": _("Confirmed by silence at the receipt deadline"),
    "statement.disputed": _("Disputed"),
    "statement.dispute_replied": _("The agency replied to the dispute"),
    "statement.dispute_withdrawn": _("Dispute withdrawn"),
    "statement.demanded": _("Statement demanded"),
    "statement.voided": _("Voided"),
    "payment.recorded": _("Payment received"),
    "payments.moved": _("Payments moved over from the previous version"),
    "penalty.waived": _("Penalty waived"),
    "penalty_notice.issued": _("Penalty notice issued"),
    "bank.imported": _("Bank transactions imported"),
    "bank.recorded": _("Bank transactions recorded"),
    "bank.allocated": _("Bank credit allocated"),
    "invoice.recorded": _("Invoice recorded"),
    "invoice.to_reverse": _("Invoices marked for red-letter reversal"),
    "invoice.reversed": _("Invoice reversed (red-letter)"),
    "notice.statement_issued": _("New-statement e-mail sent"),
    "notice.receipt_reminder": _("Receipt reminder sent"),
    "notice.payment_reminder": _("Payment reminder sent"),
    "notice.overdue": _("Overdue notice sent"),
    "notice.breach_notice_sent": _("Breach notice e-mailed to the other side"),
    "breach_notice.sent": _("Breach notice sent"),
    "breach_notice.cured": _("Breach cured"),
    "flag.breach_termination_right": _(
        "Breach not cured in time: the side that sent the notice may terminate"
    ),
    "flag.statement_late": _("Statement late"),
    "flag.brand_termination_right": _(
        "The brand may terminate: statement not issued after a demand"
    ),
    "flag.receipt_overdue": _("Receipt deadline passed"),
    "flag.payment_overdue": _("Payment overdue"),
    "flag.agency_termination_right": _(
        "Overdue past the contract's limit: the agency may terminate"
    ),
    "flag.dispute_unanswered": _("Dispute unanswered past the reply deadline"),
    "daily_run.failed": _("Daily job: some steps failed"),
    "obligation.created": _("Obligation added"),
    "obligation.scheduled": _("Recurring obligation scheduled"),
    "obligation.changed": _("Obligation changed"),
    "obligation.removed": _("Obligation removed: the agreement ends before its period"),
    "obligation.done": _("Obligation done"),
    "obligation.kept": _("Obligation kept until its end date"),
    "obligation.waived": _("Obligation waived"),
    "obligation.missed": _("Obligation missed"),
    "approval.requested": _("Approval requested"),
    "approval.approved": _("Approved"),
    "approval.rejected": _("Rejected"),
    "notice.obligation_reminder": _("Obligation reminder sent"),
    "notice.approval_requested": _("Approval request e-mailed"),
    "balance_confirmation.issued": _("Balance confirmation issued"),
    "balance_confirmation.confirmed": _("Balance confirmed by the brand"),
    "balance_confirmation.disputed": _("Balance disputed by the brand"),
    "webhook.created": _("Webhook added"),
    "webhook.changed": _("Webhook changed"),
    "webhook.deleted": _("Webhook deleted"),
    "webhook.disabled": _("Webhook disabled after failing repeatedly"),
}

BRAND_VISIBLE = frozenset(
    {
        "statement.issued",
        "statement.confirmed",
        "statement.deemed_confirmed",
        "statement.disputed",
        "statement.dispute_replied",
        "statement.dispute_withdrawn",
        "statement.voided",
        "payment.recorded",
        "payments.moved",
        "penalty.waived",
        "invoice.recorded",
        "invoice.to_reverse",
        "invoice.reversed",
        "notice.statement_issued",
        "notice.receipt_reminder",
        "notice.payment_reminder",
        "notice.overdue",
        "flag.receipt_overdue",
        "flag.payment_overdue",
        "flag.agency_termination_right",
        "breach_notice.sent",
        "breach_notice.cured",
        "flag.breach_termination_right",
    }
)


def event_label(action: str) -> str:
    """The label of ``action`` in the active language; an unknown code is shown as is."""
    label = EVENT_TYPES.get(action)
    return str(label) if label is not None else action
