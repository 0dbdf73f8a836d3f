"""The month's work for many agreements at once: what the month-end run's batches and a
bulk issue read in a few queries instead of a few per agreement.

``monthly_inputs_many`` reads a batch's unbilled sale lines, the months already issued
(for late lines), the amounts carried in, the unbilled expenses and the KPI records and
fee waivers with one query each; ``monthly_compute`` then settles each agreement with the
pure rules exactly as it does one at a time. ``statements_issue`` issues drafts a batch
per transaction, each through ``statement_issue`` (its own savepoint: one refusal does
not stop the others), with the batch's figures computed together and its PDFs and
e-mails queued as a few batch tasks once the batch commits.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from common.calendar import holiday_overrides
from contracts.models import Agreement
from core.exceptions import DomainError
from core.money import ZERO
from core.periods import Period
from kpis.models import FeeWaiver, KpiRecord, SaleLine
from settlements.models import Expense, Statement
from settlements.services._common import queued_in_batches
from settlements.services.monthly import (
    MonthlyComputation,
    MonthlyInputs,
    monthly_compute,
    statement_issue,
)

ISSUE_BATCH = 100  # statements issued per transaction
# What the rules read of a sale line (the rest of the row is not loaded).
SALE_FIELDS = (
    "id",
    "agreement_id",
    "sold_on",
    "quantity",
    "amount",
    "factory_price",
    "distributor_price",
    "tax",
    "logistics",
)


def monthly_inputs_many(
    agreements: Sequence[Agreement], period: Period
) -> dict[int, MonthlyInputs]:
    """``monthly_inputs`` of each agreement, read for all of them together."""
    ids = [a.pk for a in agreements]
    unsettled = SaleLine.objects.filter(agreement_id__in=ids, settled_in__isnull=True).only(
        *SALE_FIELDS
    )
    current: dict[int, list[SaleLine]] = defaultdict(list)
    for line in unsettled.filter(sold_on__gte=period.first_day, sold_on__lte=period.last_day):
        current[line.agreement_id].append(line)
    issued: dict[int, set[str]] = defaultdict(set)
    for agreement_id, month in (
        Statement.objects.open()
        .filter(agreement_id__in=ids, kind=Statement.Kind.MONTHLY)
        .values_list("agreement_id", "period")
    ):
        issued[agreement_id].add(month)
    late: dict[int, list[SaleLine]] = defaultdict(list)
    if issued:
        for line in unsettled.filter(agreement_id__in=list(issued), sold_on__lt=period.first_day):
            if str(Period.of(line.sold_on)) in issued[line.agreement_id]:
                late[line.agreement_id].append(line)
    carried_in: dict[int, Decimal] = {}
    for agreement_id, figures in (
        Statement.objects.filter(
            agreement_id__in=ids, kind=Statement.Kind.MONTHLY, period__lt=str(period)
        )
        .exclude(status=Statement.Status.VOID)
        .order_by("agreement_id", "-period", "-version")
        .values_list("agreement_id", "figures")
    ):
        if agreement_id not in carried_in:  # the latest before the period
            carried_in[agreement_id] = Decimal(figures.get("carry_forward", "0"))
    b2b = [a.pk for a in agreements if a.kind == Agreement.Kind.B2B_COMMISSION]
    expenses: dict[int, list[Expense]] = defaultdict(list)
    for expense in Expense.objects.filter(
        agreement_id__in=[pk for pk in ids if pk not in set(b2b)],
        period__lte=str(period),
        statement__isnull=True,
    ):
        expenses[expense.agreement_id].append(expense)
    records = {
        record.agreement_id: record
        for record in KpiRecord.objects.filter(agreement_id__in=b2b, period=str(period))
    }
    waivers: dict[int, FeeWaiver] = {}
    for waiver in FeeWaiver.objects.filter(
        kpi_record__in=[r.pk for r in records.values()]
    ).order_by("kpi_record_id", "-waived_at", "-pk"):
        waivers.setdefault(waiver.kpi_record_id, waiver)
    return {
        pk: MonthlyInputs(
            current=current[pk],
            late=late[pk],
            carried_in=carried_in.get(pk, ZERO),
            expenses=expenses[pk],
            record=records.get(pk),
            waiver=waivers.get(records[pk].pk) if pk in records else None,
        )
        for pk in ids
    }


def _computations(statements: Sequence[Statement]) -> dict[int, MonthlyComputation]:
    """The final figures of a batch's monthly drafts, read together (a draft whose
    figures cannot be computed is left to ``statement_issue``, which says why)."""
    # An agreement with two drafts in the batch (August and September): issuing the first
    # changes what the second bills (late lines, the amount carried in), so those are
    # computed when each is issued, as one at a time.
    per_agreement = Counter(s.agreement_id for s in statements)
    by_period: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        if (
            statement.kind == Statement.Kind.MONTHLY
            and statement.period
            and per_agreement[statement.agreement_id] == 1
        ):
            by_period[statement.period].append(statement)
    found: dict[int, MonthlyComputation] = {}
    for month, drafts in by_period.items():
        period = Period.parse(month)
        inputs = monthly_inputs_many([s.agreement for s in drafts], period)
        for statement in drafts:
            try:
                found[statement.pk] = monthly_compute(
                    agreement=statement.agreement,
                    period=period,
                    inputs=inputs[statement.agreement_id],
                )
            except DomainError:
                continue
    return found


def statements_issue(
    *, statements: Sequence[Statement], by: Any, issued_on: date | None = None
) -> list[tuple[Statement, Statement | DomainError]]:
    """Issue many drafts: ``ISSUE_BATCH`` per transaction, each as ``statement_issue``
    does (same checks, same result) in its own savepoint. Returns each statement with
    the issued statement or the refusal (``DomainError``), in the order given."""
    outcomes: list[tuple[Statement, Statement | DomainError]] = []
    for start in range(0, len(statements), ISSUE_BATCH):
        batch = list(statements[start : start + ISSUE_BATCH])
        with transaction.atomic(), queued_in_batches():
            # Locked (in one order) before their figures are read, as statement_issue does.
            drafts = list(
                Statement.objects.select_for_update(of=("self",))
                .filter(pk__in=[s.pk for s in batch], status=Statement.Status.DRAFT)
                .select_related(
                    "agreement__revenue_share_terms",
                    "agreement__b2b_terms",
                    "agreement__brand",
                    "agreement__agency",
                    "agreement__bank_account",
                )
                .order_by("pk")
            )
            computed = _computations(drafts)
            # The locked rows (with their agreement, terms and parties) stand in for a
            # re-read where nothing else in the batch touches them: one draft per agreement.
            locked = {s.pk: s for s in drafts if s.pk in computed}
            holidays = holiday_overrides()
            for statement in batch:
                try:
                    issued = statement_issue(
                        statement=statement,
                        by=by,
                        issued_on=issued_on,
                        computation=computed.get(statement.pk),
                        locked=locked.get(statement.pk),
                        holidays=holidays,
                    )
                except DomainError as error:
                    outcomes.append((statement, error))
                else:
                    outcomes.append((statement, issued))
    return outcomes
