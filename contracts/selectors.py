"""Reads of agreements and products, including prices valid on a date."""

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404

from accounts.selectors import scope_for_user
from common.templatetags.portal import money_text, percent_text
from contracts.models import Agreement, B2BCommissionTerms, Product, ProductPrice, RevenueShareTerms
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


# --- what activation will bill --------------------------------------------------------

# A text in both languages: (Chinese, English).
Bilingual = tuple[str, str]


@dataclass(frozen=True)
class BillPreview:
    """A one-off bill of an agreement as it will be issued: at activation, or at the end."""

    description: Bilingual
    amount: Decimal
    due_on: date | None
    at_activation: bool


# The one-off bills are settlements' rule: it registers a function ``(agreement=) ->
# list[BillPreview]`` here, so contracts never imports settlements.
ACTIVATION_PREVIEWS: list[Callable[..., list[BillPreview]]] = []


def blank_money_terms(agreement: Agreement) -> list[Bilingual]:
    """The money terms left at nothing, when nothing but them would be billed.

    A B2B agreement with no service fee and no minimum bills only commission; a revenue
    share at a 0 ratio with no setup fee bills nothing. A consulting agreement's total
    fee of 0 is refused outright (``agreement_check_complete``), so it is never "blank".
    """
    terms = agreement.terms
    if isinstance(terms, B2BCommissionTerms):
        if (
            terms.monthly_service_fee == 0
            and terms.min_distributors == 0
            and terms.min_cartons == 0
            and terms.min_sales_amount == 0
        ):
            return [
                ("月服务费 ¥0.00", "monthly service fee ¥0.00"),
                ("最低指标均为 0", "every minimum 0 (distributors, cartons, sales amount)"),
            ]
    if isinstance(terms, RevenueShareTerms):
        if terms.agency_ratio == 0 and terms.setup_fee == 0:
            return [("分成比例 0%", "agency share 0%"), ("启动费 ¥0.00", "setup fee ¥0.00")]
    return []


def monthly_bill_text(agreement: Agreement) -> Bilingual:
    """What the agreement bills every month, in words."""
    terms = agreement.terms
    if isinstance(terms, B2BCommissionTerms):
        commission = ("经销商销售佣金", "commission on distributor sales")
        if terms.monthly_service_fee == 0:
            return (f"{commission[0]}（无服务费）", f"{commission[1]} only, no service fee")
        fee = money_text(terms.monthly_service_fee)
        return (
            f"服务费 {fee}（未达最低指标时暂扣）+ {commission[0]}",
            f"service fee {fee} (withheld in a month a minimum is missed) + {commission[1]}",
        )
    if isinstance(terms, RevenueShareTerms):
        share = percent_text(terms.agency_ratio)
        return (f"月利润的 {share}", f"{share} of the month's profit")
    return ("无月度账单", "no monthly bill")


@dataclass(frozen=True)
class ActivationSummary:
    """What activating an agreement bills, for staff to confirm before they do it."""

    agreement: Agreement
    blank: tuple[Bilingual, ...]
    monthly: Bilingual
    bills: tuple[BillPreview, ...]

    @property
    def bills_now(self) -> tuple[BillPreview, ...]:
        return tuple(bill for bill in self.bills if bill.at_activation)

    @property
    def bills_later(self) -> tuple[BillPreview, ...]:
        return tuple(bill for bill in self.bills if not bill.at_activation)

    def billed_text(self) -> Bilingual:
        """Everything activation sets billing, in one line per language."""
        zh = [
            f"{bill.description[0]} {money_text(bill.amount)}（{bill.due_on} 到期）"
            for bill in self.bills_now
        ]
        en = [
            f"{bill.description[1]} {money_text(bill.amount)} due {bill.due_on}"
            for bill in self.bills_now
        ]
        if not self.bills_now:
            zh.append("暂无一次性账单")
            en.append("nothing now")
        zh.append(f"每月：{self.monthly[0]}")
        en.append(f"every month: {self.monthly[1]}")
        return "；".join(zh), "; ".join(en)


def activation_summary(agreement: Agreement) -> ActivationSummary:
    """The blank money terms, the monthly bill and the one-off bills of ``agreement``."""
    bills = [bill for preview in ACTIVATION_PREVIEWS for bill in preview(agreement=agreement)]
    return ActivationSummary(
        agreement=agreement,
        blank=tuple(blank_money_terms(agreement)),
        monthly=monthly_bill_text(agreement),
        bills=tuple(bills),
    )
