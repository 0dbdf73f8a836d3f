"""Sale lines and monthly KPI records: cleaning, recording, prefill, evaluation, waivers.

``sale_row_clean`` is the one validation of a sale line; the API, the imports and the
admin all use it, so a row is accepted or refused the same way everywhere.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Sum

from accounts.roles import is_brand_finance_for, is_staff_for
from common import clock
from common.api.fields import DECIMAL_TEXT, text_is_storable
from common.events import event_record
from contracts.models import Agreement, Product
from contracts.selectors import Bilingual, PriceBook
from contracts.validation import PERIOD_OUTSIDE_AGREEMENT
from core.exceptions import DomainError, RuleViolation
from core.messages import TEXT_NOT_STORABLE
from core.money import CENT, ZERO, quantize_money
from core.periods import Period, overlap_days
from kpis import messages as msg
from kpis.evaluation import B2BTargets, KpiEvaluation, KpiFigures, evaluate_b2b_kpis
from kpis.models import FeeWaiver, KpiRecord, Promotion, SaleLine

CHANNEL_ALIASES = {
    "jd": "jd",
    "京东": "jd",
    "tmall": "tmall",
    "天猫": "tmall",
    "wechat": "wechat",
    "微信": "wechat",
    "微信小店": "wechat",
    "b2b_distributor": "b2b_distributor",
    "经销商": "b2b_distributor",
    "b2b经销商": "b2b_distributor",
    "other": "other",
    "其他": "other",
    "": "other",
}
# The fields that make two lines "the same line" for idempotent re-posting.
IDENTITY_FIELDS = (
    "product_id",
    "sold_on",
    "quantity",
    "unit_price",
    "factory_price",
    "distributor_price",
    "tax",
    "logistics",
    "channel",
    "distributor",
    "promotion_id",
)


# Bounds of what the database columns hold: beyond them a value is refused as bad input.
MAX_AMOUNT = Decimal("1000000000000")
MAX_QUANTITY = 1_000_000_000


class ExternalRefConflict(DomainError):
    """The same external_ref was posted with different content (HTTP 409)."""


@dataclass
class SaleContext:
    """Everything needed to clean many rows of one agreement without a query per row."""

    agreement: Agreement
    today: date
    products: dict[str, Product] = field(default_factory=dict)
    covered: set[int] = field(default_factory=set)
    promotions: dict[str, Promotion] = field(default_factory=dict)
    price_book: PriceBook | None = None

    @classmethod
    def load(cls, agreement: Agreement) -> "SaleContext":
        products = list(Product.objects.filter(brand_id=agreement.brand_id))
        return cls(
            agreement=agreement,
            today=clock.today(),
            products={p.sku: p for p in products},
            covered=set(agreement.products.values_list("pk", flat=True)),
            promotions={p.code: p for p in Promotion.objects.filter(agreement=agreement)},
            price_book=PriceBook(products),
        )


def cell_text(value: Any) -> str:
    """A cell or JSON value as stripped text; a whole float (Excel's 5.0) loses its .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _parse_amount(value: Any) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)  # spreadsheets hand us floats; keep their shortest text
    text = cell_text(value).replace(",", "").replace("¥", "").replace("￥", "")
    if DECIMAL_TEXT.fullmatch(text) is None:  # Decimal() also reads "1_000", "１２３", "1e2"
        return None
    try:
        amount = Decimal(text)
    except ArithmeticError:  # InvalidOperation, Overflow ("1e999999999")
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    try:
        too_big = abs(amount) >= MAX_AMOUNT  # the database keeps 12 digits before the point
    except ArithmeticError:
        return None
    if too_big:
        return None
    return quantize_money(amount)


def _parse_int(value: Any) -> int | None:
    text = cell_text(value)
    if DECIMAL_TEXT.fullmatch(text) is None:
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:  # InvalidOperation, Overflow ("1e999999999")
        return None
    try:
        if not number.is_finite() or abs(number) > MAX_QUANTITY:
            return None
        if number != number.to_integral_value():
            return None
    except ArithmeticError:
        return None
    return int(number)


def sale_row_clean(
    row: Mapping[str, Any], *, ctx: SaleContext
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn one raw row (API JSON or a file row) into SaleLine fields, or field errors.

    Prices not given are taken from the product's prices valid on the sale date; a sale
    below the minimum retail price is flagged unless linked to an approved promotion
    whose dates include the sale.
    """
    errors: dict[str, list[str]] = {}
    agreement = ctx.agreement
    if agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        return {}, {"agreement": [msg.NO_SALES_FOR_KIND]}
    if agreement.status == Agreement.Status.DRAFT:
        return {}, {"agreement": [msg.AGREEMENT_NOT_RUNNING]}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    sku = cell_text(row.get("product"))
    product = ctx.products.get(sku) if sku else None
    if not sku:
        err("product", msg.REQUIRED)
    elif product is None:
        err("product", msg.UNKNOWN_PRODUCT.format(sku=sku))
    elif ctx.covered and product.pk not in ctx.covered:
        err("product", msg.PRODUCT_NOT_COVERED.format(sku=sku))

    sold_on = None
    if cell_text(row.get("sold_on")) == "" and not isinstance(row.get("sold_on"), date):
        err("sold_on", msg.REQUIRED)
    else:
        sold_on = _parse_date(row.get("sold_on"))
        if sold_on is None:
            err("sold_on", msg.NOT_A_DATE)
        elif sold_on > ctx.today:
            err("sold_on", msg.FUTURE_DATE)
        elif not (agreement.starts_on <= sold_on <= agreement.effective_ends_on):
            err(
                "sold_on",
                msg.OUTSIDE_AGREEMENT.format(
                    day=sold_on, start=agreement.starts_on, end=agreement.effective_ends_on
                ),
            )

    quantity = None
    if cell_text(row.get("quantity")) == "":
        err("quantity", msg.REQUIRED)
    else:
        quantity = _parse_int(row.get("quantity"))
        if quantity is None:
            err("quantity", msg.NOT_AN_INTEGER)
        elif quantity == 0:
            err("quantity", msg.QUANTITY_ZERO)

    amounts: dict[str, Decimal | None] = {}
    for name, required, default in (
        ("unit_price", True, None),
        ("factory_price", False, None),
        ("distributor_price", False, None),
        ("tax", False, ZERO),
        ("logistics", False, ZERO),
    ):
        if cell_text(row.get(name)) == "":
            if required:
                err(name, msg.REQUIRED)
            amounts[name] = default
            continue
        value = _parse_amount(row.get(name))
        if value is None:
            err(name, msg.NOT_AN_AMOUNT)
        elif name.endswith("price") and value < 0:
            err(name, msg.NEGATIVE_PRICE)
        amounts[name] = value
    if quantity:
        for name in ("tax", "logistics"):
            value = amounts.get(name)
            if value is not None and value != 0 and (value < 0) != (quantity < 0):
                err(name, msg.SIGN_MISMATCH)

    channel = CHANNEL_ALIASES.get(cell_text(row.get("channel")).lower().replace(" ", ""))
    if channel is None:
        err("channel", msg.UNKNOWN_CHANNEL.format(value=cell_text(row.get("channel"))))
    distributor = cell_text(row.get("distributor"))
    if len(distributor) > 200:
        err("distributor", msg.TOO_LONG.format(max=200))
    external_ref = cell_text(row.get("external_ref"))
    if len(external_ref) > 100:
        err("external_ref", msg.TOO_LONG.format(max=100))

    promotion = None
    code = cell_text(row.get("promotion"))
    if code:
        promotion = ctx.promotions.get(code)
        if promotion is None:
            err("promotion", msg.UNKNOWN_PROMOTION.format(code=code))
        elif sold_on and not (promotion.starts_on <= sold_on <= promotion.ends_on):
            err("promotion", msg.PROMOTION_DATES.format(code=code))

    for name in ("product", "channel", "distributor", "external_ref", "promotion"):
        value = row.get(name)
        if isinstance(value, str) and not text_is_storable(value):
            errors[name] = [TEXT_NOT_STORABLE]  # alone: other messages may quote the text

    if errors:
        return {}, errors
    assert product is not None and sold_on is not None and quantity is not None
    assert ctx.price_book is not None
    prices = ctx.price_book.prices_on(product, sold_on)
    unit_price = amounts["unit_price"]
    assert unit_price is not None
    cleaned = {
        "agreement": agreement,
        "product": product,
        "product_id": product.pk,
        "sold_on": sold_on,
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": unit_price * quantity,
        "factory_price": amounts["factory_price"]
        if amounts["factory_price"] is not None
        else prices.factory_price,
        "distributor_price": (
            amounts["distributor_price"]
            if amounts["distributor_price"] is not None
            else prices.distributor_price
        ),
        "min_retail_price": prices.min_retail_price,
        "tax": amounts["tax"],
        "logistics": amounts["logistics"],
        "channel": channel,
        "distributor": distributor,
        "external_ref": external_ref,
        "promotion": promotion,
        "promotion_id": promotion.pk if promotion else None,
    }
    # A shipment to a distributor is at the distributor price by design: only retail
    # channels are held to the minimum retail price.
    cleaned["price_violation"] = price_violation_of(
        channel=channel,
        unit_price=unit_price,
        min_retail_price=prices.min_retail_price,
        promotion=promotion,
        sold_on=sold_on,
    )
    return cleaned, {}


def price_violation_of(
    *,
    channel: str,
    unit_price: Decimal,
    min_retail_price: Decimal,
    promotion: Promotion | None,
    sold_on: date,
) -> bool:
    """A retail sale below the minimum retail price, unless the brand approved its
    promotion, the sale falls within the promotion's dates and is not below its floor.

    A sale naming a pending or rejected promotion is flagged like any other."""
    if channel == SaleLine.Channel.B2B_DISTRIBUTOR or unit_price >= min_retail_price:
        return False
    if promotion is None or promotion.status != Promotion.Status.APPROVED:
        return True
    if not promotion.starts_on <= sold_on <= promotion.ends_on:
        return True
    return promotion.price_floor is not None and unit_price < promotion.price_floor


@transaction.atomic
def promotion_sales_recheck(*, promotion: Promotion) -> int:
    """Derive ``price_violation`` again for the sale lines naming ``promotion`` (after
    the brand approved or rejected it); returns how many lines changed."""
    changed = 0
    for line in SaleLine.objects.select_for_update().filter(promotion=promotion):
        flagged = price_violation_of(
            channel=line.channel,
            unit_price=line.unit_price,
            min_retail_price=line.min_retail_price,
            promotion=promotion,
            sold_on=line.sold_on,
        )
        if flagged != line.price_violation:
            line.price_violation = flagged
            line.save(update_fields=["price_violation"])
            changed += 1
    return changed


def same_line(existing: SaleLine, cleaned: Mapping[str, Any]) -> bool:
    """Whether a stored line has exactly the content of a cleaned row."""
    return all(getattr(existing, name) == cleaned[name] for name in IDENTITY_FIELDS)


def sale_line_from(cleaned: Mapping[str, Any], **extra: Any) -> SaleLine:
    """An unsaved SaleLine of a row cleaned by ``sale_row_clean``."""
    fields = {k: v for k, v in cleaned.items() if k not in ("product_id", "promotion_id")}
    return SaleLine(**fields, **extra)


@dataclass(frozen=True)
class SaleRecorded:
    line: SaleLine
    created: bool


@transaction.atomic
def sale_line_record(*, agreement: Agreement, data: Mapping[str, Any], by: Any) -> SaleRecorded:
    """Record one sale line; posting the same external_ref again returns the stored line.

    Raises RuleViolation for bad input and ExternalRefConflict when the external_ref
    exists with different content.
    """
    results = sale_lines_record(agreement=agreement, rows=[data], by=by, indexed=False)
    return results[0]


@transaction.atomic
def sale_lines_record(
    *, agreement: Agreement, rows: Sequence[Mapping[str, Any]], by: Any, indexed: bool = True
) -> list[SaleRecorded]:
    """Record many lines all-or-nothing: any bad row and nothing is saved.

    Errors are ``{"errors": [{"index": i, field: [messages]}]}`` when ``indexed``.
    Copies of one request at the same moment wait for each other on the agreement's row
    and then find the lines the first one stored, so each line is stored once.
    """
    # The lock comes before the lookup of stored external_refs (the unique index is per
    # agreement): looked up first, two copies would both miss and one would fail on it.
    # NO KEY UPDATE: sale lines of other requests can still reference the agreement.
    Agreement.objects.select_for_update(no_key=True).filter(pk=agreement.pk).first()
    ctx = SaleContext.load(agreement)
    cleaned_rows: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        cleaned, errors = sale_row_clean(row, ctx=ctx)
        ref = cleaned.get("external_ref") if cleaned else cell_text(row.get("external_ref"))
        if ref:
            if ref in first_seen:
                errors.setdefault("external_ref", []).append(
                    msg.EXTERNAL_REF_TWICE.format(ref=ref, first=first_seen[ref])
                )
            else:
                first_seen[ref] = index
        if errors:
            problems.append({"index": index, **errors})
        cleaned_rows.append(cleaned)
    if problems:
        if indexed:
            raise RuleViolation({"errors": problems})  # type: ignore[dict-item]
        problems[0].pop("index")
        raise RuleViolation(problems[0])
    existing = {
        line.external_ref: line
        # exclude("") lets PostgreSQL use the partial unique index on (agreement, ref).
        for line in SaleLine.objects.filter(agreement=agreement, external_ref__in=list(first_seen))
        .exclude(external_ref="")
        .order_by()
    }
    results: list[SaleRecorded] = []
    for cleaned in cleaned_rows:
        stored = existing.get(cleaned["external_ref"]) if cleaned["external_ref"] else None
        if stored is not None:
            if not same_line(stored, cleaned):
                raise ExternalRefConflict(
                    msg.EXTERNAL_REF_CONFLICT.format(ref=cleaned["external_ref"])
                )
            results.append(SaleRecorded(stored, created=False))
            continue
        line = sale_line_from(cleaned)
        line.save()
        results.append(SaleRecorded(line, created=True))
    created = [r.line.pk for r in results if r.created]
    if created:
        event_record(
            action="sales.recorded",
            obj=agreement,
            actor=by,
            agreement=agreement,
            detail={"created": len(created)},
        )
    return results


# --- KPI records -----------------------------------------------------------------------


def period_parse(value: str) -> Period:
    try:
        return Period.parse(value)
    except ValueError as error:
        raise RuleViolation({"period": [msg.PERIOD_INVALID]}) from error


def kpi_prefill(*, agreement: Agreement, period: Period) -> dict[str, Any]:
    """Figures the KPI form starts from, taken from the month's sale lines.

    Cartons = Σ quantity ÷ units per carton; sales = Σ line amounts; distributors
    recruited = distributors whose first line for this agreement falls in the month.
    """
    lines = SaleLine.objects.filter(
        agreement=agreement, sold_on__gte=period.first_day, sold_on__lte=period.last_day
    )
    cartons = Decimal("0")
    per_product = lines.values("product_id", "product__units_per_carton").annotate(
        q=Sum("quantity")
    )
    for row in per_product:
        cartons += Decimal(row["q"]) / Decimal(row["product__units_per_carton"] or 1)
    sales = lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    firsts = (
        SaleLine.objects.filter(agreement=agreement)
        .exclude(distributor="")
        .values("distributor")
        .annotate(first=Min("sold_on"))
        .filter(first__gte=period.first_day, first__lte=period.last_day)
    )
    return {
        "cartons_shipped": cartons.quantize(CENT, rounding=ROUND_HALF_UP),
        "sales_amount": sales,
        "distributors_recruited": firsts.aggregate(n=Count("distributor"))["n"] or 0,
    }


KPI_FIELDS = (
    "distributors_recruited",
    "cartons_shipped",
    "sales_amount",
    "unique_visitors",
    "daily_inquiries",
    "conversion_rate",
    "baidu_first_page",
    "google_first_page",
    "notes",
)


class PeriodOutsideAgreement(RuleViolation):
    """The month has no day inside the agreement (before its start, after its end or
    termination): it has no KPI record to keep and no evaluation (HTTP 400)."""


def period_inside_agreement_check(*, agreement: Agreement, period: Period) -> None:
    """Refuse a month with no day from the agreement's start to its (effective) end."""
    starts_on, ends_on = agreement.starts_on, agreement.effective_ends_on
    if overlap_days(period=period, starts_on=starts_on, ends_on=ends_on) == 0:
        raise PeriodOutsideAgreement(
            {
                "period": [
                    PERIOD_OUTSIDE_AGREEMENT.format(
                        period=period, starts_on=starts_on, ends_on=ends_on
                    )
                ]
            }
        )


@transaction.atomic
def kpi_record_save(
    *, agreement: Agreement, period: str, values: Mapping[str, Any], by: Any
) -> KpiRecord:
    """Create or correct the month's KPI record; missing figures come from the sale lines.

    The month must have a day inside the agreement (``period_inside_agreement_check``).
    """
    month = period_parse(period)
    period_inside_agreement_check(agreement=agreement, period=month)
    record = (
        KpiRecord.objects.select_for_update().filter(agreement=agreement, period=str(month)).first()
    )
    created = record is None
    if record is None:
        record = KpiRecord(
            agreement=agreement, period=str(month), **kpi_prefill(agreement=agreement, period=month)
        )
    for name, value in values.items():
        if name in KPI_FIELDS:
            setattr(record, name, value)
    try:
        record.full_clean()
    except ValidationError as error:
        raise RuleViolation(
            {k: [str(m) for m in v] for k, v in error.message_dict.items()}
        ) from error
    record.save()
    event_record(
        action="kpi.created" if created else "kpi.corrected",
        obj=record,
        actor=by,
        agreement=agreement,
        detail={"period": str(month), **{k: str(v) for k, v in values.items()}},
    )
    return record


def b2b_targets(agreement: Agreement) -> B2BTargets:
    terms = agreement.b2b_terms
    return B2BTargets(
        min_distributors=terms.min_distributors,
        min_cartons=terms.min_cartons,
        min_sales_amount=terms.min_sales_amount,
        web_targets_from_month=terms.web_targets_from_month,
        min_unique_visitors=terms.min_unique_visitors,
        min_daily_inquiries=terms.min_daily_inquiries,
        min_conversion_rate=terms.min_conversion_rate,
    )


def kpi_figures(record: KpiRecord | None) -> KpiFigures | None:
    if record is None:
        return None
    return KpiFigures(
        distributors_recruited=record.distributors_recruited,
        cartons_shipped=record.cartons_shipped,
        sales_amount=record.sales_amount,
        unique_visitors=record.unique_visitors,
        daily_inquiries=record.daily_inquiries,
        conversion_rate=record.conversion_rate,
        baidu_first_page=record.baidu_first_page,
        google_first_page=record.google_first_page,
    )


def kpi_evaluate(
    *,
    agreement: Agreement,
    period: Period,
    record: KpiRecord | None = None,
    record_loaded: bool = False,
) -> KpiEvaluation | None:
    """The month's evaluation for a B2B agreement (None for other kinds).

    A month with no day inside the agreement raises ``PeriodOutsideAgreement`` (a 400
    with its message), never the pure evaluation's ValueError; readers that list
    records use ``kpi_evaluation_or_reason``.
    """
    if agreement.kind != Agreement.Kind.B2B_COMMISSION:
        return None
    period_inside_agreement_check(agreement=agreement, period=period)
    if record is None and not record_loaded:  # record_loaded: the caller knows there is none
        record = KpiRecord.objects.filter(agreement=agreement, period=str(period)).first()
    return evaluate_b2b_kpis(
        figures=kpi_figures(record),
        targets=b2b_targets(agreement),
        period=period,
        starts_on=agreement.starts_on,
        ends_on=agreement.effective_ends_on,
    )


def kpi_evaluation_or_reason(*, record: KpiRecord) -> tuple[KpiEvaluation | None, str]:
    """A record's evaluation, or None and why there is none (e.g. a month after the
    agreement's termination, kept from before termination was refused for it)."""
    try:
        evaluation = kpi_evaluate(
            agreement=record.agreement, period=Period.parse(record.period), record=record
        )
    except PeriodOutsideAgreement as error:
        return None, str(error)
    return evaluation, ""


def kpi_evaluation_json(evaluation: KpiEvaluation | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "minimums_met": evaluation.minimums_met,
        "missed": list(evaluation.missed),
        "required": {k: str(v) for k, v in evaluation.required.items()},
        "web_targets_apply": evaluation.web_targets_apply,
        "web_targets": dict(evaluation.web_targets),
    }


def active_waiver(record: KpiRecord) -> FeeWaiver | None:
    """The latest waiver of the month's fee withholding (read from prefetched waivers
    when the caller loaded them, so a list of records costs one query)."""
    prefetched = getattr(record, "_prefetched_objects_cache", {}).get("waivers")
    if prefetched is not None:
        return max(prefetched, key=lambda w: (w.waived_at, w.pk), default=None)
    return record.waivers.order_by("-waived_at", "-pk").first()


@transaction.atomic
def kpi_waive(*, record: KpiRecord, reason: str, by: Any, consent_ref: str = "") -> FeeWaiver:
    """Lift the month's fee withholding: only the brand may (DOMAIN, B2B minimums).

    A brand_finance user of the agreement's brand waives directly; agency staff (or a
    superuser) only by recording the brand's written consent in ``consent_ref``.
    """
    agreement = record.agreement
    if agreement.kind != Agreement.Kind.B2B_COMMISSION:
        raise RuleViolation({"agreement": [msg.NOT_B2B]})
    if not reason or not reason.strip():
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    is_brand = is_brand_finance_for(by, agreement)
    is_staff = is_staff_for(by, agreement)
    if not (is_brand or is_staff):
        raise RuleViolation({"non_field_errors": [msg.WAIVER_NOT_ALLOWED]})
    if not is_brand and not consent_ref.strip():
        raise RuleViolation({"consent_ref": [msg.CONSENT_REF_REQUIRED]})
    evaluation = kpi_evaluate(
        agreement=agreement, period=Period.parse(record.period), record=record
    )
    if evaluation is not None and evaluation.minimums_met:
        raise RuleViolation({"non_field_errors": [msg.NOTHING_WITHHELD]})
    waiver = FeeWaiver.objects.create(
        kpi_record=record, reason=reason.strip(), consent_ref=consent_ref.strip(), waived_by=by
    )
    event_record(
        action="kpi.fee_withholding_waived",
        obj=record,
        actor=by,
        agreement=agreement,
        message=reason.strip(),
        detail={"period": record.period, "consent_ref": consent_ref.strip()},
    )
    return waiver


def termination_records_after(*, agreement: Agreement, on: date) -> list[Bilingual]:
    """The KPI records of months starting after ``on`` and the sale lines dated after it
    (``contracts.services.TERMINATION_CHECKS``, registered in ``KpisConfig``)."""
    found: list[Bilingual] = []
    periods = sorted(
        KpiRecord.objects.filter(agreement=agreement, period__gt=str(Period.of(on))).values_list(
            "period", flat=True
        )
    )
    if periods:
        plural = "s" if len(periods) > 1 else ""
        found.append(
            (
                f"{len(periods)} 条指标记录（{'、'.join(periods)}）",
                f"{len(periods)} KPI record{plural} ({', '.join(periods)})",
            )
        )
    lines = SaleLine.objects.filter(agreement=agreement, sold_on__gt=on).aggregate(
        count=Count("pk"), first=Min("sold_on")
    )
    if lines["count"]:
        count, first = lines["count"], lines["first"].isoformat()
        plural = "s" if count > 1 else ""
        found.append(
            (f"{count} 条销售记录（自 {first} 起）", f"{count} sale line{plural} from {first}")
        )
    return found
