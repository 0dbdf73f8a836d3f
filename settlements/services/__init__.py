"""Settlement services: generate, issue, confirm, dispute, void and correct statements,
record payments, compute and bill penalties, one-off bills, demands, expenses and flags.

The figures come from the pure rules in ``settlements.calculations`` and ``core.money``;
the services load rows, call them, save, and write an event for every change. Each
state change locks the statement row, checks its state and raises ``InvalidStateError``
(HTTP 409) when the state forbids the change.

One module per concern; this package re-exports every name its callers use, so
``from settlements import services`` then ``services.statement_issue(...)`` keeps working.
The reads (paid, penalty, flags, terms, deadlines) live in ``settlements.selectors`` and
are re-exported here too.
"""

from core.money import ZERO
from settlements.calculations import PENALTY_NOTICE_WORKING_DAYS
from settlements.selectors import (
    SETTLED_KINDS,
    Flag,
    PenaltyState,
    agreements_settled_in,
    amount_paid,
    flags_as_of,
    issue_deadline_of,
    schedule_terms,
    statement_penalty,
)
from settlements.services.bulk import statements_issue
from settlements.services.daily import (
    daily_run,
    daily_run_create,
    daily_run_execute,
    daily_run_start,
    flags_log_new,
)
from settlements.services.demands import statement_demand
from settlements.services.expenses import expense_record
from settlements.services.invoices import (
    awaits_invoice,
    invoice_file_response,
    invoice_record,
    invoice_reverse,
    invoiced_amount,
    invoiced_sum,
    invoices_mark_to_reverse,
    payment_due_apply,
)
from settlements.services.monthly import (
    Generated,
    MonthlyComputation,
    monthly_compute,
    statement_generate,
    statement_issue,
    statement_refresh,
)
from settlements.services.one_off import (
    installment_bills_due_from_end,
    installment_bills_issue,
    one_off_bills_on_activation,
)
from settlements.services.payments import PaymentRecorded, payment_record
from settlements.services.penalties import (
    penalty_notice_issue,
    penalty_notices_due,
    penalty_notices_for,
    penalty_waive,
)
from settlements.services.review import (
    statement_confirm,
    statement_correct,
    statement_dispute,
    statement_reply,
    statement_void,
    statement_withdraw_dispute,
    statements_deem_confirmed,
)
from settlements.services.run_issue import (
    issue_counts,
    statement_run_issue_batch,
    statement_run_issue_dispatch,
    statement_run_issue_finish,
    statement_run_issue_start,
)
from settlements.services.runs import (
    statement_run_batch_process,
    statement_run_dispatch,
    statement_run_finish,
    statement_run_item_process,
    statement_run_start,
)
from settlements.services.sweeper import sweep

__all__ = [
    "PENALTY_NOTICE_WORKING_DAYS",
    "SETTLED_KINDS",
    "ZERO",
    "Flag",
    "Generated",
    "MonthlyComputation",
    "PaymentRecorded",
    "PenaltyState",
    "agreements_settled_in",
    "amount_paid",
    "daily_run",
    "daily_run_create",
    "daily_run_execute",
    "daily_run_start",
    "expense_record",
    "flags_as_of",
    "flags_log_new",
    "awaits_invoice",
    "installment_bills_due_from_end",
    "installment_bills_issue",
    "invoice_file_response",
    "invoice_record",
    "invoice_reverse",
    "invoiced_amount",
    "invoiced_sum",
    "invoices_mark_to_reverse",
    "issue_deadline_of",
    "monthly_compute",
    "one_off_bills_on_activation",
    "payment_due_apply",
    "payment_record",
    "penalty_notice_issue",
    "penalty_notices_due",
    "penalty_notices_for",
    "penalty_waive",
    "schedule_terms",
    "statement_confirm",
    "statement_correct",
    "statement_demand",
    "statement_dispute",
    "statement_generate",
    "statement_issue",
    "statement_penalty",
    "statement_refresh",
    "statement_reply",
    "statement_run_batch_process",
    "statement_run_dispatch",
    "statement_run_finish",
    "statement_run_item_process",
    "statement_run_start",
    "statement_void",
    "statement_withdraw_dispute",
    "statements_deem_confirmed",
    "statements_issue",
    "issue_counts",
    "statement_run_issue_batch",
    "statement_run_issue_dispatch",
    "statement_run_issue_finish",
    "statement_run_issue_start",
    "sweep",
]
