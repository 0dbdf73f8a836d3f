"""Organizations (agencies and brands), their bank accounts, and users with a role."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

BRAND_NEEDS_AGENCY = _(
    "A brand must name the agency that serves it. / 品牌方必须指定服务的代运营方。"
)
AGENCY_HAS_NO_AGENCY = _(
    "An agency is not served by another agency. / 代运营方不能再隶属其他代运营方。"
)
ROLE_NEEDS_ORGANIZATION = _("A user with a role must belong to an organization.")
ROLE_KIND_MISMATCH = _("Role {role} does not fit a {kind} organization.")


class Organization(models.Model):
    """A party to agreements: an agency (乙方, the operator) or a brand owner (甲方)."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        BRAND = "brand", _("Brand")

    class StatementDetail(models.TextChoices):
        """Where an agency's monthly statements carry their detail."""

        PDF = "pdf", _("Appendix of the statement PDF")
        XLSX = "xlsx", _("XLSX download only")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(
        "self",
        verbose_name=_("serving agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="brands",
        limit_choices_to={"kind": "agency"},
        help_text=_("For a brand: the agency whose staff manage its agreements."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # A brand's invoicing details (开票信息), kept current by its finance users.
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20, blank=True)
    invoice_address_phone = models.CharField(
        _("invoice address and phone"), max_length=300, blank=True
    )
    invoice_bank_account = models.CharField(
        _("invoice bank and account"), max_length=300, blank=True
    )
    # Names and accounts the brand pays from, matched against bank transactions.
    payer_names = models.JSONField(
        _("payer names"),
        default=list,
        blank=True,
        help_text=_("Other names the brand pays from (a parent company, a shop's company)."),
    )
    payer_accounts = models.JSONField(
        _("payer accounts"),
        default=list,
        blank=True,
        help_text=_("Bank account numbers the brand pays from."),
    )
    # An agency's choice of how its monthly statements carry their detail.
    statement_detail = models.CharField(
        _("statement detail"),
        max_length=4,
        choices=StatementDetail.choices,
        default=StatementDetail.PDF,
        help_text=_(
            "For an agency: how a monthly statement carries its detail (the sale lines it "
            "settles and a B2B month's KPIs). As an appendix page, each PDF is longer and "
            "about 2–3 times slower to render; with XLSX only, the PDF names the XLSX file "
            "the brand downloads from the portal. A brand's value is ignored."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.BRAND and self.agency_id is None:
            raise ValidationError({"agency": BRAND_NEEDS_AGENCY})
        if self.kind == self.Kind.AGENCY and self.agency_id is not None:
            raise ValidationError({"agency": AGENCY_HAS_NO_AGENCY})

    @property
    def primary_bank_account(self) -> "BankAccount | None":
        accounts = sorted(self.bank_accounts.all(), key=lambda a: (not a.is_primary, a.pk))
        return accounts[0] if accounts else None


class BankAccount(models.Model):
    """A receiving account (收款账户) of the payee organization."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="bank_accounts",
        verbose_name=_("organization"),
    )
    bank_name = models.CharField(_("bank"), max_length=200)
    account_name = models.CharField(_("account name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=64)
    is_primary = models.BooleanField(_("primary"), default=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "account_number"], name="unique_account_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number} ({self.account_name})"


class User(AbstractUser):
    """A person or integration: agency staff, or a brand's finance or read-only user."""

    class Role(models.TextChoices):
        AGENCY_STAFF = "agency_staff", _("Agency staff")
        BRAND_FINANCE = "brand_finance", _("Brand finance")
        BRAND_VIEWER = "brand_viewer", _("Brand viewer")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def clean(self) -> None:
        super().clean()
        if self.role and self.organization_id is None:
            raise ValidationError({"organization": ROLE_NEEDS_ORGANIZATION})
        if self.role and self.organization_id is not None:
            wanted = (
                Organization.Kind.AGENCY
                if self.role == self.Role.AGENCY_STAFF
                else Organization.Kind.BRAND
            )
            if self.organization.kind != wanted:
                raise ValidationError(
                    {"role": ROLE_KIND_MISMATCH.format(role=self.role, kind=self.organization.kind)}
                )

    @property
    def is_agency_staff(self) -> bool:
        return self.role == self.Role.AGENCY_STAFF and self.organization_id is not None

    @property
    def is_brand_user(self) -> bool:
        return (
            self.role in (self.Role.BRAND_FINANCE, self.Role.BRAND_VIEWER)
            and self.organization_id is not None
        )

    @property
    def is_brand_finance(self) -> bool:
        return self.role == self.Role.BRAND_FINANCE and self.organization_id is not None

    @property
    def is_agency_side(self) -> bool:
        """Superusers and agency staff: the people who write business data."""
        return bool(self.is_superuser or self.is_agency_staff)

    # --- scoping: the one rule of who sees what (accounts.selectors wraps it) -----------

    def scope(self, queryset: "models.QuerySet[Any]", *, brand_path: str) -> "models.QuerySet[Any]":
        """Limit ``queryset`` to what this user may see; ``brand_path`` leads to the brand.

        A superuser sees everything; agency staff see the brands their agency serves and
        all of those brands' data; a brand user sees only their own brand; anybody else
        (inactive, no role) sees nothing. Shared code (``common``) calls this through
        ``request.user`` so it needs no import of this app.
        """
        if not self.is_active:
            return queryset.none()
        if self.is_superuser:
            return queryset
        if self.is_agency_staff:
            return queryset.filter(**{f"{brand_path}__agency_id": self.organization_id})
        if self.is_brand_user:
            return queryset.filter(**{f"{brand_path}_id": self.organization_id})
        return queryset.none()

    def visible_organizations(self) -> "models.QuerySet[Organization]":
        """Organizations this user may see: their own, and for agency staff their brands."""
        queryset = Organization.objects.all()
        if not self.is_active:
            return queryset.none()
        if self.is_superuser:
            return queryset
        if self.is_agency_staff:
            return queryset.filter(
                models.Q(pk=self.organization_id) | models.Q(agency_id=self.organization_id)
            )
        if self.is_brand_user:
            return queryset.filter(pk=self.organization_id)
        return queryset.none()


class ApiToken(models.Model):
    """An integration's API key. Only its SHA-256 is stored: the key is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("key hash")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
