"""Agreement lifecycle: create with terms, activate, terminate, expire, auto-renew.

Every function here is the one way to make its change; admin actions, API views and
Celery tasks call these. Each state change locks the row, checks the state, and writes
an event.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from common import clock
from common.events import event_record
from common.jobs import RowGuard
from contracts import validation as msg
from contracts.models import (
    Agreement,
    B2BCommissionTerms,
    ConsultingTerms,
    Installment,
    Party,
    Product,
    ProductPrice,
    RenewalObjection,
    RevenueShareTerms,
)
from contracts.selectors import Bilingual, activation_summary
from core.exceptions import InvalidStateError, RuleViolation
from core.money import InstallmentsNot100, installments_check_100
from core.periods import renewal_objection_deadline, renewed_ends_on

TERMS_MODELS: dict[str, type[B2BCommissionTerms | RevenueShareTerms | ConsultingTerms]] = {
    Agreement.Kind.B2B_COMMISSION: B2BCommissionTerms,
    Agreement.Kind.REVENUE_SHARE: RevenueShareTerms,
    Agreement.Kind.CONSULTING_FIXED_FEE: ConsultingTerms,
}

DEFAULT_PENALTY_RATES = {
    Agreement.Kind.B2B_COMMISSION: Decimal("0"),
    Agreement.Kind.REVENUE_SHARE: Decimal("0.003"),
    Agreement.Kind.CONSULTING_FIXED_FEE: Decimal("0.005"),
}

# The seed consulting agreement: 50% 3 working days after signing, 50% 3 after the end.
DEFAULT_INSTALLMENTS: list[dict[str, Any]] = [
    {"percent": Decimal("50"), "due_from": Installment.DueFrom.SIGNING, "working_days": 3},
    {"percent": Decimal("50"), "due_from": Installment.DueFrom.END, "working_days": 3},
]


def _raise_as_rule_violation(error: ValidationError, prefix: str = "") -> None:
    raise RuleViolation(
        {
            f"{prefix}{field}": [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    )


def installments_validate(installments: list[dict[str, Any]]) -> None:
    """Refuse an installment schedule that is empty or does not add up to 100%."""
    if not installments:
        raise RuleViolation({"installments": [msg.INSTALLMENTS_MISSING]})
    percents = [Decimal(str(item["percent"])) for item in installments]
    if not all(0 < percent <= 100 for percent in percents):
        raise RuleViolation({"installments": [msg.INSTALLMENT_PERCENT_RANGE]})
    try:
        installments_check_100(percents)
    except InstallmentsNot100 as error:
        raise RuleViolation(
            {"installments": [msg.INSTALLMENTS_NOT_100.format(total=error.total)]}
        ) from None


def agreement_products_check(*, brand: Any, products: Iterable[Product]) -> None:
    """Refuse any product of another brand than the agreement's (``brand``: a brand or its id).

    The one check of the rule: create, update and the admin's agreement form call it.
    """
    brand_id = getattr(brand, "pk", brand)
    wrong = [product for product in products if product.brand_id != brand_id]
    if wrong:
        raise RuleViolation(
            {"products": [msg.PRODUCT_OTHER_BRAND.format(sku=product.sku) for product in wrong]}
        )


@transaction.atomic
def agreement_create(
    *,
    by: Any,
    terms: dict[str, Any] | None = None,
    installments: list[dict[str, Any]] | None = None,
    products: list[Any] | None = None,
    **fields: Any,
) -> Agreement:
    """Create a draft agreement with the terms of its kind (defaults from the templates).

    ``fields`` are Agreement model fields. ``terms`` override the kind's defaults; for a
    consulting agreement ``installments`` is a list of ``{percent, due_from,
    working_days}`` adding up to 100 (default: the seed's 50/50).
    """
    kind = fields.get("kind")
    if kind not in TERMS_MODELS:
        raise RuleViolation({"kind": [msg.UNKNOWN_KIND.format(kind=kind)]})
    fields.setdefault("penalty_rate_per_day", DEFAULT_PENALTY_RATES[kind])
    if kind == Agreement.Kind.REVENUE_SHARE:
        fields.setdefault("auto_renew", True)
        fields.setdefault("renewal_term_months", 12)
        fields.setdefault("renewal_notice_months", 1)
    fields.setdefault("status", Agreement.Status.DRAFT)
    agreement = Agreement(**fields)
    try:
        agreement.full_clean()
    except ValidationError as error:
        _raise_as_rule_violation(error)
    agreement_products_check(brand=agreement.brand_id, products=products or [])
    agreement.save()
    terms_save(agreement=agreement, terms=terms or {})
    if kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        installments_replace(
            agreement=agreement,
            installments=installments if installments is not None else DEFAULT_INSTALLMENTS,
        )
    if products:
        agreement.products.set(products)
    event_record(
        action="agreement.created",
        obj=agreement,
        actor=by,
        agreement=agreement,
        message=f"{agreement.number} ({agreement.get_kind_display()})",
    )
    return agreement


def _terms_apply(instance: Any, terms: dict[str, Any]) -> None:
    """Set ``terms`` on a terms row and validate every field (RuleViolation on ``terms.*``)."""
    known = {f.name for f in type(instance)._meta.fields} - {"id", "agreement"}
    unknown = set(terms) - known - {"installments"}
    if unknown:
        raise RuleViolation({f"terms.{name}": [msg.UNKNOWN_TERM] for name in sorted(unknown)})
    for name, value in terms.items():
        if name != "installments":
            setattr(instance, name, value)
    try:
        instance.full_clean(exclude=["agreement"])
    except ValidationError as error:
        _raise_as_rule_violation(error, prefix="terms.")


def terms_validate(*, kind: str, terms: dict[str, Any]) -> None:
    """Refuse terms that ``agreement_create`` would refuse, saving nothing (the admin's add form)."""
    _terms_apply(TERMS_MODELS[kind](), terms)


def terms_save(*, agreement: Agreement, terms: dict[str, Any]) -> Any:
    """Create or update the terms row of the agreement's kind, validating every field."""
    model = TERMS_MODELS[agreement.kind]
    instance = model.objects.filter(agreement=agreement).first() or model(agreement=agreement)
    _terms_apply(instance, terms)
    instance.save()
    if "installments" in terms and agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        installments_replace(agreement=agreement, installments=terms["installments"])
    return instance


def installments_replace(*, agreement: Agreement, installments: list[dict[str, Any]]) -> None:
    """Replace the installment schedule of a draft consulting agreement."""
    installments_validate(installments)
    agreement.installments.all().delete()
    for number, item in enumerate(installments, start=1):
        installment = Installment(
            agreement=agreement,
            number=number,
            percent=Decimal(str(item["percent"])),
            due_from=item.get("due_from", Installment.DueFrom.SIGNING),
            working_days=int(item.get("working_days", 3)),
        )
        try:
            installment.full_clean(exclude=["agreement"])
        except ValidationError as error:
            _raise_as_rule_violation(error, prefix="installments.")
        installment.save()


def agreement_check_complete(*, agreement: Agreement) -> None:
    """Everything activation needs: valid fields, a payee account, terms, installments."""
    try:
        agreement.full_clean()
    except ValidationError as error:
        _raise_as_rule_violation(error)
    if agreement.bank_account_id is None:
        raise RuleViolation({"bank_account": [msg.BANK_ACCOUNT_REQUIRED]})
    terms = agreement.terms
    if terms is None:
        raise RuleViolation({"terms": [msg.TERMS_MISSING]})
    if agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        assert isinstance(terms, ConsultingTerms)
        if terms.total_fee <= 0:
            raise RuleViolation({"terms.total_fee": [msg.TOTAL_FEE_REQUIRED]})
        installments_validate([{"percent": i.percent} for i in agreement.installments.all()])


def blank_terms_check(*, agreement: Agreement) -> None:
    """Refuse, until confirmed, to activate an agreement whose money terms are blank.

    The message names the blank terms and what activation would bill (one-off bills
    and the monthly bill), so the caller can confirm with ``confirm_blank_terms``.
    """
    summary = activation_summary(agreement)
    if not summary.blank:
        return
    billed_zh, billed_en = summary.billed_text()
    raise RuleViolation(
        {
            "confirm": [
                msg.BLANK_TERMS_UNCONFIRMED.format(
                    blank_zh="、".join(zh for zh, _ in summary.blank),
                    blank_en=", ".join(en for _, en in summary.blank),
                    billed_zh=billed_zh,
                    billed_en=billed_en,
                )
            ]
        }
    )


@transaction.atomic
def agreement_activate(
    *, agreement: Agreement, by: Any, confirm_blank_terms: bool = False
) -> Agreement:
    """Draft → active. The one-off bills due from signing follow (settlements).

    An agreement whose money terms are blank (``contracts.selectors.blank_money_terms``)
    is activated only with ``confirm_blank_terms``; otherwise ``blank_terms_check``
    refuses it with what would be billed.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.DRAFT:
        raise InvalidStateError(msg.NOT_DRAFT.format(status=agreement.status))
    agreement_check_complete(agreement=agreement)
    if not confirm_blank_terms:
        blank_terms_check(agreement=agreement)
    agreement.status = Agreement.Status.ACTIVE
    agreement.save(update_fields=["status", "updated_at"])
    event_record(action="agreement.activated", obj=agreement, actor=by, agreement=agreement)
    for hook in ACTIVATION_HOOKS:
        hook(agreement=agreement, by=by)
    return agreement


# Other apps register what must happen when an agreement becomes active (the one-off
# bills of the settlements app), so contracts does not import settlements.
ACTIVATION_HOOKS: list[Any] = []


# Fields staff may edit in any state: internal notes, not terms of the contract.
FREE_TEXT_FIELDS = {"notes"}


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    by: Any,
    fields: dict[str, Any],
    terms: dict[str, Any] | None = None,
    products: list[Any] | None = None,
) -> Agreement:
    """Change a draft agreement: its fields, terms and products (validated, logged).

    An agreement in force is changed only through its lifecycle (InvalidStateError);
    its internal notes are the exception, being no part of the contract.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    contract_change = bool(set(fields) - FREE_TEXT_FIELDS or terms or products is not None)
    if agreement.status != Agreement.Status.DRAFT and contract_change:
        raise InvalidStateError(msg.NOT_EDITABLE.format(status=agreement.status))
    for name, value in fields.items():
        setattr(agreement, name, value)
    try:
        agreement.full_clean()
    except ValidationError as error:
        _raise_as_rule_violation(error)
    # A new brand must fit the products kept, as new products must fit the brand.
    agreement_products_check(
        brand=agreement.brand_id,
        products=products if products is not None else agreement.products.all(),
    )
    agreement.save()
    if products is not None:
        agreement.products.set(products)
    if terms:
        terms_save(agreement=agreement, terms=terms)
    event_record(
        action="agreement.changed",
        obj=agreement,
        actor=by,
        agreement=agreement,
        detail={
            "fields": sorted([*fields, *(["products"] if products is not None else [])]),
            "terms": sorted(terms or {}),
        },
    )
    return agreement


# Other apps register what an agreement already holds after a day: a function
# ``(agreement=, on=) -> list[Bilingual]`` naming, in both languages, the records dated
# after ``on`` (settlements: monthly statements; kpis: KPI records and sale lines), so
# contracts imports neither.
TERMINATION_CHECKS: list[Callable[..., list[Bilingual]]] = []


def termination_check(*, agreement: Agreement, on: date) -> None:
    """Refuse a termination on ``on`` when statements, KPI records or sales lie after it."""
    found = [item for check in TERMINATION_CHECKS for item in check(agreement=agreement, on=on)]
    if found:
        raise RuleViolation(
            {
                "on": [
                    msg.TERMINATION_BEFORE_RECORDS.format(
                        on=on.isoformat(),
                        found_zh="、".join(zh for zh, _ in found),
                        found_en=", ".join(en for _, en in found),
                    )
                ]
            }
        )


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, on: date, reason: str, by: Any) -> Agreement:
    """Active → terminated on ``on`` (inclusive last day), with the reason logged.

    Refused when the agreement already holds records dated after ``on``
    (``termination_check``): a month cannot be both billed and outside the agreement.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.ACTIVE:
        raise InvalidStateError(msg.NOT_ACTIVE.format(status=agreement.status))
    if not reason or not reason.strip():
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    if on < agreement.starts_on:
        raise RuleViolation({"on": [msg.TERMINATION_BEFORE_START]})
    if on > agreement.ends_on:
        raise RuleViolation({"on": [msg.TERMINATION_AFTER_END]})
    termination_check(agreement=agreement, on=on)
    agreement.status = Agreement.Status.TERMINATED
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    agreement.save(update_fields=["status", "terminated_on", "termination_reason", "updated_at"])
    event_record(
        action="agreement.terminated",
        obj=agreement,
        actor=by,
        agreement=agreement,
        message=reason.strip(),
        detail={"on": on.isoformat()},
    )
    return agreement


@transaction.atomic
def renewal_objection_record(
    *, agreement: Agreement, on: date, by_party: str, note: str, by: Any
) -> RenewalObjection:
    """Record a written objection to automatic renewal, with the date it was made.

    It stops the renewal at the end of the current term if made on or before the
    notice deadline (ends_on − notice months); a later one counts for the next term.
    """
    if by_party not in (Party.BRAND, Party.AGENCY):
        raise RuleViolation({"by": [msg.OBJECTION_PARTY]})
    if on > clock.today():
        raise RuleViolation({"on": [msg.FUTURE_DATE]})
    if not agreement.auto_renew:
        raise InvalidStateError(msg.OBJECTION_NOT_RENEWING)
    objection = RenewalObjection.objects.create(
        agreement=agreement, objected_on=on, by_party=by_party, note=note
    )
    deadline = renewal_objection_deadline(
        ends_on=agreement.ends_on, notice_months=agreement.renewal_notice_months
    )
    event_record(
        action="agreement.renewal_objection",
        obj=agreement,
        actor=by,
        agreement=agreement,
        message=note,
        detail={
            "on": on.isoformat(),
            "by": by_party,
            "deadline": deadline.isoformat(),
            "in_time": on <= deadline,
        },
    )
    return objection


def renewal_blocked(*, agreement: Agreement) -> bool:
    """True if an objection was made on or before this term's notice deadline."""
    deadline = renewal_objection_deadline(
        ends_on=agreement.ends_on, notice_months=agreement.renewal_notice_months
    )
    return agreement.renewal_objections.filter(objected_on__lte=deadline).exists()


@dataclass(frozen=True)
class RolloverResult:
    renewed: list[str]
    expired: list[str]


def agreements_roll_over(
    *, today: date | None = None, by: Any = None, guard: RowGuard | None = None
) -> RolloverResult:
    """Daily: renew or expire every active agreement whose last day is before ``today``.

    An auto-renewing agreement with no timely objection is extended by its renewal
    term from its old end date (repeatedly, if the job did not run for a long time); any
    other expires. Safe to run twice: a renewed agreement's end is then in the future.
    Each agreement is its own row of ``guard`` (by default errors are raised).
    """
    today = today or clock.today()
    guard = guard or RowGuard("renewals", strict=True)
    renewed: list[str] = []
    expired: list[str] = []
    due = Agreement.objects.filter(status=Agreement.Status.ACTIVE, ends_on__lt=today)
    for agreement_id, number in due.values_list("pk", "number"):
        with guard.row(number):
            outcome = _agreement_roll_over(agreement_id=agreement_id, today=today, by=by)
            if outcome == "renewed":
                renewed.append(number)
            elif outcome == "expired":
                expired.append(number)
    return RolloverResult(renewed=renewed, expired=expired)


def _agreement_roll_over(*, agreement_id: int, today: date, by: Any) -> str:
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    if agreement.status != Agreement.Status.ACTIVE or agreement.ends_on >= today:
        return ""  # a concurrent run got there first
    while agreement.ends_on < today:
        if not agreement.auto_renew or renewal_blocked(agreement=agreement):
            agreement.status = Agreement.Status.EXPIRED
            agreement.save(update_fields=["status", "updated_at"])
            event_record(
                action="agreement.expired",
                obj=agreement,
                actor=by,
                agreement=agreement,
                detail={"ends_on": agreement.ends_on.isoformat()},
            )
            return "expired"
        old_end = agreement.ends_on
        agreement.ends_on = renewed_ends_on(
            ends_on=old_end, term_months=agreement.renewal_term_months
        )
        agreement.renewal_count += 1
        agreement.save(update_fields=["ends_on", "renewal_count", "updated_at"])
        event_record(
            action="agreement.renewed",
            obj=agreement,
            actor=by,
            agreement=agreement,
            detail={"from": old_end.isoformat(), "to": agreement.ends_on.isoformat()},
        )
    return "renewed"


# The date of the "opening" history entry that keeps a product's first prices.
OPENING_PRICES_FROM = date(2000, 1, 1)


@transaction.atomic
def product_price_set(
    *,
    product: Product,
    valid_from: date,
    factory_price: Decimal,
    distributor_price: Decimal,
    min_retail_price: Decimal,
    by: Any,
) -> ProductPrice:
    """Record the product's prices from ``valid_from`` on (a dated history entry).

    The product's current prices follow the entry valid today. Sale lines already
    recorded keep the prices they snapshotted.
    """
    if not product.prices.exists() and valid_from > OPENING_PRICES_FROM:
        # Keep the prices used so far, so sales dated before ``valid_from`` still get them.
        ProductPrice.objects.create(
            product=product,
            valid_from=OPENING_PRICES_FROM,
            factory_price=product.factory_price,
            distributor_price=product.distributor_price,
            min_retail_price=product.min_retail_price,
        )
    entry = ProductPrice.objects.filter(product=product, valid_from=valid_from).first()
    entry = entry or ProductPrice(product=product, valid_from=valid_from)
    entry.factory_price = Decimal(factory_price)
    entry.distributor_price = Decimal(distributor_price)
    entry.min_retail_price = Decimal(min_retail_price)
    try:
        entry.full_clean()
    except ValidationError as error:
        _raise_as_rule_violation(error)
    entry.save()
    current = (
        ProductPrice.objects.filter(product=product, valid_from__lte=clock.today())
        .order_by("-valid_from")
        .first()
    )
    if current is not None:
        product.factory_price = current.factory_price
        product.distributor_price = current.distributor_price
        product.min_retail_price = current.min_retail_price
        product.save(update_fields=["factory_price", "distributor_price", "min_retail_price"])
    event_record(
        action="product.prices_set",
        obj=product,
        actor=by,
        detail={
            "valid_from": valid_from.isoformat(),
            "factory_price": str(entry.factory_price),
            "distributor_price": str(entry.distributor_price),
            "min_retail_price": str(entry.min_retail_price),
        },
    )
    return entry
