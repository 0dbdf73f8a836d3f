"""Bank transactions: the credits on an agency's bank account, how they were loaded, and
how each was allocated to what the brands owe.

The agency is the transaction's ``organization`` (not a field named ``agency``): the
admin walls' ``tenant_path`` follows it, so an unmatched credit (no brand yet) is still
its agency's data. The brand its payer matched is ``payer_brand``, nullable.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def _money(verbose_name: object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Source(models.TextChoices):
    API = "api", _("API")
    CSV = "csv", _("CSV file")
    XLSX = "xlsx", _("XLSX file")
    CAMT053 = "camt053", _("camt.053 XML")


class BankImport(models.Model):
    """One loaded bank export (only committed imports are stored; a preview saves nothing)."""

    class Status(models.TextChoices):
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected")

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="bank_imports",
        verbose_name=_("agency"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Source.choices)
    preset = models.CharField(_("preset"), max_length=20, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("already imported"), default=0)
    rows_debit = models.PositiveIntegerField(_("debits skipped"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bank import")
        verbose_name_plural = _("bank imports")

    def __str__(self) -> str:
        return self.file_name


class BankTransaction(models.Model):
    """A credit on the agency's bank account, unique by the bank's reference."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("Unmatched")
        PARTIALLY_MATCHED = "partially_matched", _("Partially matched")
        MATCHED = "matched", _("Matched")

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="bank_transactions",
        verbose_name=_("agency"),
        help_text=_("The agency whose account received the money."),
    )
    booked_on = models.DateField(_("booked on"))
    amount = _money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    payer_name = models.CharField(_("payer name"), max_length=200, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=64, blank=True)
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    bank_ref = models.CharField(_("bank reference"), max_length=100)
    payer_brand = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_credits",
        verbose_name=_("brand"),
        help_text=_("The brand whose name or account the payer matched."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    bank_import = models.ForeignKey(
        BankImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transactions",
        verbose_name=_("import"),
    )
    allocated = _money(_("allocated"), default=ZERO)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.UNMATCHED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["-booked_on", "-pk"]
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "bank_ref"], name="unique_bank_ref_per_agency"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="bank_credit_positive"),
            models.CheckConstraint(
                condition=models.Q(allocated__gte=0, allocated__lte=models.F("amount")),
                name="bank_allocated_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "booked_on"])]

    def __str__(self) -> str:
        return f"{self.bank_ref} {self.amount}"

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


class Allocation(models.Model):
    """Part of a credit applied to one statement, recorded there as an ordinary payment."""

    transaction = models.ForeignKey(
        BankTransaction,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("bank transaction"),
    )
    statement = models.ForeignKey(
        "settlements.Statement",
        on_delete=models.PROTECT,
        related_name="bank_allocations",
        verbose_name=_("statement"),
    )
    amount = _money(_("amount"))
    payment = models.OneToOneField(
        "settlements.Payment",
        on_delete=models.PROTECT,
        related_name="bank_allocation",
        verbose_name=_("payment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocated by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["transaction", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive")
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} → {self.statement_id}: {self.amount}"
