"""Receivables reads: a brand's (or the user's whole scope's) open items as of a date,
with the ageing buckets' totals, and the balance confirmations a user may see.

The figures come from ``settlements.selectors.receivables_as_of`` (outstanding principal,
penalty to date, days past due, bucket), so the API, the portal, the admin and the
balance confirmation's PDF show the same numbers.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization
from accounts.selectors import organizations_for_user, scope_for_user
from core.ageing import BucketTotal
from core.money import ZERO
from receivables.models import BalanceConfirmation
from settlements import selectors as settlement_selectors
from settlements.models import Statement
from settlements.selectors import Receivable


@dataclass(frozen=True)
class Receivables:
    """The open items as of a day, and their totals per bucket (every bucket listed)."""

    as_of: date
    brand: Organization | None
    items: list[Receivable]
    buckets: list[BucketTotal]

    @property
    def total_outstanding(self) -> Decimal:
        return sum((b.outstanding for b in self.buckets), ZERO)

    @property
    def total_penalty(self) -> Decimal:
        return sum((b.penalty for b in self.buckets), ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_outstanding + self.total_penalty

    @property
    def by_bucket(self) -> dict[str, BucketTotal]:
        return {b.bucket: b for b in self.buckets}


def brands_for_user(*, user: Any) -> "QuerySet[Organization]":
    """The brands ``user`` may see (their own for a brand user; their agency's for staff)."""
    return organizations_for_user(user=user).filter(kind=Organization.Kind.BRAND)


def receivables_for(*, user: Any, as_of: date, brand: Organization | None = None) -> Receivables:
    """The open items ``user`` may see as of ``as_of``, one brand's if ``brand`` is given
    (the caller has looked the brand up in the user's scope)."""
    statements = scope_for_user(
        queryset=Statement.objects.all(), user=user, brand_path="agreement__brand"
    )
    if brand is not None:
        statements = statements.filter(agreement__brand=brand)
    return receivables_of(statements=statements, as_of=as_of, brand=brand)


def receivables_of(*, statements: Any, as_of: date, brand: Organization | None) -> Receivables:
    items = settlement_selectors.receivables_as_of(as_of=as_of, statements=statements)
    return Receivables(
        as_of=as_of,
        brand=brand,
        items=items,
        buckets=settlement_selectors.receivables_ageing(items),
    )


def brand_receivables(*, brand: Organization, as_of: date) -> Receivables:
    """Every open item of ``brand`` as of ``as_of`` (what a balance confirmation lists)."""
    return receivables_of(
        statements=Statement.objects.filter(agreement__brand=brand), as_of=as_of, brand=brand
    )


def balance_confirmations_for(*, user: Any) -> "QuerySet[BalanceConfirmation]":
    """The balance confirmations ``user`` may see (another brand's are not there)."""
    return scope_for_user(
        queryset=BalanceConfirmation.objects.select_related("brand", "agency"),
        user=user,
        brand_path="brand",
    )
