"""What settlements tells contracts through its hooks (registered in ``SettlementsConfig``).

Contracts may not import settlements, so it asks through registries: what activation
will bill (``contracts.selectors.ACTIVATION_PREVIEWS``) and which statements lie after a
termination date (``contracts.services.TERMINATION_CHECKS``).
"""

from datetime import date

from common.calendar import work_calendar
from contracts.models import Agreement, Installment
from contracts.selectors import Bilingual, BillPreview
from core.periods import Period
from settlements import calculations as calc
from settlements.models import Statement
from settlements.services.one_off import _installment_terms


def _bilingual(description: str) -> Bilingual:
    """A line description "中文 / English" as its two halves."""
    zh, _, en = description.partition("/")
    return zh.strip(), (en or zh).strip()


def one_off_bills_preview(*, agreement: Agreement) -> list[BillPreview]:
    """The one-off bills of ``agreement`` with their amounts and due dates, as
    ``one_off_bills_on_activation`` (at activation) and the daily job (at the end) issue them."""
    if agreement.kind == Agreement.Kind.REVENUE_SHARE:
        terms = agreement.revenue_share_terms
        if terms.setup_fee <= 0:
            return []
        due_on, line = calc.setup_fee_bill(
            amount=terms.setup_fee,
            signed_on=agreement.signed_on,
            due_days=terms.setup_fee_due_days,
            calendar=work_calendar(),
        )
        return [BillPreview(_bilingual(line.description), line.amount, due_on, True)]
    if agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        bills = calc.installment_bills(
            total_fee=agreement.consulting_terms.total_fee,
            installments=_installment_terms(agreement),
            signed_on=agreement.signed_on,
            ends_on=agreement.effective_ends_on,
            calendar=work_calendar(),
        )
        return [
            BillPreview(
                _bilingual(bill.line.description),
                bill.amount,
                bill.due_on,
                bill.due_from == Installment.DueFrom.SIGNING,
            )
            for bill in bills
        ]
    return []


def monthly_statements_after(*, agreement: Agreement, on: date) -> list[Bilingual]:
    """The agreement's monthly statements (not void) of months that start after ``on``."""
    periods = sorted(
        Statement.objects.filter(
            agreement=agreement, kind=Statement.Kind.MONTHLY, period__gt=str(Period.of(on))
        )
        .exclude(status=Statement.Status.VOID)
        .values_list("period", flat=True)
    )
    if not periods:
        return []
    listed = ", ".join(periods)
    return [
        (
            f"{len(periods)} 张月度对账单（{'、'.join(periods)}）",
            f"{len(periods)} monthly statement{'s' if len(periods) > 1 else ''} ({listed})",
        )
    ]
