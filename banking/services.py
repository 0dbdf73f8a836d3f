"""Bank transactions: loading them (file or API), suggesting matches, allocating them.

Every write checks that the user is the system, a superuser or staff of the agency whose
account received the money; allocations record ordinary payments through
``settlements.services.payment_record``, so penalties, flags and notices follow.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction as db_transaction

from accounts.models import Organization
from banking import imports, matching
from banking import messages as msg
from banking.imports import BankRow, Parsed
from banking.models import Allocation, BankImport, BankTransaction, Source
from banking.selectors import payer_index
from common import clock
from common.events import event_record
from core.exceptions import DomainError, RuleViolation
from settlements.models import Statement
from settlements.selectors import amount_paid
from settlements.services import payment_record

ZERO = Decimal("0.00")
LOOKUP_CHUNK = 1_000
CREATE_CHUNK = 2_000


# --- who may ------------------------------------------------------------------------------


def may_work_for(user: Any, agency: Organization | int) -> bool:
    """The system, a superuser, or staff of ``agency``."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    return user is None or bool(
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_agency_staff", False) and user.organization_id == agency_id)
    )


def _require_staff(user: Any, agency: Organization | int) -> None:
    if not may_work_for(user, agency):
        raise RuleViolation({"non_field_errors": [msg.STAFF_ONLY]})


# --- loading: files -------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import read and did (or, in a preview, would do)."""

    parsed: Parsed
    preview: bool
    new_rows: list[BankRow] = field(default_factory=list)
    duplicate_refs: set[str] = field(default_factory=set)
    brands: dict[str, int | None] = field(default_factory=dict)  # bank_ref -> brand id
    bank_import: BankImport | None = None
    created: int = 0

    @property
    def ok(self) -> bool:
        return self.parsed.ok

    @property
    def duplicates(self) -> int:
        return len(self.duplicate_refs)

    def rows_json(self, limit: int | None = None) -> list[dict[str, Any]]:
        names = dict(
            Organization.objects.filter(pk__in={b for b in self.brands.values() if b}).values_list(
                "pk", "name"
            )
        )
        shown = self.parsed.rows if limit is None else self.parsed.rows[:limit]
        return [
            {
                **row.as_json(),
                "already_imported": row.bank_ref in self.duplicate_refs,
                "brand": self.brands.get(row.bank_ref),
                "brand_name": names.get(self.brands.get(row.bank_ref) or 0, ""),
            }
            for row in shown
        ]


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _stored_refs(agency_id: int, refs: list[str]) -> set[str]:
    stored: set[str] = set()
    for chunk in _chunked(refs, LOOKUP_CHUNK):
        stored.update(
            BankTransaction.objects.filter(organization_id=agency_id, bank_ref__in=chunk)
            .order_by()
            .values_list("bank_ref", flat=True)
        )
    return stored


def _future_rows(parsed: Parsed) -> None:
    today = clock.today()
    for row in parsed.rows:
        if row.booked_on > today:
            parsed.errors.add(row.row, "booked_on", msg.FUTURE_DATE)


def bank_transactions_import(
    *,
    agency: Organization,
    upload: IO[bytes],
    name: str,
    by: Any,
    preset: str = "",
    mapping: dict[str, Any] | None = None,
    preview: bool = False,
) -> ImportResult:
    """Load a bank export into ``agency``'s transactions, all or nothing.

    A preview reads and checks the file and answers what would be saved, saving nothing.
    Otherwise a file with any bad row saves nothing (the result carries the errors, each
    with its row); rows whose reference is already stored are skipped as already
    imported; the rest are saved with the brand their payer matched.
    """
    _require_staff(by, agency)
    parsed = imports.parse(upload, name=name, preset=preset, mapping=mapping)
    if parsed.ok:
        _future_rows(parsed)
    result = ImportResult(parsed=parsed, preview=preview)
    if not parsed.ok:
        return result
    result.duplicate_refs = _stored_refs(agency.pk, [r.bank_ref for r in parsed.rows])
    result.new_rows = [r for r in parsed.rows if r.bank_ref not in result.duplicate_refs]
    index = payer_index(agency.pk)
    result.brands = {
        r.bank_ref: index.brand_of(payer_name=r.payer_name, payer_account=r.payer_account)
        for r in parsed.rows
    }
    if preview:
        return result
    by_user = by if getattr(by, "is_authenticated", False) else None
    source = parsed.format if parsed.format in Source.values else Source.CSV
    with db_transaction.atomic():
        bank_import = BankImport.objects.create(
            organization=agency,
            file_name=(name or "")[:255],
            format=source,
            preset=preset if not mapping else "",
            mapping=mapping or {},
            rows_total=len(parsed.rows) + parsed.debits,
            rows_duplicate=result.duplicates,
            rows_debit=parsed.debits,
            status=BankImport.Status.DONE,
            created_by=by_user,
        )
        for chunk in _chunked(result.new_rows, CREATE_CHUNK):
            BankTransaction.objects.bulk_create(
                [
                    BankTransaction(
                        organization=agency,
                        booked_on=row.booked_on,
                        amount=row.amount,
                        payer_name=row.payer_name,
                        payer_account=row.payer_account,
                        remark=row.remark,
                        bank_ref=row.bank_ref,
                        payer_brand_id=result.brands.get(row.bank_ref),
                        source=source,
                        bank_import=bank_import,
                        created_by=by_user,
                    )
                    for row in chunk
                ],
                ignore_conflicts=True,  # a copy of this file loaded at the same moment
            )
        created = BankTransaction.objects.filter(bank_import=bank_import).count()
        if created != len(result.new_rows):
            bank_import.rows_duplicate += len(result.new_rows) - created
        bank_import.rows_created = created
        bank_import.save(update_fields=["rows_created", "rows_duplicate"])
        event_record(
            action="bank.imported",
            obj=bank_import,
            actor=by,
            detail={
                "file": bank_import.file_name,
                "created": created,
                "already_imported": bank_import.rows_duplicate,
                "debits": parsed.debits,
            },
        )
    result.bank_import = bank_import
    result.created = created
    return result


# --- loading: the API ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    transaction: BankTransaction
    created: bool


def _same(stored: BankTransaction, row: dict[str, Any]) -> bool:
    return (
        stored.booked_on == row["booked_on"]
        and stored.amount == Decimal(row["amount"])
        and stored.payer_name == row.get("payer_name", "")
        and stored.payer_account == row.get("payer_account", "")
        and stored.remark == row.get("remark", "")
    )


@db_transaction.atomic
def bank_transactions_create(
    *, agency: Organization, rows: list[dict[str, Any]], by: Any
) -> list[Recorded]:
    """Record credits posted through the API (already read by the serializer), all or
    nothing. A reference already stored with the same content returns the stored credit;
    with other content it is a conflict (409). Errors: ``{"errors": [{"index": i, ...}]}``.
    """
    _require_staff(by, agency)
    today = clock.today()
    problems: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row["booked_on"] > today:
            problems.append({"index": index, "booked_on": [msg.FUTURE_DATE]})
        seen = first.setdefault(row["bank_ref"], index)
        if seen != index:
            problems.append(
                {
                    "index": index,
                    "bank_ref": [msg.REF_TWICE.format(ref=row["bank_ref"], first=seen)],
                }
            )
    if problems:
        raise RuleViolation({"errors": problems})  # type: ignore[dict-item]
    stored = {
        t.bank_ref: t
        for t in BankTransaction.objects.select_for_update().filter(
            organization=agency, bank_ref__in=list(first)
        )
    }
    for row in rows:
        existing = stored.get(row["bank_ref"])
        if existing is not None and not _same(existing, row):
            raise DomainError(msg.REF_CONFLICT.format(ref=row["bank_ref"]))
    index = payer_index(agency.pk)
    results: list[Recorded] = []
    by_user = by if getattr(by, "is_authenticated", False) else None
    for row in rows:
        existing = stored.get(row["bank_ref"])
        if existing is not None:
            results.append(Recorded(existing, created=False))
            continue
        created = BankTransaction.objects.create(
            organization=agency,
            booked_on=row["booked_on"],
            amount=row["amount"],
            payer_name=row.get("payer_name", ""),
            payer_account=row.get("payer_account", ""),
            remark=row.get("remark", ""),
            bank_ref=row["bank_ref"],
            payer_brand_id=index.brand_of(
                payer_name=row.get("payer_name", ""), payer_account=row.get("payer_account", "")
            ),
            source=Source.API,
            created_by=by_user,
        )
        stored[created.bank_ref] = created
        results.append(Recorded(created, created=True))
    made = [r.transaction for r in results if r.created]
    if made:
        event_record(
            action="bank.recorded",
            obj=made[0],
            actor=by,
            detail={"count": len(made), "bank_refs": [t.bank_ref for t in made][:50]},
        )
    return results


def bank_transaction_create(*, agency: Organization, data: dict[str, Any], by: Any) -> Recorded:
    """One credit posted through the API (see ``bank_transactions_create``)."""
    try:
        return bank_transactions_create(agency=agency, rows=[data], by=by)[0]
    except RuleViolation as error:
        problems = error.errors.get("errors")
        if isinstance(problems, list) and problems:
            first = dict(problems[0])
            first.pop("index", None)
            raise RuleViolation(first) from error
        raise


# --- allocating -----------------------------------------------------------------------------


def _external_ref(credit: BankTransaction, statement: Statement, earlier: int) -> str:
    """The payment's external reference: bank:{bank_ref}:{statement}, :{n} for the n-th
    allocation of one credit to one item (the credit's id when the reference is long)."""
    ref = f"bank:{credit.bank_ref}:{statement.pk}"
    if len(ref) > 90:
        ref = f"bank:#{credit.pk}:{statement.pk}"
    return ref if earlier == 0 else f"{ref}:{earlier + 1}"


@dataclass(frozen=True)
class Allocated:
    transaction: BankTransaction
    allocations: list[Allocation]
    created: bool


def bank_transaction_allocate(
    *, transaction: BankTransaction, allocations: list[dict[str, Any]], by: Any
) -> Allocated:
    """Allocate a credit to one or several open items: a payment on each.

    ``allocations``: ``[{"statement": Statement or id, "amount": Decimal}]``. Under row
    locks (the credit, then the statements by id) it refuses more than is left of the
    credit and more than an item's outstanding principal. A request repeating an
    allocation already made (same credit, item and amount) records nothing again.
    """
    with db_transaction.atomic():
        return _allocate(transaction=transaction, allocations=allocations, by=by)


def _allocate(
    *, transaction: BankTransaction, allocations: list[dict[str, Any]], by: Any
) -> Allocated:
    _require_staff(by, transaction.organization_id)
    if not allocations:
        raise RuleViolation({"allocations": [msg.ALLOCATIONS_REQUIRED]})
    wanted: dict[int, Decimal] = {}
    for item in allocations:
        statement = item["statement"]
        pk = statement if isinstance(statement, int) else statement.pk
        amount = Decimal(item["amount"])
        if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise RuleViolation({"allocations": [msg.AMOUNT_POSITIVE]})
        if pk in wanted:
            raise RuleViolation({"allocations": [msg.STATEMENT_TWICE]})
        wanted[pk] = amount
    credit = BankTransaction.objects.select_for_update().get(pk=transaction.pk)
    statements = {
        s.pk: s
        for s in Statement.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .filter(pk__in=sorted(wanted))
        .order_by("pk")
    }
    done = defaultdict(list)
    for allocation in credit.allocations.all():
        done[allocation.statement_id].append(allocation.amount)
    repeats = {pk for pk, amount in wanted.items() if amount in done.get(pk, [])}
    new = {pk: amount for pk, amount in wanted.items() if pk not in repeats}
    problems: list[str] = []
    for pk in sorted(wanted):
        statement = statements.get(pk)
        if statement is None:
            raise RuleViolation({"allocations": [msg.STATEMENT_NOT_OPEN.format(number=pk)]})
        if statement.agreement.agency_id != credit.organization_id:
            problems.append(msg.OTHER_AGENCY.format(number=statement.number))
        elif pk in new and not statement.is_open:
            problems.append(msg.STATEMENT_NOT_OPEN.format(number=statement.number))
    total = sum(new.values(), ZERO)
    left = credit.amount - credit.allocated
    if total > left:
        problems.append(msg.OVER_ALLOCATED.format(total=f"{total:.2f}", left=f"{left:.2f}"))
    for pk, amount in new.items():
        statement = statements[pk]
        if not statement.is_open:
            continue
        outstanding = statement.total_due - amount_paid(statement)
        if amount > outstanding:
            problems.append(
                msg.OVER_OUTSTANDING.format(
                    number=statement.number,
                    amount=f"{amount:.2f}",
                    outstanding=f"{outstanding:.2f}",
                )
            )
    if problems:
        raise RuleViolation({"allocations": problems})
    made: list[Allocation] = []
    by_user = by if getattr(by, "is_authenticated", False) else None
    for pk, amount in new.items():
        statement = statements[pk]
        recorded = payment_record(
            statement=statement,
            amount=amount,
            paid_on=credit.booked_on,
            by=by,
            reference=f"{credit.payer_name} {credit.bank_ref}".strip()[:200],
            external_ref=_external_ref(credit, statement, len(done.get(pk, []))),
        )
        made.append(
            Allocation.objects.create(
                transaction=credit,
                statement=statement,
                amount=amount,
                payment=recorded.payment,
                created_by=by_user,
            )
        )
    if made:
        credit.allocated += total
        credit.status = matching.status_of(credit.amount, credit.allocated)
        credit.save(update_fields=["allocated", "status"])
        event_record(
            action="bank.allocated",
            obj=credit,
            actor=by,
            detail={
                "bank_ref": credit.bank_ref,
                "allocations": [
                    {"statement": a.statement.number, "amount": f"{a.amount:.2f}"} for a in made
                ],
                "allocated": f"{credit.allocated:.2f}",
            },
        )
    kept = list(
        credit.allocations.filter(statement_id__in=list(wanted)).select_related("statement")
    )
    return Allocated(transaction=credit, allocations=kept, created=bool(made))
