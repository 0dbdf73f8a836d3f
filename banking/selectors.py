"""Reads of bank transactions: the payers an agency's brands are, their open items, the
suggested allocations of many credits at once, the queue of unmatched credits."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Organization
from banking import matching
from banking.models import BankTransaction
from common.scoping import scoped
from settlements.models import Statement

ZERO = Decimal("0.00")


def transactions_in_scope(user: Any) -> Any:
    """The credits ``user`` may see: a superuser all, agency staff their agency's, anyone
    else none (brands never see the agency's bank account)."""
    queryset = BankTransaction.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if getattr(user, "is_agency_staff", False):
        return queryset.filter(organization_id=user.organization_id)
    return queryset.none()


def statements_in_scope(user: Any) -> Any:
    return scoped(Statement.objects.all(), user, "agreement__brand")


def unmatched_credits(*, user: Any) -> Any:
    """Credits with money left to allocate, oldest first (the workbench's queue)."""
    return (
        transactions_in_scope(user)
        .exclude(status=BankTransaction.Status.MATCHED)
        .select_related("payer_brand")
        .order_by("booked_on", "pk")
    )


# --- matching the payer -------------------------------------------------------------------


def payer_index(agency_id: int) -> matching.PayerIndex:
    """The agency's brands as payers (names and accounts), for many credits at once."""
    brands = Organization.objects.filter(
        kind=Organization.Kind.BRAND, agency_id=agency_id
    ).values_list("pk", "name", "payer_names", "payer_accounts")
    return matching.PayerIndex.of(
        matching.Payer(
            brand=pk,
            name=name,
            names=tuple(str(n) for n in (names or [])),
            accounts=tuple(str(a) for a in (accounts or [])),
        )
        for pk, name, names, accounts in brands
    )


# --- suggestions --------------------------------------------------------------------------


def open_items(
    *, brand_ids: Iterable[int], agency_ids: Iterable[int]
) -> dict[int, list[matching.OpenItem]]:
    """Each brand's open items with their outstanding principal, in one query."""
    brands = set(brand_ids)
    if not brands:
        return {}
    rows = (
        Statement.objects.open()
        .exclude(payment_status=Statement.PaymentStatus.PAID)
        .filter(agreement__brand_id__in=brands, agreement__agency_id__in=set(agency_ids))
        .annotate(
            paid=Coalesce(
                Sum("payments__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by()
        .values_list(
            "pk",
            "number",
            "total_due",
            "paid",
            "payment_due_on",
            "issued_on",
            "agreement__brand_id",
        )
    )
    found: dict[int, list[matching.OpenItem]] = defaultdict(list)
    for pk, number, total, paid, due_on, issued_on, brand in rows:
        outstanding = total - paid
        if outstanding > 0:
            found[brand].append(matching.OpenItem(pk, number, outstanding, due_on, issued_on))
    return found


def suggestions_for(
    transactions: Iterable[BankTransaction],
) -> dict[int, list[matching.Suggestion]]:
    """Suggested allocations for each credit still (partly) unmatched, one query for all."""
    pending = [t for t in transactions if t.payer_brand_id is not None and t.allocated < t.amount]
    items = open_items(
        brand_ids={t.payer_brand_id for t in pending if t.payer_brand_id},
        agency_ids={t.organization_id for t in pending},
    )
    return {
        t.pk: matching.suggestions(
            unallocated=t.amount - t.allocated,
            remark=t.remark,
            items=items.get(t.payer_brand_id or 0, []),
        )
        for t in pending
    }
