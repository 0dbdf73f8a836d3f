"""Monthly KPI records, fee-withholding waivers, sale lines, promotions and imports."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERIOD_VALIDATOR = RegexValidator(
    r"^\d{4}-(0[1-9]|1[0-2])$", _("A period is written YYYY-MM, e.g. 2026-08.")
)


def period_field(**kwargs: object) -> models.CharField:
    return models.CharField(
        _("period"), max_length=7, validators=[PERIOD_VALIDATOR], db_index=True, **kwargs
    )


class KpiRecord(models.Model):
    """What the agency achieved for one agreement in one month (staff may correct)."""

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="kpi_records",
        verbose_name=_("agreement"),
    )
    period = period_field()
    distributors_recruited = models.PositiveIntegerField(_("distributors recruited"), default=0)
    cartons_shipped = models.DecimalField(
        _("cartons shipped"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    sales_amount = models.DecimalField(
        _("sales amount"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    unique_visitors = models.PositiveIntegerField(_("monthly unique visitors"), default=0)
    daily_inquiries = models.DecimalField(
        _("daily inquiries"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The month's inquiries divided by its days."),
    )
    conversion_rate = models.DecimalField(
        _("conversion rate"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A fraction: 0.015 is 1.5%."),
    )
    baidu_first_page = models.BooleanField(_("Baidu first page"), default=False)
    google_first_page = models.BooleanField(_("Google first page"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        ordering = ["agreement", "-period"]
        verbose_name = _("monthly KPI record")
        verbose_name_plural = _("monthly KPI records")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period"], name="one_kpi_record_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.period}"


class FeeWaiver(models.Model):
    """The brand lifts a month's service-fee withholding (DOMAIN: only the brand may).

    Given by a brand_finance user, or by staff recording the brand's written consent
    (``consent_ref``). Kept for history; the latest one for a record applies.
    """

    kpi_record = models.ForeignKey(
        KpiRecord,
        on_delete=models.PROTECT,
        related_name="waivers",
        verbose_name=_("monthly KPI record"),
    )
    reason = models.TextField(_("reason"))
    consent_ref = models.CharField(
        _("brand's written consent (reference)"), max_length=200, blank=True
    )
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(auto_now_add=True, verbose_name=_("waived at"))

    class Meta:
        ordering = ["-waived_at"]
        verbose_name = _("fee withholding waiver")
        verbose_name_plural = _("fee withholding waivers")

    def __str__(self) -> str:
        return f"Waiver of {self.kpi_record}"


class Promotion(models.Model):
    """A promotion plan: once the brand approved it, sales linked to it within its dates
    may go below the minimum retail price (down to its price floor, if it has one)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the brand's approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="promotions",
        verbose_name=_("agreement"),
    )
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    approved_by_brand_on = models.DateField(_("approved by the brand on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    price_floor = models.DecimalField(
        _("price floor"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The lowest unit price the promotion allows; blank for no floor."),
    )

    class Meta:
        ordering = ["agreement", "-starts_on"]
        verbose_name = _("approved promotion")
        verbose_name_plural = _("approved promotions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="unique_promotion_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SaleLine(models.Model):
    """One sale (or return, with negative quantity) recorded by the agency.

    Prices are snapshots of the product's prices valid on ``sold_on`` unless given, so a
    later price change never rewrites history. ``amount`` = quantity × unit price.
    """

    class Channel(models.TextChoices):
        JD = "jd", _("JD")
        TMALL = "tmall", _("Tmall")
        WECHAT = "wechat", _("WeChat shop")
        B2B_DISTRIBUTOR = "b2b_distributor", _("B2B distributor")
        OTHER = "other", _("Other")

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="sale_lines",
        verbose_name=_("agreement"),
    )
    product = models.ForeignKey(
        "contracts.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    sold_on = models.DateField(_("sold on"), db_index=True)
    quantity = models.IntegerField(_("quantity"), help_text=_("Negative for a return."))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    factory_price = models.DecimalField(_("factory price"), max_digits=14, decimal_places=2)
    distributor_price = models.DecimalField(_("distributor price"), max_digits=14, decimal_places=2)
    min_retail_price = models.DecimalField(
        _("minimum retail price"), max_digits=14, decimal_places=2
    )
    tax = models.DecimalField(
        _("tax (line total)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    logistics = models.DecimalField(
        _("logistics (line total)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.OTHER
    )
    distributor = models.CharField(_("distributor"), max_length=200, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    promotion = models.ForeignKey(
        Promotion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sale_lines",
        verbose_name=_("promotion"),
    )
    price_violation = models.BooleanField(
        _("below minimum retail price"), default=False, db_index=True
    )
    settled_in = models.ForeignKey(
        "settlements.Statement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sale_lines",
        help_text=_("The issued statement that billed this line."),
        verbose_name=_("settled in"),
    )
    import_batch = models.ForeignKey(
        "kpis.SalesImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("import batch"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["agreement", "-sold_on", "-pk"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="unique_external_ref_per_agreement",
            )
        ]
        indexes = [models.Index(fields=["agreement", "sold_on"])]

    def __str__(self) -> str:
        return f"{self.sold_on} {self.product_id} × {self.quantity}"


class SalesImport(models.Model):
    """One uploaded CSV/XLSX file of sale lines and how its import went (progress, errors)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        VALIDATING = "validating", _("Validating")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="sales_imports",
        verbose_name=_("agreement"),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_created = models.PositiveIntegerField(_("lines created"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("already imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sales import")
        verbose_name_plural = _("sales imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.status in (self.Status.DONE, self.Status.REJECTED) else 0
        return min(100, self.rows_done * 100 // self.rows_total)
