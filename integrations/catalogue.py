"""The webhook event types a subscription may choose, and the product actions behind them.

Every type is written in the audit trail first (``common.events.event_record``); the
listener (``integrations.services.events_fan_out``) reads ``ACTION_TYPES`` to decide
which recorded actions become which webhook type. Labels are English msgids with Chinese
translations (the admin's checkboxes); robot messages are Chinese (``payloads``).
"""

from django.utils.translation import gettext_lazy as _

WEBHOOK_EVENTS = {
    "statement.issued": _("Statement issued"),
    "statement.confirmed": _("Statement confirmed by the brand"),
    "statement.disputed": _("Statement disputed"),
    "statement.deemed_confirmed": _("Statement confirmed by silence"),
    "payment.recorded": _("Payment recorded"),
    "penalty_notice.issued": _("Penalty notice issued"),
    "flag.raised": _("Flag raised (statement late, payment overdue, termination right)"),
    "daily_run.failed": _("Daily job had failures"),
    "import.failed": _("Sales import refused"),
    "invoice.recorded": _("Invoice recorded"),
    "obligation.missed": _("Obligation missed"),
    "approval.requested": _("Approval requested"),
    "approval.decided": _("Approval approved or rejected"),
    "breach_notice.sent": _("Breach notice sent"),
    "breach_notice.cured": _("Breach cured"),
    "balance_confirmation.answered": _("Balance confirmation confirmed or disputed"),
}
EVENT_CHOICES = list(WEBHOOK_EVENTS.items())

# A test event ("Send a test event"), never chosen: it goes to one subscription on request.
TEST_EVENT = "webhook.test"

# The flags that reach a webhook as "flag.raised": statement late, payment overdue, the
# termination rights (a breach not cured in time among them). Receipt overdue becomes statement.deemed_confirmed.
RAISED_FLAGS = (
    "statement_late",
    "payment_overdue",
    "agency_termination_right",
    "brand_termination_right",
    "breach_termination_right",
)

# The product's audit-trail action → the webhook event type it is delivered as.
ACTION_TYPES = {
    "statement.issued": "statement.issued",
    "statement.confirmed": "statement.confirmed",
    "statement.disputed": "statement.disputed",
    "statement.deemed_confirmed": "statement.deemed_confirmed",
    "payment.recorded": "payment.recorded",
    "penalty_notice.issued": "penalty_notice.issued",
    **{f"flag.{name}": "flag.raised" for name in RAISED_FLAGS},
    "daily_run.failed": "daily_run.failed",
    "sales.import_rejected": "import.failed",
    "invoice.recorded": "invoice.recorded",
    "obligation.missed": "obligation.missed",
    "approval.requested": "approval.requested",
    "approval.approved": "approval.decided",
    "approval.rejected": "approval.decided",
    "breach_notice.sent": "breach_notice.sent",
    "breach_notice.cured": "breach_notice.cured",
    "balance_confirmation.confirmed": "balance_confirmation.answered",
    "balance_confirmation.disputed": "balance_confirmation.answered",
}
assert set(ACTION_TYPES.values()) == set(WEBHOOK_EVENTS)
