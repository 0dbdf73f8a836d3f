"""Reads of agreements and products, including prices valid on a date."""

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404

from accounts.selectors import scope_for_user
from contracts.models import Agreement, Product, ProductPrice
from core.messages import AGREEMENT_NOT_FOUND


@dataclass(frozen=True)
class Prices:
    factory_price: Decimal
    distributor_price: Decimal
    min_retail_price: Decimal


class PriceBook:
    """Every price history entry of some products, in memory, for fast dated lookups.

    Loaded once per import or request, so a 100,000-line import does not query per line.
    Before a product's first history entry its current prices apply.
    """

    def __init__(self, products: Iterable[Product]) -> None:
        self._current = {
            p.pk: Prices(p.factory_price, p.distributor_price, p.min_retail_price) for p in products
        }
        self._dates: dict[int, list[date]] = defaultdict(list)
        self._prices: dict[int, list[Prices]] = defaultdict(list)
        rows = ProductPrice.objects.filter(product_id__in=self._current).order_by(
            "product_id", "valid_from"
        )
        for row in rows:
            self._dates[row.product_id].append(row.valid_from)
            self._prices[row.product_id].append(
                Prices(row.factory_price, row.distributor_price, row.min_retail_price)
            )

    def prices_on(self, product: Product, day: date) -> Prices:
        """The prices of ``product`` valid on ``day``."""
        dates = self._dates.get(product.pk)
        if dates:
            index = bisect.bisect_right(dates, day) - 1
            if index >= 0:
                return self._prices[product.pk][index]
        return self._current[product.pk]


def product_prices_on(*, product: Product, day: date) -> Prices:
    """The prices of one product valid on ``day`` (see PriceBook for many lookups)."""
    return PriceBook([product]).prices_on(product, day)


def agreements_in_scope(user: Any) -> Any:
    """The agreements ``user`` may see."""
    return scope_for_user(queryset=Agreement.objects.all(), user=user, brand_path="brand")


def agreement_in_scope(user: Any, pk: int) -> Agreement:
    """The agreement if the caller may see it; 404 otherwise (never 403: no leak)."""
    agreement = agreements_in_scope(user).filter(pk=pk).first()
    if agreement is None:
        raise Http404(AGREEMENT_NOT_FOUND)
    return agreement
