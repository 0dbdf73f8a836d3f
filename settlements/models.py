"""Statements (对账单) and their lines, payments, penalty waivers, demands, expenses, runs."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import ZERO
from kpis.models import period_field
from settlements import messages


def money(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def recorded_by_field() -> models.ForeignKey:
    """Who recorded a payment or an invoice (kept when the user is deleted: null)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )


class StatementRun(models.Model):
    """One month-end job: which period, how far it got (one task per agreement)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = period_field()
    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("agreements"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    created = models.PositiveIntegerField(_("statements created"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    # Issuing the drafts the run made, by the workers (statement_run_issue_start).
    issued_on = models.DateField(null=True, blank=True, verbose_name=_("issue date"))
    issue_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issue_started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("issue started at")
    )
    issue_finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("issue finished at")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("month-end run")
        verbose_name_plural = _("month-end runs")

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"

    @property
    def percent_done(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, (self.done + self.failed) * 100 // self.total)


class StatementRunItem(models.Model):
    """One agreement's part of a run: makes each task's outcome visible and re-runnable."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Issue(models.TextChoices):
        """Where issuing its draft stands ("" when nobody asked)."""

        PENDING = "pending", _("Waiting to be issued")
        ISSUED = "issued", _("Issued")
        REFUSED = "refused", _("Not issued")

    run = models.ForeignKey(
        StatementRun,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("month-end run"),
    )
    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agreement"),
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    error = models.TextField(blank=True, verbose_name=_("error"))
    statement = models.ForeignKey(
        "settlements.Statement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("statement"),
    )
    issue = models.CharField(
        max_length=10, choices=Issue.choices, blank=True, default="", verbose_name=_("issue")
    )
    issue_error = models.TextField(blank=True, verbose_name=_("why not issued"))

    class Meta:
        verbose_name = _("run item")
        verbose_name_plural = _("run items")
        indexes = [models.Index(fields=["run", "issue"], name="run_item_issue")]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "agreement"], name="one_item_per_agreement_and_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.agreement_id}: {self.status}"


class StatementQuerySet(models.QuerySet["Statement"]):
    def open(self) -> "StatementQuerySet":
        """Statements still in force: issued and not void (confirmed or disputed included).

        The one definition of "open": payments, penalties, reminders, flags and the
        portal's money owed all start from it.
        """
        return self.filter(status__in=Statement.OPEN_STATUSES)


class Statement(models.Model):
    """A bill to the brand: a monthly statement, a one-off bill or a penalty notice.

    Draft statements may be regenerated; an issued one is frozen (lines, totals, the
    snapshot of parties and bank account, due dates) and only its review and payment
    status move. A correction voids it and issues the next version.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly statement")
        SETUP_FEE = "setup_fee", _("Setup fee bill")
        INSTALLMENT = "installment", _("Installment bill")
        PENALTY = "penalty", _("Penalty notice")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        VOID = "void", _("Void")

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid in full")

    OPEN_STATUSES = (Status.ISSUED, Status.CONFIRMED, Status.DISPUTED)

    number = models.CharField(_("number"), max_length=40, unique=True)
    base_number = models.CharField(_("base number"), max_length=30, db_index=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("agreement"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # null, not "": the API contract shows one-off bills with "period": null.
    period = models.CharField(_("period"), max_length=7, null=True, blank=True, db_index=True)  # noqa: DJ001
    installment_number = models.PositiveSmallIntegerField(_("installment"), default=0)
    penalty_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="penalty_notices",
        verbose_name=_("penalty on statement"),
    )
    penalty_as_of = models.DateField(_("penalty as of"), null=True, blank=True)
    previous_version = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=15,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
        db_index=True,
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    receipt_due_on = models.DateField(_("receipt due on"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    deemed_confirmed = models.BooleanField(_("confirmed by silence"), default=False)
    disputed_on = models.DateField(_("disputed on"), null=True, blank=True)
    dispute_comment = models.TextField(_("dispute comment"), blank=True)
    withdrawn_on = models.DateField(_("dispute withdrawn on"), null=True, blank=True)
    agency_reply = models.TextField(_("agency reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    payment_due_on = models.DateField(_("payment due on"), null=True, blank=True, db_index=True)
    # The due date the contract gives; payment_due_on follows it, later under the term
    # invoice_before_payment (settlements.services.invoices.payment_due_apply).
    contract_due_on = models.DateField(_("contract due date"), null=True, blank=True)
    total_due = money(_("total due"), default=ZERO)
    penalty_rate_per_day = models.DecimalField(
        _("penalty rate per day"), max_digits=8, decimal_places=5, default=Decimal("0")
    )
    # The agreement's VAT rate when the statement was made; the split it gives is shown,
    # never owed (core.money.vat_split).
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=4, decimal_places=2, default=Decimal("0.06")
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    snapshot = models.JSONField(_("snapshot at issue"), default=dict, blank=True)
    calendar_note = models.CharField(_("calendar note"), max_length=300, blank=True)
    void_reason = models.TextField(_("void reason"), blank=True)
    voided_on = models.DateField(_("voided on"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="statements/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            # A month-end run can never make two statements of a month and version.
            models.UniqueConstraint(
                fields=["agreement", "period", "kind", "version"],
                condition=models.Q(kind="monthly"),
                name="one_monthly_statement_per_version",
            ),
            models.UniqueConstraint(
                fields=["agreement", "kind", "installment_number", "version"],
                condition=models.Q(kind__in=["setup_fee", "installment"]),
                name="one_one_off_bill_per_version",
            ),
            models.UniqueConstraint(
                fields=["penalty_of", "penalty_as_of"],
                condition=models.Q(kind="penalty"),
                name="one_penalty_notice_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(total_due__gte=0), name="total_due_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["agreement", "kind", "period"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        """Issued and not void: see ``StatementQuerySet.open``."""
        return self.status in self.OPEN_STATUSES

    @property
    def invoiced_amount(self) -> Decimal:
        """The total of its invoices (发票) that are not reversed."""
        invoices = Invoice.objects.filter(statement=self).exclude(status=Invoice.Status.REVERSED)
        return invoices.aggregate(total=models.Sum("amount"))["total"] or ZERO


class StatementLine(models.Model):
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    kind = models.CharField(_("kind"), max_length=20)
    description = models.CharField(_("description"), max_length=500)
    amount = money(_("amount"))

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="unique_line_position")
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Payment(models.Model):
    """Money received against one issued statement (recorded by agency staff)."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("statement")
    )
    amount = money(_("amount"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    moved_from = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The voided version this payment was first recorded on."),
        verbose_name=_("moved from"),
    )
    recorded_by = recorded_by_field()
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["statement", "paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="unique_payment_external_ref",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} ¥{self.amount}"


class PenaltyWaiver(models.Model):
    """A logged waiver or reduction of a statement's late penalty."""

    statement = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        related_name="penalty_waivers",
        verbose_name=_("statement"),
    )
    amount = money(_("amount waived"))
    reason = models.TextField(_("reason"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(auto_now_add=True, verbose_name=_("waived at"))

    class Meta:
        ordering = ["-waived_at"]
        verbose_name = _("penalty waiver")
        verbose_name_plural = _("penalty waivers")

    def __str__(self) -> str:
        return f"¥{self.amount} waived on {self.statement}"


class StatementDemand(models.Model):
    """The brand's demand (催缴) for a late monthly statement; starts the 7-day clock."""

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        related_name="demands",
        verbose_name=_("agreement"),
    )
    period = period_field()
    demanded_on = models.DateField(_("demanded on"))
    demanded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demanded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("statement demand")
        verbose_name_plural = _("statement demands")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period"], name="one_demand_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.period} demanded on {self.demanded_on}"


class Expense(models.Model):
    """An approved marketing expense the agency paid for the brand (revenue share)."""

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("agreement"),
    )
    period = period_field()
    amount = money(_("amount"))
    description = models.CharField(_("description"), max_length=300)
    receipt_ref = models.CharField(_("receipt reference"), max_length=200)
    approved_by_brand_on = models.DateField(_("approved by the brand on"))
    statement = models.ForeignKey(
        Statement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name=_("statement"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["agreement", "-period"]
        verbose_name = _("approved expense")
        verbose_name_plural = _("approved expenses")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.description} ¥{self.amount}"


class FlagSeen(models.Model):
    """The first time the daily job saw a flag; its event is logged once (unique key)."""

    key = models.CharField(max_length=120, unique=True, verbose_name=_("key"))
    flag = models.CharField(max_length=40, verbose_name=_("flag"))
    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("agreement"),
    )
    statement = models.ForeignKey(
        Statement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("statement"),
    )
    period = models.CharField(max_length=7, blank=True, verbose_name=_("period"))
    seen_on = models.DateField(verbose_name=_("seen on"))

    class Meta:
        verbose_name = _("flag seen")
        verbose_name_plural = _("flags seen")

    def __str__(self) -> str:
        return self.key


class DocumentSequence(models.Model):
    """Gap-free numbering per prefix and year (ST-2026-000123), taken under a row lock."""

    key = models.CharField(max_length=20, unique=True, verbose_name=_("key"))
    last = models.PositiveIntegerField(default=0, verbose_name=_("last"))

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class DisputeAttachment(models.Model):
    """A file the brand sent with its dispute (its own list, a screenshot).

    Served only through the portal and the API, to those who may see the statement.
    """

    statement = models.ForeignKey(
        Statement,
        on_delete=models.CASCADE,
        related_name="dispute_attachments",
        verbose_name=_("statement"),
    )
    file = models.FileField(_("file"), upload_to="disputes/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded"))

    class Meta:
        ordering = ["statement", "pk"]
        verbose_name = _("dispute attachment")
        verbose_name_plural = _("dispute attachments")

    def __str__(self) -> str:
        return self.name


class DailyRun(models.Model):
    """One run of the daily job up to a day, with what each rule did and what failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Had failures")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        STARTUP = "startup", _("Start-up")
        COMMAND = "command", _("Command")
        ADMIN = "admin", _("Admin")
        API = "api", _("API")

    until = models.DateField(_("up to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    trigger = models.CharField(
        _("started by"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("failures"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")

    def __str__(self) -> str:
        return f"{self.until} ({self.get_status_display()})"

    @property
    def records_made(self) -> int:
        """How many records the run made, over all rules."""
        return sum(int(rule.get("count", 0)) for rule in self.summary.values())


def invoice_upload_to(invoice: "Invoice", filename: str) -> str:
    """Stored under a random name (the brand downloads it under the invoice's number)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"invoices/{invoice.issued_on:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Invoice(models.Model):
    """An invoice (发票) the agency issued against a statement, penalty notice or bill.

    Recorded through ``settlements.services.invoice_record``: the non-reversed invoices
    of a statement never add up to more than its total. Voiding the statement marks them
    for red-letter reversal (红冲) until the red invoice's number is recorded.
    """

    class Kind(models.TextChoices):
        VAT_SPECIAL_DIGITAL = "vat_special_digital", _("Digital special VAT invoice")
        VAT_NORMAL_DIGITAL = "vat_normal_digital", _("Digital ordinary VAT invoice")
        VAT_SPECIAL_PAPER = "vat_special_paper", _("Paper special VAT invoice")
        VAT_NORMAL_PAPER = "vat_normal_paper", _("Paper ordinary VAT invoice")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        TO_REVERSE = "to_reverse", _("To be reversed")
        REVERSED = "reversed", _("Reversed")

    DIGITAL_KINDS = (Kind.VAT_SPECIAL_DIGITAL, Kind.VAT_NORMAL_DIGITAL)

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("statement")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    number = models.CharField(_("invoice number"), max_length=20, db_index=True)
    issued_on = models.DateField(_("invoice date"))
    amount = money(_("amount with tax"))
    tax_amount = money(_("tax amount"))
    file = models.FileField(_("file"), upload_to=invoice_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    red_number = models.CharField(_("red invoice number"), max_length=20, blank=True)
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)
    recorded_by = recorded_by_field()
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["statement", "issued_on", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="invoice_amount_positive",
                violation_error_message=messages.AMOUNT_POSITIVE,
            ),
            models.CheckConstraint(
                condition=models.Q(tax_amount__gte=0, tax_amount__lte=models.F("amount")),
                name="invoice_tax_within_amount",
                violation_error_message=messages.INVOICE_TAX_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_digital(self) -> bool:
        return self.kind in self.DIGITAL_KINDS

    @property
    def counts(self) -> bool:
        """Whether it counts towards the statement's invoiced total (not reversed)."""
        return self.status != self.Status.REVERSED
