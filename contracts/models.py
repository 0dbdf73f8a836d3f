"""Agreements of three kinds, their terms, products and the price history."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts import validation as msg
from core.money import VAT_RATES, ZERO


def money_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    """A CNY amount: 14 digits, 2 places, never negative unless stated."""
    kwargs.setdefault("validators", [MinValueValidator(ZERO, message=msg.NEGATIVE_AMOUNT)])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def price_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(ZERO, message=msg.NEGATIVE_PRICE)],
        **kwargs,
    )


class Product(models.Model):
    """A brand's product; the price fields are the ones valid today.

    ``ProductPrice`` rows keep the dated history so that a back-dated sale line takes
    the prices valid on its date.
    """

    brand = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("brand"),
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"kind": "brand"},
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    factory_price = price_field(_("factory price"))
    distributor_price = price_field(_("distributor price"))
    min_retail_price = price_field(_("minimum retail price"))
    units_per_carton = models.PositiveIntegerField(_("units per carton"), default=1)

    class Meta:
        ordering = ["brand", "sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["brand", "sku"], name="unique_sku_per_brand")
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ProductPrice(models.Model):
    """The prices of a product from ``valid_from`` until the next row's date."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="prices", verbose_name=_("product")
    )
    valid_from = models.DateField(_("valid from"))
    factory_price = price_field(_("factory price"))
    distributor_price = price_field(_("distributor price"))
    min_retail_price = price_field(_("minimum retail price"))

    class Meta:
        ordering = ["product", "-valid_from"]
        verbose_name = _("price history entry")
        verbose_name_plural = _("price history")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "valid_from"], name="one_price_per_product_and_day"
            )
        ]

    def __str__(self) -> str:
        return _("{sku} from {day}").format(sku=self.product.sku, day=self.valid_from)


class Party(models.TextChoices):
    NONE = "none", _("Nobody")
    BRAND = "brand", _("Brand")
    AGENCY = "agency", _("Agency")
    BOTH = "both", _("Both")


class Agreement(models.Model):
    """A signed agreement between a brand (甲方) and an agency (乙方)."""

    class Kind(models.TextChoices):
        B2B_COMMISSION = "b2b_commission", _("B2B distributor commission")
        REVENUE_SHARE = "revenue_share", _("Revenue share")
        CONSULTING_FIXED_FEE = "consulting_fixed_fee", _("Fixed-fee consulting")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    brand = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("brand"),
        on_delete=models.PROTECT,
        related_name="brand_agreements",
        limit_choices_to={"kind": "brand"},
    )
    agency = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="agency_agreements",
        limit_choices_to={"kind": "agency"},
    )
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on (inclusive)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    products = models.ManyToManyField(
        Product, verbose_name=_("products covered"), blank=True, related_name="agreements"
    )
    exclusivity_party = models.CharField(
        _("exclusivity binds"), max_length=8, choices=Party.choices, default=Party.NONE
    )
    exclusivity_scope = models.CharField(_("exclusivity scope"), max_length=300, blank=True)
    confidentiality_party = models.CharField(
        _("confidentiality binds"), max_length=8, choices=Party.choices, default=Party.BOTH
    )
    confidentiality_years = models.PositiveSmallIntegerField(
        _("confidentiality years after the end"),
        null=True,
        blank=True,
        help_text=_("Empty means open-ended."),
    )
    auto_renew = models.BooleanField(_("auto-renewal"), default=False)
    renewal_term_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    renewal_notice_months = models.PositiveSmallIntegerField(
        _("objection notice (months)"), default=1, validators=[MaxValueValidator(24)]
    )
    penalty_rate_per_day = models.DecimalField(
        _("late penalty rate per day"),
        max_digits=8,
        decimal_places=5,
        default=ZERO,
        help_text=_("A fraction: 0.003 is 0.3% a day."),
    )
    bank_account = models.ForeignKey(
        "accounts.BankAccount",
        verbose_name=_("payee bank account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    renewal_count = models.PositiveSmallIntegerField(_("renewals"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(penalty_rate_per_day__gte=0),
                name="agreement_penalty_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind and self.kind not in self.Kind.values:
            errors["kind"] = msg.UNKNOWN_KIND.format(kind=self.kind)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = msg.ENDS_BEFORE_STARTS
        if self.penalty_rate_per_day is not None:
            if self.penalty_rate_per_day < 0:
                errors["penalty_rate_per_day"] = msg.NEGATIVE_RATE
            elif self.penalty_rate_per_day > 1:
                errors["penalty_rate_per_day"] = msg.RATE_TOO_HIGH
        brand = self.brand if self.brand_id else None
        agency = self.agency if self.agency_id else None
        if brand is not None and brand.kind != "brand":
            errors["brand"] = msg.BRAND_NOT_BRAND
        if agency is not None and agency.kind != "agency":
            errors["agency"] = msg.AGENCY_NOT_AGENCY
        if (
            brand is not None
            and agency is not None
            and "brand" not in errors
            and "agency" not in errors
            and brand.agency_id != agency.pk
        ):
            errors["brand"] = msg.BRAND_OF_OTHER_AGENCY
        if self.bank_account_id and agency is not None:
            if self.bank_account.organization_id != agency.pk:
                errors["bank_account"] = msg.BANK_ACCOUNT_NOT_PAYEE
        if errors:
            raise ValidationError(errors)

    @property
    def terms(self) -> "B2BCommissionTerms | RevenueShareTerms | ConsultingTerms | None":
        """The terms object of this agreement's kind, or None if none were saved yet."""
        related = {
            self.Kind.B2B_COMMISSION: "b2b_terms",
            self.Kind.REVENUE_SHARE: "revenue_share_terms",
            self.Kind.CONSULTING_FIXED_FEE: "consulting_terms",
        }.get(self.kind)
        if related is None:
            return None
        try:
            return getattr(self, related)  # type: ignore[no-any-return]
        except models.ObjectDoesNotExist:
            return None

    @property
    def effective_ends_on(self):  # type: ignore[no-untyped-def]
        """The last day the agreement runs: the termination date if it ended early."""
        return self.terminated_on or self.ends_on


VAT_RATE_CHOICES = [
    (Decimal("0.06"), _("6% (general taxpayer, modern services)")),
    (Decimal("0.03"), _("3% (small-scale taxpayer)")),
    (Decimal("0.01"), _("1% (small-scale taxpayer, reduced)")),
    (Decimal("0.00"), _("0 (no VAT)")),
]


class CommonTerms(models.Model):
    """Terms every kind shares: the VAT rate of the agency's invoices, payment only after
    the invoice (收到发票后付款), and the cure period after a breach notice."""

    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.06"),
        choices=VAT_RATE_CHOICES,
        help_text=_("The rate on the agency's invoices; it never changes what is owed."),
    )
    invoice_before_payment = models.BooleanField(
        _("payment only after the invoice"),
        default=False,
        help_text=_("Nothing is overdue until an invoice for the full total is recorded."),
    )
    invoice_payment_working_days = models.PositiveSmallIntegerField(
        _("payment after the invoice (working days)"), default=5
    )
    cure_days = models.PositiveSmallIntegerField(
        _("cure period after a breach notice (calendar days)"), default=15
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.vat_rate is not None and Decimal(self.vat_rate) not in VAT_RATES:
            raise ValidationError({"vat_rate": msg.VAT_RATE_NOT_ALLOWED})


class B2BCommissionTerms(CommonTerms):
    """Terms of a B2B distributor-recruitment agreement (seed b2b-commission-agreement)."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="b2b_terms", verbose_name=_("agreement")
    )
    monthly_service_fee = money_field(_("monthly service fee"), default=ZERO)
    min_distributors = models.PositiveIntegerField(_("minimum distributors recruited"), default=0)
    min_cartons = models.PositiveIntegerField(_("minimum cartons shipped"), default=0)
    min_sales_amount = money_field(_("minimum sales amount"), default=ZERO)
    payment_working_days = models.PositiveSmallIntegerField(
        _("payment due (working days after confirmation)"), default=5
    )
    web_targets_from_month = models.PositiveSmallIntegerField(
        _("web targets from month of operation"), default=4
    )
    min_unique_visitors = models.PositiveIntegerField(
        _("minimum monthly unique visitors"), default=500
    )
    min_daily_inquiries = models.DecimalField(
        _("minimum daily inquiries"), max_digits=8, decimal_places=2, default=Decimal("10")
    )
    min_conversion_rate = models.DecimalField(
        _("minimum conversion rate"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.015"),
        help_text=_("A fraction: 0.015 is 1.5%."),
    )
    dispute_reply_working_days = models.PositiveSmallIntegerField(
        _("dispute answered within (working days)"),
        default=5,
        help_text=_("After this many working days unanswered, a dispute is flagged for staff."),
    )

    class Meta:
        verbose_name = _("B2B commission terms")
        verbose_name_plural = _("B2B commission terms")

    def __str__(self) -> str:
        return _("B2B terms of {number}").format(number=self.agreement.number)


class RevenueShareTerms(CommonTerms):
    """Terms of a revenue-share agreement (seed part 2): default 70:30 and a setup fee."""

    agreement = models.OneToOneField(
        Agreement,
        on_delete=models.CASCADE,
        related_name="revenue_share_terms",
        verbose_name=_("agreement"),
    )
    agency_ratio = models.DecimalField(
        _("agency share ratio"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.30"),
        help_text=_("A fraction: 0.30 gives the agency thirty percent of the profit."),
    )
    setup_fee = money_field(_("setup fee"), default=Decimal("10000.00"))
    setup_fee_due_days = models.PositiveSmallIntegerField(
        _("setup fee due (calendar days after signing)"), default=3
    )
    setup_fee_penalty_rate_per_day = models.DecimalField(
        _("setup fee penalty rate per day"),
        max_digits=8,
        decimal_places=5,
        default=ZERO,
        help_text=_("The template sets none: 0 means no penalty on the setup fee."),
    )
    issue_by_day = models.PositiveSmallIntegerField(
        _("statement issued by day of month"), default=10
    )
    receipt_working_days = models.PositiveSmallIntegerField(
        _("receipt due (working days after issue)"), default=5
    )
    payment_day = models.PositiveSmallIntegerField(_("payment day of month"), default=20)
    payment_window_start_day = models.PositiveSmallIntegerField(
        _("payments expected from day"), default=15
    )
    payment_working_days = models.PositiveSmallIntegerField(
        _("payment due (working days after confirmation)"), default=3
    )
    termination_overdue_days = models.PositiveSmallIntegerField(
        _("termination right after days overdue"), default=15
    )
    dispute_reply_working_days = models.PositiveSmallIntegerField(
        _("dispute answered within (working days)"),
        default=5,
        help_text=_("After this many working days unanswered, a dispute is flagged for staff."),
    )

    class Meta:
        verbose_name = _("revenue share terms")
        verbose_name_plural = _("revenue share terms")

    def __str__(self) -> str:
        return _("Revenue share terms of {number}").format(number=self.agreement.number)

    def clean(self) -> None:
        super().clean()
        if self.agency_ratio is not None and not (0 <= self.agency_ratio <= 1):
            raise ValidationError({"agency_ratio": msg.RATIO_OUT_OF_RANGE})
        for day_field in ("issue_by_day", "payment_day", "payment_window_start_day"):
            value = getattr(self, day_field)
            if value is not None and not (1 <= value <= 28):
                raise ValidationError({day_field: "1–28"})


class ConsultingTerms(CommonTerms):
    """Terms of a fixed-fee consulting agreement (seed parts 3–4)."""

    agreement = models.OneToOneField(
        Agreement,
        on_delete=models.CASCADE,
        related_name="consulting_terms",
        verbose_name=_("agreement"),
    )
    total_fee = money_field(_("total fee"), default=ZERO)

    class Meta:
        verbose_name = _("consulting terms")
        verbose_name_plural = _("consulting terms")

    def __str__(self) -> str:
        return _("Consulting terms of {number}").format(number=self.agreement.number)


class Installment(models.Model):
    """One installment of a fixed fee: a percentage due N working days after an event."""

    class DueFrom(models.TextChoices):
        SIGNING = "signing", _("Signing")
        END = "end", _("End (or termination)")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="installments",
        verbose_name=_("agreement"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)
    due_from = models.CharField(_("due from"), max_length=10, choices=DueFrom.choices)
    working_days = models.PositiveSmallIntegerField(_("working days after"), default=3)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="unique_installment_number"
            )
        ]

    def __str__(self) -> str:
        return _("{number}: {percent} from {due_from}, {days} working days").format(
            number=self.number,
            percent=f"{self.percent}%",
            due_from=self.get_due_from_display(),
            days=self.working_days,
        )

    def clean(self) -> None:
        if self.percent is not None and not (0 < self.percent <= 100):
            raise ValidationError({"percent": msg.INSTALLMENT_PERCENT_RANGE})


class RenewalObjection(models.Model):
    """A written objection to automatic renewal, with its date (DOMAIN: revenue share)."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="renewal_objections",
        verbose_name=_("agreement"),
    )
    objected_on = models.DateField(_("objected on"))
    by_party = models.CharField(
        _("by"),
        max_length=8,
        choices=[(Party.BRAND, Party.BRAND.label), (Party.AGENCY, Party.AGENCY.label)],
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    class Meta:
        ordering = ["agreement", "objected_on"]
        verbose_name = _("renewal objection")
        verbose_name_plural = _("renewal objections")

    def __str__(self) -> str:
        return _("{number}: {party} objected on {day}").format(
            number=self.agreement.number, party=self.get_by_party_display(), day=self.objected_on
        )
