"""Balance confirmations (往来余额确认函): a brand's open items and total as of a date.

An issued confirmation is a document: its items and totals are a snapshot taken at issue
and never edited; only the brand's answer (confirmed or disputed) is written on it
later. A new balance is a new confirmation.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import ZERO


class BalanceConfirmation(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Awaiting the brand's answer")
        CONFIRMED = "confirmed", _("Confirmed by the brand")
        DISPUTED = "disputed", _("Disputed by the brand")

    # The brand first: the admin walls find the tenant through it (tenant_path).
    brand = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="balance_confirmations",
        limit_choices_to={"kind": "brand"},
        verbose_name=_("brand"),
    )
    agency = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    as_of = models.DateField(_("as of"))
    # One entry per open item at issue: statement id, number, kind, period, due date,
    # outstanding principal, penalty to date, days past due, bucket (money as strings).
    items = models.JSONField(_("items"), default=list, blank=True)
    total_outstanding = models.DecimalField(
        _("outstanding principal"), max_digits=14, decimal_places=2, default=ZERO
    )
    total_penalty = models.DecimalField(
        _("penalty to date"), max_digits=14, decimal_places=2, default=ZERO
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    disputed_on = models.DateField(_("disputed on"), null=True, blank=True)
    dispute_comment = models.TextField(_("dispute comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    pdf = models.FileField(_("PDF"), upload_to="balance-confirmations/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("balance confirmation")
        verbose_name_plural = _("balance confirmations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_outstanding__gte=0, total_penalty__gte=0),
                name="balance_confirmation_totals_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        """Principal and penalty together: what the brand owes as of the date."""
        return Decimal(self.total_outstanding) + Decimal(self.total_penalty)
